"""Real PDF engines side by side: pages drawn by poppler and Ghostscript, text read by six extractors.

Renders are gray, 100 dpi, Ghostscript with its text and graphics
anti-aliasing on (without it thin CJK strokes look garbled), each blurred by
2 px before two renders are compared by their correlation: a page drawn
alike by two engines scores above 0.99, a page whose Chinese characters one
engine draws as boxes about 0.76.

Text comes from poppler (``pdftotext`` plain and ``-raw``), MuPDF (PyMuPDF,
AGPL: used by the tests only, never by ``policybrief``), PDFium, pdfminer
and pypdf, as lines. What a printed line is comes from one reference
engine's character positions (``printed_lines``).
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

import numpy
from PIL import Image, ImageFilter

DPI = 100
BLUR = 2  # px, Gaussian radius applied to every render before comparing
_LABEL = re.compile(r"^\d+\.")  # a numbered list's label, as in the sources
_PGM = re.compile(rb"P5\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s")  # Ghostscript writes a comment line


def poppler_pages(pdf: Path) -> list[Image.Image]:
    """Return every page of ``pdf`` drawn by poppler (``pdftoppm``), gray, at ``DPI``."""
    count = page_count(pdf)
    return [_pgm(subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                                 str(pdf)], capture_output=True, check=True, timeout=120).stdout)[0]
            for page in range(1, count + 1)]


def pdfium_pages(pdf: Path) -> list[Image.Image]:
    """Return every page of ``pdf`` drawn by PDFium (pypdfium2), gray, at ``DPI``: fast even with whole fonts embedded."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L") for page in document]
    finally:
        document.close()


def ghostscript_pages(pdf: Path) -> list[Image.Image]:
    """Return every page of ``pdf`` drawn by Ghostscript, gray, at ``DPI``, text and graphics anti-aliased."""
    command = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pgmraw", f"-r{DPI}", "-dTextAlphaBits=4",
               "-dGraphicsAlphaBits=4", "-sOutputFile=-", str(pdf)]
    return _pgm(subprocess.run(command, capture_output=True, check=True, timeout=300).stdout)


def _pgm(data: bytes) -> list[Image.Image]:
    """Return the images of a stream of binary PGM (P5) images, one after another."""
    images, at = [], 0
    while match := _PGM.match(data, at):
        width, height = int(match[1]), int(match[2])
        start = match.end()
        images.append(Image.frombytes("L", (width, height), data[start:start + width * height]))
        at = start + width * height
    return images


def page_count(pdf: Path) -> int:
    """Return the number of pages of ``pdf`` (poppler's ``pdfinfo``)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


def correlation(first: Image.Image, second: Image.Image) -> float:
    """Return the correlation of two renders of one page, each blurred by ``BLUR`` px (cropped to their common size)."""
    width, height = min(first.width, second.width), min(first.height, second.height)
    a, b = (numpy.asarray(image.crop((0, 0, width, height)).filter(ImageFilter.GaussianBlur(BLUR)), dtype=numpy.float64)
            for image in (first, second))
    a, b = a - a.mean(), b - b.mean()
    scale = numpy.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / scale) if scale else float(numpy.array_equal(a, b))


def correlations(first: list[Image.Image], second: list[Image.Image]) -> list[float]:
    """Return the correlation of each page of two renders of one document (which must have as many pages)."""
    assert len(first) == len(second), (len(first), len(second))
    return [round(correlation(a, b), 4) for a, b in zip(first, second, strict=True)]


# Text, as each engine extracts it: one string per line, in its order.

def _lines(text: str) -> list[str]:
    """Return the lines of ``text`` (any line or page break ends one)."""
    return re.split(r"\r\n|[\n\r\f\v\x85\u2028\u2029]", text)


def poppler_lines(pdf: Path, raw: bool = False) -> list[str]:
    """Return the lines ``pdftotext`` extracts from ``pdf`` (plain, or in content order with ``raw``)."""
    command = ["pdftotext", *(["-raw"] if raw else []), "-enc", "UTF-8", str(pdf), "-"]
    return _lines(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def mupdf_lines(pdf: Path) -> list[str]:
    """Return the lines MuPDF (PyMuPDF) extracts from ``pdf``."""
    import pymupdf

    with pymupdf.open(pdf) as document:
        return [line for page in document for line in _lines(page.get_text("text"))]


def pdfium_lines(pdf: Path) -> list[str]:
    """Return the lines PDFium (pypdfium2) extracts from ``pdf``."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [line for page in document for line in _lines(page.get_textpage().get_text_range())]
    finally:
        document.close()


def pdfminer_lines(pdf: Path) -> list[str]:
    """Return the lines pdfminer extracts from ``pdf``."""
    from pdfminer.high_level import extract_text

    return _lines(extract_text(str(pdf)))


def pypdf_lines(pdf: Path) -> list[str]:
    """Return the lines pypdf extracts from ``pdf`` (through each font's ToUnicode map: what Acrobat copies)."""
    from pypdf import PdfReader

    return [line for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages for line in _lines(page.extract_text())]


