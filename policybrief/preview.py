"""Preview: PNG images of every PDF page and every slide, plus one contact sheet.

PDF pages are rasterised with pypdfium2; slides go through LibreOffice
(headless, with a private user profile so parallel runs never clash), the
client that renders a deck the way a presenter's machine would.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from policybrief.errors import BriefError
from policybrief.output import private_temp, write_atomic

SOFFICE_TIMEOUT = 180
DEFAULT_OUT = Path("build/preview")
SHEET_NAME = "contact-sheet.png"


@dataclass(frozen=True)
class Preview:
    """What a preview wrote: one PNG per PDF page and per slide, and the contact sheet."""

    pages: list[Path]
    slides: list[Path]
    sheet: Path


def preview(paths: Iterable[Path] = (), *, out_dir: Path = DEFAULT_OUT, templates: Iterable[Path] = ()) -> Preview:
    """Return the preview of every content file: build its PDF and deck into ``out_dir`` (skipping
    what is up to date), then write their pages and slides as PNGs and one contact sheet."""
    from policybrief.api import build, find_content

    soffice = find_soffice()  # before building: a missing LibreOffice is reported at once
    files = find_content(paths)
    with private_temp():  # LibreOffice's temporary files too: removed when the preview ends, also on error
        return _preview(files, out_dir, templates, soffice, build)


def _preview(files: list[Path], out_dir: Path, templates: Iterable[Path], soffice: str, build) -> Preview:
    """Return the preview of ``files`` (see ``preview``)."""
    build(files, out_dir=out_dir, templates=templates)
    pages, slides = [], []
    with tempfile.TemporaryDirectory(prefix="preview-") as work:
        for content in files:
            stem = content.stem
            _remove_old(out_dir, stem)
            pages += pdf_pages_to_png(out_dir / f"{stem}.pdf", out_dir, f"{stem}-page")
            slides += pdf_pages_to_png(deck_to_pdf(out_dir / f"{stem}.pptx", Path(work), soffice), out_dir, f"{stem}-slide")
    return Preview(pages, slides, contact_sheet([*pages, *slides], out_dir / SHEET_NAME))


def _remove_old(out_dir: Path, stem: str) -> None:
    """Delete the PNGs of an earlier preview of ``stem`` (it may have had more pages)."""
    for old in [*out_dir.glob(f"{stem}-page-*.png"), *out_dir.glob(f"{stem}-slide-*.png")]:
        old.unlink()


def slides_pdf(paths: Iterable[Path] = (), *, out_dir: Path = Path("build"), templates: Iterable[Path] = (),
               force: bool = False, on_written=lambda written: None, on_current=lambda path: None) -> list[Path]:
    """Return the handout PDFs written: build each content file's deck (skipping what is current), then
    write ``<out>/<name>-slides.pdf``, one slide per page, as LibreOffice renders it."""
    from policybrief.api import build, find_content

    soffice = find_soffice()  # before building: a missing LibreOffice is reported at once
    files = find_content(paths)
    build(files, out_dir=out_dir, targets=("slides",), templates=templates, force=force,
          on_written=on_written, on_current=on_current)
    written = []
    with private_temp(), tempfile.TemporaryDirectory(prefix="slides-pdf-") as work:
        for content in files:
            pptx, target = out_dir / f"{content.stem}.pptx", out_dir / f"{content.stem}-slides.pdf"
            if not force and target.is_file() and target.stat().st_mtime_ns >= pptx.stat().st_mtime_ns:
                on_current(target)
                continue
            write_atomic(target, deck_to_pdf(pptx, Path(work), soffice).read_bytes())
            written.append(target)
    return written


def pdf_pages_to_png(pdf: Path, out_dir: Path, stem: str, width: int = 1000, compress_level: int = 6) -> list[Path]:
    """Return the PNG files written for each page of ``pdf`` (``stem``-01.png …).

    ``compress_level`` 1 writes files a few per cent larger in less than half the time (the live preview's choice).
    """
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    written = []
    try:
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=width / page.get_width()).to_pil()
            target = out_dir / f"{stem}-{index + 1:02d}.png"
            _save_png(image, target, compress_level)
            written.append(target)
    finally:
        document.close()
    return written


def find_soffice() -> str:
    """Return the LibreOffice command; raise BriefError saying how to install it when there is none."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise BriefError("soffice: not found; previewing slides needs LibreOffice, install it: sudo apt-get install libreoffice-impress.")
    return soffice


def deck_to_pdf(pptx: Path, work: Path, soffice: str) -> Path:
    """Return the PDF LibreOffice (``soffice``) makes of ``pptx`` (written under ``work``)."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=work))
    command = [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf", "--outdir", str(work), str(pptx)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
    converted = work / f"{pptx.stem}.pdf"
    if result.returncode != 0 or not converted.is_file():
        raise BriefError(f"{pptx}: LibreOffice could not convert the deck ({result.stderr.strip() or 'no output'}); open it in LibreOffice Impress to see why.")
    return converted


def contact_sheet(images: list[Path], target: Path, columns: int = 4, thumb_width: int = 400) -> Path:
    """Return ``target`` after writing one PNG showing every image in ``images`` as a grid."""
    from PIL import Image

    thumbs = []
    for path in images:
        with Image.open(path) as image:
            height = round(image.height * thumb_width / image.width)
            thumbs.append(image.convert("RGB").resize((thumb_width, height)))
    gap = 16
    rows = [thumbs[i : i + columns] for i in range(0, len(thumbs), columns)]
    row_heights = [max(t.height for t in row) for row in rows]
    sheet = Image.new("RGB", (gap + columns * (thumb_width + gap), gap + sum(h + gap for h in row_heights)), "#E5E7EB")
    y = gap
    for row, height in zip(rows, row_heights, strict=True):
        for column, thumb in enumerate(row):
            sheet.paste(thumb, (gap + column * (thumb_width + gap), y))
        y += height + gap
    _save_png(sheet, target)
    return target


def _save_png(image, target: Path, compress_level: int = 6) -> None:
    """Write ``image`` as a PNG at ``target`` atomically."""
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=compress_level)
    write_atomic(target, buffer.getvalue())
