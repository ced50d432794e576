"""Preview: PNG images of every PDF page and every slide, plus one contact sheet.

PDF pages are rasterised with pypdfium2; slides go through LibreOffice
(headless, with a private user profile so parallel runs never clash), the
client that renders a deck the way a presenter's machine would.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from policybrief.errors import BriefError
from policybrief.output import write_atomic

SOFFICE_TIMEOUT = 180


def pdf_pages_to_png(pdf: Path, out_dir: Path, stem: str, width: int = 1000) -> list[Path]:
    """Return the PNG files written for each page of ``pdf`` (``stem``-p01.png …)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    written = []
    try:
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=width / page.get_width()).to_pil()
            target = out_dir / f"{stem}-{index + 1:02d}.png"
            _save_png(image, target)
            written.append(target)
    finally:
        document.close()
    return written


def deck_to_pdf(pptx: Path, work: Path) -> Path:
    """Return the PDF LibreOffice makes of ``pptx`` (written under ``work``)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise BriefError("previewing slides needs LibreOffice; install it: sudo apt-get install libreoffice-impress.")
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=work))
    command = [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf", "--outdir", str(work), str(pptx)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
    converted = work / f"{pptx.stem}.pdf"
    if result.returncode != 0 or not converted.is_file():
        raise BriefError(f"{pptx}: LibreOffice could not convert the deck ({result.stderr.strip() or 'no output'}).")
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


def _save_png(image, target: Path) -> None:
    """Write ``image`` as a PNG at ``target`` atomically."""
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    write_atomic(target, buffer.getvalue())
