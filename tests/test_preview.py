"""``preview``: one PNG per PDF page and per slide (slides through LibreOffice) plus one contact sheet."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from .conftest import CONTENT, ROOT, run_cli


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


def test_preview_without_libreoffice_says_how_to_install_it(tmp_path):
    bin_dir = tmp_path / "bin"  # a PATH without LibreOffice
    bin_dir.mkdir()
    assert shutil.which("soffice", path=str(bin_dir)) is None
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "preview", str(CONTENT), "--out", "out"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, env={"PATH": str(bin_dir)})
    assert (result.returncode, result.stderr.strip()) == (
        1, "soffice: not found; previewing slides needs LibreOffice, install it: sudo apt-get install libreoffice-impress.")
    assert not list(Path(tmp_path / "out").glob("*.png"))
