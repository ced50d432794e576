"""Reading a built brief back with real PDF readers: characters with their structure elements, lines of paragraphs, text.

pdfplumber gives every character its marked-content id (``mcid``) or the
``Artifact`` tag; pikepdf reads the structure tree's parent tree, which maps
each (page, mcid) to its structure element. Together they say which
paragraph each character on the page belongs to.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pdfplumber
import pikepdf

BODY_SIZE = 11.0  # pt, theme.yaml brief.body_size
MEASURE = 41 * BODY_SIZE  # pt, theme.yaml brief.measure (ems)
MM = 72 / 25.4


def squash(text: str) -> str:
    """Return ``text`` without whitespace."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Line:
    """One line of a paragraph as drawn: page (from 0), left and right edge, text."""

    page: int
    left: float
    right: float
    text: str
    final: bool  # the paragraph's last line


@cache
def parent_tree(pdf: Path) -> dict[tuple[int, int], tuple[tuple[int, int], str]]:
    """Return (page, mcid) → (object id, structure type) of the element holding that content.

    Content in a ``Span`` (a Latin phrase marked English) counts for the
    element around the span: a paragraph's lines include their English words.
    """
    found = {}
    with pikepdf.open(pdf) as document:
        nums = document.Root.StructTreeRoot.ParentTree.Nums
        pages = len(document.pages)
        for index in range(0, len(nums), 2):
            key, value = int(nums[index]), nums[index + 1]
            if key < pages and isinstance(value, pikepdf.Array):
                for mcid, element in enumerate(value):
                    while element.S == "/Span" and "/P" in element:
                        element = element.P
                    found[key, mcid] = (element.objgen, str(element.S))
    return found


@cache
def characters(pdf: Path) -> list[list[dict]]:
    """Return each page's characters as pdfplumber reads them (with ``mcid`` and ``tag``)."""
    with pdfplumber.open(pdf) as document:
        return [[{key: char.get(key) for key in ("text", "x0", "x1", "top", "bottom", "size", "fontname", "mcid", "tag")}
                 for char in page.chars] for page in document.pages]


def page_size(pdf: Path) -> tuple[float, float]:
    """Return the first page's width and height in points."""
    with pdfplumber.open(pdf) as document:
        return float(document.pages[0].width), float(document.pages[0].height)


def body_paragraph_lines(pdf: Path) -> list[list[Line]]:
    """Return the lines of every body-text paragraph (a ``P`` set in the body face at body size), in order."""
    tree = parent_tree(pdf)
    paragraphs: dict[tuple[int, int], list[tuple[int, dict]]] = {}
    for number, page in enumerate(characters(pdf)):
        for char in page:
            if char["mcid"] is None or not char["text"].strip():
                continue
            element, kind = tree.get((number, char["mcid"]), (None, None))
            if kind == "/P" and "Serif" in char["fontname"] and abs(char["size"] - BODY_SIZE) < 0.05:
                paragraphs.setdefault(element, []).append((number, char))
    found = []
    for chars in paragraphs.values():
        rows: dict[tuple[int, int], list[dict]] = {}
        for number, char in chars:
            rows.setdefault((number, round(char["top"])), []).append(char)
        keys = sorted(rows)
        found.append([Line(key[0], min(c["x0"] for c in rows[key]), max(c["x1"] for c in rows[key]),
                           "".join(c["text"] for c in sorted(rows[key], key=lambda c: c["x0"])), key == keys[-1])
                      for key in keys])
    return [lines for lines in found if len(lines) > 1 or lines[0].text]


def pdfminer_text(pdf: Path) -> str:
    """Return the text pdfminer extracts with its default layout analysis."""
    from pdfminer.high_level import extract_text

    return extract_text(str(pdf))


def pypdf_text(pdf: Path) -> str:
    """Return the text pypdf extracts (through each font's ToUnicode map, as Acrobat copies it)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def poppler_text(pdf: Path) -> str:
    """Return the text poppler's pdftotext extracts."""
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