EXTRACTORS = {
    "poppler": poppler_lines,
    "poppler-raw": lambda pdf: poppler_lines(pdf, raw=True),
    "mupdf": mupdf_lines,
    "pdfium": pdfium_lines,
    "pdfminer": pdfminer_lines,
    "pypdf": pypdf_lines,
}


def flat(text: str) -> str:
    """Return ``text`` compared as engines may differ: compatibility forms folded (NFKC), every whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def is_chinese(text: str) -> bool:
    """Return True when ``text`` holds a Han character."""
    return any(unicodedata.name(char, "").startswith("CJK UNIFIED") for char in text)


@cache
def printed_lines(pdf: Path) -> tuple[tuple[tuple[tuple[str, bool], ...], ...], ...]:
    """Return each page's printed lines in reading order, each as its parts: (text, artifact).

    The reference is pdfminer's character positions (through pdfplumber): the
    characters of a page whose baselines agree within a fifth of their size
    form a printed line, read left to right. A line is cut into parts where
    the gap to the next character is an em or wider, spaces counted as gap
    (a running head's left and right, a name and its title in a list, a
    signature after an ideographic space): an engine may start a new line
    there. A part is an artifact (running head, page number) when all its
    characters are marked so.
    """
    import pdfplumber

    pages = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            rows: list[list[dict]] = []
            drawn = (char for char in page.chars if char["text"].strip())
            for char in sorted(drawn, key=lambda char: (round(char["bottom"], 1), char["x0"])):
                if rows and abs(rows[-1][-1]["bottom"] - char["bottom"]) < char["size"] / 5:
                    rows[-1].append(char)
                else:
                    rows.append([char])
            lines = (_parts(sorted(row, key=lambda char: char["x0"])) for row in rows)
            pages.append(tuple(line for line in lines if line))
    return tuple(pages)


def _parts(row: list[dict]) -> tuple[tuple[str, bool], ...]:
    """Return a printed line's characters as its parts: (text, artifact), cut at gaps of an em or more."""
    parts: list[list[dict]] = [[row[0]]]
    for before, char in zip(row, row[1:], strict=False):
        if char["x0"] - before["x1"] > 0.95 * char["size"]:
            parts.append([])
        parts[-1].append(char)
    return tuple(("".join(char["text"] for char in part), all(char.get("tag") == "Artifact" for char in part))
                 for part in parts if flat("".join(char["text"] for char in part)))


def misplaced_starts(lines: list[str], pdf: Path) -> list[str]:
    """Return the lines of Chinese text in ``lines`` that do not begin where a printed line of ``pdf`` (or a part of one) begins.

    A line begins there when its first characters (up to eight, whitespace
    removed) are the first characters of a printed line from one of its parts
    on, or after its list label (``2.``: engines may put a label apart).
    """
    texts = [flat("".join(text for text, _ in line[index:]))
             for page in printed_lines(pdf) for line in page for index in range(len(line))]
    starts = {start[:8] for text in texts for start in (text, _LABEL.sub("", text))}
    prefixes = {start[:size] for start in starts for size in range(1, 9)}
    return [line for line in lines if is_chinese(line) and flat(line)[:8] not in prefixes]


def _joined(lines: list[str]) -> tuple[str, set[int]]:
    """Return ``lines`` flattened and joined, and the positions in the result where one of them ends."""
    text, ends = "", set()
    for line in lines:
        text += flat(line)
        ends.add(len(text))
    return text, ends


def content_lines(lines: list[str], pdf: Path) -> list[str]:
    """Return ``lines`` without the running heads and page numbers of ``pdf`` (its artifact lines) and empty lines."""
    artifacts = {flat(text) for page in printed_lines(pdf) for line in page for text, artifact in line if artifact}
    return [line for line in lines if flat(line) and flat(line) not in artifacts and not flat(line).isdigit()]


def body_breaks(lines: list[str], pdf: Path, body: str) -> tuple[int, list[int]]:
    """Return how often ``body`` is found in the extracted ``lines`` and where, inside it, they break off a printed line.

    Both texts are compared flattened (``flat``), running heads and page
    numbers left out: the second value lists the positions in ``body`` where
    an extracted line ends but no printed line does (empty: breaks only where
    printed lines end).
    """
    wanted = flat(body)
    text, ends = _joined(content_lines(lines, pdf))
    printed, printed_ends = _joined([text for page in printed_lines(pdf) for line in page for text, artifact in line
                                     if not artifact])
    found, at = text.count(wanted), text.find(wanted)
    where = printed.find(wanted)
    assert where >= 0, f"the reference does not find the body {body[:20]}…"
    if found == 0:
        return found, []
    inside = {end - at for end in ends if at < end < at + len(wanted)}
    allowed = {end - where for end in printed_ends if where < end < where + len(wanted)}
    return found, sorted(inside - allowed)
