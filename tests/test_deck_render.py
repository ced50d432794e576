"""The deck as a real client renders it: LibreOffice → PDF, read back with pdfplumber.

Every character LibreOffice lays out must lie inside the placeholder that holds
its text (boxes from the .pptx, EMU → pt), one PDF page per slide, and no
slide text is set below the minimum size. A stress content with a long title
and a topic of 12 long headlines must continue on （續） slides that pass the
same check.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pptx import Presentation

from policybrief.compose.environment import search_path
from policybrief.compose.theme import load_theme

from .conftest import CONTENT, run_cli, to_pdf

EMU_PER_PT = 12700
TOLERANCE_PT = 0.5  # rounding in the PDF; a real overflow is a whole line or glyph (> 10 pt)
SMALL_ROLES = {"ftr", "sldNum"}
BULLETS = "■•"  # bullet glyphs the master draws; not part of the text  # footer and slide number keep their own small size


def pdf_chars(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Return per page every character pdfplumber reads, with its em box (x0, top, x1, bottom) in pt."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return [[(c["text"], c["x0"], c["top"], c["x1"], c["bottom"]) for c in page.chars if c["text"].strip()]
                for page in document.pages]


def text_boxes(slide) -> list[tuple[str, float, float, float, float]]:
    """Return (squashed text, left, top, right, bottom in pt) of every text shape on ``slide``."""
    boxes = []
    for shape in slide.shapes:
        if shape.has_text_frame and shape.text_frame.text.strip():
            left, top = shape.left / EMU_PER_PT, shape.top / EMU_PER_PT
            boxes.append(("".join(shape.text_frame.text.split()), left, top,
                          left + shape.width / EMU_PER_PT, top + shape.height / EMU_PER_PT))
    return boxes


def overflowing(pptx: Path, rendered: Path) -> list[str]:
    """Return a description of every character of ``rendered`` (LibreOffice's PDF of ``pptx``) outside its text box.

    Assert one page per slide.
    """
    deck = Presentation(str(pptx))
    pages = pdf_chars(rendered)
    assert len(pages) == len(deck.slides)
    problems = []
    for number, (slide, words) in enumerate(zip(deck.slides, pages, strict=True), start=1):
        boxes = text_boxes(slide)
        assert words, f"slide {number} rendered no text"
        for text, x0, y0, x1, y1 in words:
            owners = [b for b in boxes if text.strip(BULLETS) in b[0]]  # a bullet glyph alone: any box
            assert owners, f"slide {number}: rendered {text!r} belongs to no text box"
            if not any(b[1] - TOLERANCE_PT <= x0 and x1 <= b[3] + TOLERANCE_PT and b[2] - TOLERANCE_PT <= y0
                       and y1 <= b[4] + TOLERANCE_PT for b in owners):
                problems.append(f"slide {number}: {text!r} at ({x0:.0f},{y0:.0f})–({x1:.0f},{y1:.0f}) outside {owners[0][1:]}")
    return problems

MIN_PT = load_theme(search_path()).deck.min_body_size


def too_small(pptx: Path) -> list[str]:
    """Return every run (outside footer/slide number) set below MIN_PT or without an explicit size."""
    problems = []
    for number, slide in enumerate(Presentation(str(pptx)).slides, start=1):
        for shape in slide.placeholders:
            if shape.element.ph.get("type") in SMALL_ROLES:
                continue
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    if run.font.size is None or run.font.size.pt < MIN_PT:
                        problems.append(f"slide {number}: {run.text[:20]!r} at {run.font.size}")
    return problems


def test_107005_renders_inside_every_box_one_page_per_slide(built, built_deck_pdf):
    assert overflowing(built / "107005.pptx", built_deck_pdf) == []


def test_107005_has_no_text_below_the_minimum_size(built):
    assert too_small(built / "107005.pptx") == []


@pytest.fixture(scope="module")
def stress(tmp_path_factory) -> tuple[Path, str]:
    """Return (deck, CLI output) of a content with a 60-character title and a topic of 12 long headlines."""
    folder = tmp_path_factory.mktemp("stress")
    data = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    data["title"] = ("「川金會」後朝鮮半島情勢發展對美「中」戰略布局及印太區域安全架構與兩岸關係之影響評估"
                     "暨我國因應策略建議與具體執行路徑之研析")[:60]
    assert len(data["title"]) == 60
    data["sections"][0]["topics"][0]["heading"] = "金正恩時期以「發展核武」為談判籌碼並藉由美朝峰會與中共經援換取政權安全保障"
    data["sections"][0]["topics"][0]["points"] = [
        {"headline": f"第{n}項：北韓靠與中共經貿往來及輸出勞工挺過國際制裁，並藉 Singapore summit 爭取 sanctions relief 與時間",
         "body": f"第{n}項的說明。"}
        for n in range(1, 13)
    ]
    content = folder / "stress.yaml"
    content.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli("slides", str(content), "--out", str(folder))
    assert result.returncode == 0, result.stderr
    return folder / "stress.pptx", result.stdout


def test_stress_topic_continues_on_marked_slides(stress):
    pptx, output = stress
    match = re.search(r"continued: 壹、一 → (\d+) slides", output)
    assert match and int(match[1]) >= 3, output
    # Titles on two lines carry a line break (balanced lines): compare them without it.
    titles = ["".join(s.shapes.title.text_frame.text.split()) for s in Presentation(str(pptx)).slides if s.shapes.title is not None]
    first = next(t for t in titles if t.startswith("一、金正恩時期"))
    assert titles.count(f"{first}（續）") == int(match[1]) - 1
    bullets = [p.text for s in Presentation(str(pptx)).slides for sh in s.placeholders
               if sh.placeholder_format.idx == 1 for p in sh.text_frame.paragraphs]
    assert sum(b.startswith("第") and "sanctions relief" in b for b in bullets) == 12


def test_stress_deck_renders_inside_every_box(stress, tmp_path):
    pptx, _ = stress
    assert overflowing(pptx, to_pdf(pptx, tmp_path)) == []
    assert too_small(pptx) == []
