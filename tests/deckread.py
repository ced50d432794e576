"""Reading a deck as LibreOffice renders it: the lines of every text box, and where they break inside a word.

The .pptx says which text is in which box (python-pptx); LibreOffice's PDF
(pdfplumber) says where each character was drawn. A character belongs to the
box whose rectangle holds its centre; a box's lines are its characters
grouped by baseline. Breaks are then counted against the box's paragraphs
with an independent word segmenter: jieba on the text converted to
simplified characters by OpenCC (one character for one, so indexes agree).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pdfplumber
from pptx import Presentation

EMU_PER_PT = 12700
HEADING_TYPES = {"TITLE", "CENTER_TITLE"}
SMALL = {"FOOTER", "SLIDE_NUMBER", "DATE"}
HAN = re.compile(r"[\u3400-\u9fff]")


def squash(text: str) -> str:
    """Return ``text`` without whitespace."""
    return "".join(text.split())


@dataclass
class RenderedBox:
    """One text box of a slide: its paragraphs (from the .pptx), whether it is a title or headline, and its lines as drawn."""

    slide: int
    name: str
    heading: bool
    paragraphs: list[str]
    lines: list[str]
    sizes: list[float]


def rendered_boxes(pptx: Path, pdf: Path) -> list[RenderedBox]:
    """Return every text box of ``pptx`` (but footers and slide numbers) with the lines LibreOffice drew in ``pdf``."""
    found = []
    with pdfplumber.open(pdf) as document:
        for number, (slide, page) in enumerate(zip(Presentation(str(pptx)).slides, document.pages, strict=True), 1):
            shapes = [shape for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text.strip()
                      and not (shape.is_placeholder and shape.placeholder_format.type.name in SMALL)]
            chars = [[] for _ in shapes]
            for char in page.chars:
                if not char["text"].strip():
                    continue
                x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
                for n, shape in enumerate(shapes):
                    left, top = shape.left / EMU_PER_PT, shape.top / EMU_PER_PT
                    if left <= x <= left + shape.width / EMU_PER_PT and top <= y <= top + shape.height / EMU_PER_PT \
                            and char["text"] in shape.text_frame.text:
                        chars[n].append(char)
                        break
            roles = layout_names(slide)
            for shape, drawn in zip(shapes, chars, strict=True):
                heading = shape.is_placeholder and (shape.placeholder_format.type.name in HEADING_TYPES
                                                    or roles.get(shape.placeholder_format.idx, "").startswith("Headline"))
                paragraphs = [p.text for p in shape.text_frame.paragraphs if p.text.strip()]
                sizes = [run.font.size.pt for p in shape.text_frame.paragraphs for run in p.runs if run.font.size]
                found.append(RenderedBox(number, shape.name, heading, paragraphs, _lines(drawn), sizes))
    return found


def layout_names(slide) -> dict[int, str]:
    """Return {placeholder idx: the name its layout gives it ("Headline 1", "Body 2"…)} of ``slide``."""
    return {shape.placeholder_format.idx: shape.name for shape in slide.slide_layout.placeholders}


def _lines(chars: list[dict]) -> list[str]:
    """Return the texts of the lines ``chars`` form: grouped by baseline (within a third of their height), left to right."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (c["bottom"], c["x0"])):
        if lines and abs(lines[-1][-1]["bottom"] - char["bottom"]) < (char["bottom"] - char["top"]) / 3:
            lines[-1].append(char)
        else:
            lines.append([char])
    return ["".join(c["text"] for c in sorted(line, key=lambda c: c["x0"])) for line in lines]


@dataclass(frozen=True)
class Break:
    """A line break inside a paragraph between two Han characters: the text either side, and whether it cuts a word."""

    slide: int
    heading: bool
    before: str
    after: str
    inside_word: bool


def han_breaks(box: RenderedBox) -> list[Break]:
    """Return every line break of ``box`` that falls inside a paragraph between two Han characters."""
    text = squash("".join(box.paragraphs)).replace("■", "")
    drawn = [squash(line).replace("■", "") for line in box.lines]
    ends, index = set(), 0
    for paragraph in box.paragraphs:
        index += len(squash(paragraph))
        ends.add(index)
    found, index = [], 0
    for line in drawn[:-1]:
        if text[index:index + len(line)] != line:  # a line that is not the next run of the text: stop reading this box
            return found
        index += len(line)
        if index in ends or not (HAN.match(text[index - 1]) and HAN.match(text[index:index + 1] or "a")):
            continue
        start = max(end for end in (0, *ends) if end < index)
        stop = min(end for end in ends if end >= index)
        paragraph = text[start:stop]
        found.append(Break(box.slide, box.heading, text[max(start, index - 6):index], text[index:min(stop, index + 6)],
                           index - start not in word_ends(paragraph)))
    return found


JIEBA_CACHE = Path(__file__).resolve().parent.parent / ".cache" / "jieba"


@cache
def word_ends(text: str) -> frozenset[int]:
    """Return the indexes at which jieba (on OpenCC-simplified ``text``) ends a word."""
    import jieba
    from opencc import OpenCC

    jieba.setLogLevel(logging.WARNING)
    # jieba keeps its parsed dictionary in the temporary folder unless told otherwise:
    # keep it in the checkout's .cache (as axe-core), so a test run leaves nothing in TMPDIR.
    JIEBA_CACHE.mkdir(parents=True, exist_ok=True)
    jieba.dt.tmp_dir = str(JIEBA_CACHE)
    simplified = OpenCC("t2s").convert(text)
    assert len(simplified) == len(text)
    ends, index = set(), 0
    for word in jieba.cut(simplified, HMM=False):
        index += len(word)
        ends.add(index)
    return frozenset(ends)


POINT_LAYOUTS = {"Statement", "Two Columns", "Three Columns", "Topic"}


@dataclass(frozen=True)
class Fill:
    """How a slide that shows points uses the band from 22 % to 90 % of its height (shares of the band's height)."""

    slide: int
    covered: float  # the union of the rendered glyph boxes' vertical extents in the band
    imbalance: float  # |space above the text − space below it|, the title's glyphs left out

    def composed(self, least: float = 0.40, most_imbalance: float = 0.15) -> bool:
        """Return True when the text covers at least ``least`` of the band or sits balanced in it."""
        return self.covered >= least or self.imbalance <= most_imbalance


def fills(pptx: Path, pdf: Path) -> list[Fill]:
    """Return the Fill of every slide of ``pptx`` that shows points, read from LibreOffice's ``pdf``."""
    found = []
    with pdfplumber.open(pdf) as document:
        for number, (slide, page) in enumerate(zip(Presentation(str(pptx)).slides, document.pages, strict=True), 1):
            if slide.slide_layout.name not in POINT_LAYOUTS:
                continue
            low, high = 0.22 * page.height, 0.90 * page.height
            chars = [c for c in page.chars if c["text"].strip() and c["bottom"] > low and c["top"] < high]
            spans = sorted((max(c["top"], low), min(c["bottom"], high)) for c in chars)
            covered, end = 0.0, low
            for top, bottom in spans:
                if bottom > end:
                    covered += bottom - max(top, end)
                    end = bottom
            inner = [c for c in chars if c["top"] >= low] or chars
            above = min(c["top"] for c in inner) - low
            below = high - max(c["bottom"] for c in inner)
            found.append(Fill(number, covered / (high - low), abs(above - below) / (high - low)))
    return found
