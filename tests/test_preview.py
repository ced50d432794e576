"""``preview``: one PNG per PDF page and per slide (slides through LibreOffice) plus one contact sheet."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from .conftest import CONTENT, copy_of, run_cli


def test_preview_writes_every_page_and_slide_and_one_contact_sheet(tmp_path):
    result = run_cli("preview", str(CONTENT), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    pages = len(PdfReader(str(tmp_path / "107005.pdf")).pages)
    slides = len(Presentation(str(tmp_path / "107005.pptx")).slides)
    page_pngs = sorted(tmp_path.glob("107005-page-*.png"))
    slide_pngs = sorted(tmp_path.glob("107005-slide-*.png"))
    assert (len(page_pngs), len(slide_pngs)) == (pages, slides)
    assert result.stdout.splitlines() == [f"wrote {pages} page and {slides} slide images to {tmp_path}",
                                          f"contact sheet: {tmp_path / 'contact-sheet.png'}"]
    with Image.open(page_pngs[0]) as page, Image.open(slide_pngs[0]) as slide:
        assert page.height > page.width and slide.width > slide.height  # A4 portrait, 16:9 slides
        assert slide.getpixel((10, 10))[2] > slide.getpixel((10, 10))[0]  # the navy band of the title slide
    with Image.open(tmp_path / "contact-sheet.png") as sheet:
        assert sheet.width >= 4 * 400 and sheet.height > 400 * (pages + slides) // 8


# The messages of the two failures below; test_robustness checks that docs/errors.md lists them.
NO_SOFFICE = "soffice: not found; previewing slides needs LibreOffice, install it: sudo apt-get install libreoffice-impress."
NOT_CONVERTED = ("out/107005.pptx: LibreOffice could not convert the deck (Error: source file could not be loaded); "
                 "open it in LibreOffice Impress to see why.")
MESSAGES = [NO_SOFFICE, NOT_CONVERTED]


def test_preview_without_libreoffice_says_how_to_install_it(tmp_path):
    bin_dir = tmp_path / "bin"  # a PATH without LibreOffice
    bin_dir.mkdir()
    assert shutil.which("soffice", path=str(bin_dir)) is None
    result = run_cli("preview", str(CONTENT), "--out", "out", cwd=tmp_path, env={"PATH": str(bin_dir)})
    assert (result.returncode, result.stderr.strip()) == (1, NO_SOFFICE)
    assert not list(Path(tmp_path / "out").glob("*.png"))


def test_preview_when_libreoffice_fails_names_the_deck(tmp_path, built):
    copy_of(built, tmp_path / "out")  # outputs up to date: the preview goes straight to the pages and slides
    bin_dir = tmp_path / "bin"  # a LibreOffice that fails as it does on a deck it cannot open
    bin_dir.mkdir()
    (bin_dir / "soffice").write_text('#!/bin/sh\necho "Error: source file could not be loaded" >&2\nexit 1\n', encoding="utf-8")
    (bin_dir / "soffice").chmod(0o755)
    result = run_cli("preview", str(CONTENT), "--out", "out", cwd=tmp_path,
                     env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert (result.returncode, result.stderr.strip(), "Traceback" in result.stderr) == (1, NOT_CONVERTED, False)
    assert not list(Path(tmp_path / "out").glob("*-slide-*.png")) and not (tmp_path / "out" / "contact-sheet.png").exists()
