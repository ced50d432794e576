"""The brief reflows to the theme's page: A5, US letter and a custom 120 × 170 mm page, every character inside it.

The same checks as the A4 brief's (tests/test_print_ready.py, tests/test_long_strings.py):
no text within 10 mm of a trim edge, nothing past the side margins, and the whole
text of the report on the pages — here on pages of other sizes, named in any case.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pdfplumber
import pytest
import yaml

from policybrief.compose.theme import to_mm

from .conftest import CONTENT, ROOT, run_cli, to_pdf
from .pdfread import MM, characters, page_size, squash

CLEAR = 10 * MM

SIZES = {
    # theme value: (width, height) in mm
    "a5": (148, 210),
    "Letter": (215.9, 279.4),
    "120mm 170mm": (120, 170),
}


@pytest.fixture(scope="module", params=list(SIZES))
def brief(request, tmp_path_factory):
    """Return (the theme's page size, the PDF of 107005 built on it)."""
    folder = tmp_path_factory.mktemp("page")
    (folder / "tpl").mkdir()
    (folder / "tpl" / "theme.yaml").write_text(f"brief:\n  page:\n    size: {request.param}\n", encoding="utf-8")
    result = run_cli("pdf", str(CONTENT), "--templates", "tpl", "-o", "out", cwd=folder)
    assert result.returncode == 0, result.stderr
    return request.param, folder / "out" / "107005.pdf"


def test_the_page_has_the_theme_size(brief):
    size, pdf = brief
    width, height = page_size(pdf)
    assert (round(width / MM, 1), round(height / MM, 1)) == pytest.approx(SIZES[size], abs=0.2)


def test_no_text_within_10_mm_of_a_page_edge(brief):
    _, pdf = brief
    width, height = page_size(pdf)
    close = [(number, char["text"]) for number, page in enumerate(characters(pdf), start=1) for char in page
             if char["text"].strip() and min(char["x0"], char["top"], width - char["x1"], height - char["bottom"]) < CLEAR]
    assert close == []


def test_every_character_lies_between_the_side_margins(brief):
    """The margins shrink on a small page; the narrower of the two is the limit on either side (they are mirrored)."""
    from policybrief.compose.theme import load_theme

    size, pdf = brief
    width, _ = page_size(pdf)
    theme_file = pdf.parent.parent / "tpl"
    from policybrief.compose.environment import builtin_templates

    page = load_theme([theme_file, builtin_templates()]).brief.page
    margins = page.margins()
    side = min(to_mm(margins["inner"]), to_mm(margins["outer"]), to_mm(page.scaled(25, "width"))) * MM  # back cover: 25 mm on A4
    outside = [(number, char["text"], round(char["x0"] / MM, 1), round(char["x1"] / MM, 1))
               for number, page in enumerate(characters(pdf), start=1) if number > 1  # the cover band is full width
               for char in page if char["text"].strip() and (char["x0"] < side - 0.5 or char["x1"] > width - side + 0.5)]
    assert outside == []


def test_every_headline_and_body_is_on_the_pages(brief):
    _, pdf = brief
    # Running heads and page numbers (artifacts) left out: a body may run on over a page break.
    text = squash("".join(char["text"] for page in characters(pdf) for char in page if char["tag"] != "Artifact"))
    report = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    for section in report["sections"]:
        for topic in section["topics"]:
            for point in topic["points"]:
                assert squash(point["headline"]) in text
                assert squash(point["body"]) in text


@pytest.mark.parametrize(("size", "words"), [
    ("A7", "expected a page size such as"),
    ("100mm 148mm", "'100mm 148mm' is 100 × 148 mm, smaller than the 105 × 148 mm (A6)"),
    ("A4 sideways", "expected a page size such as"),
    ("17cm", "expected a page size such as"),
])
def test_a_page_too_small_or_unknown_is_refused_at_the_theme_line(tmp_path, size, words):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "theme.yaml").write_text(f"brief:\n  page:\n    size: {size}\n", encoding="utf-8")
    result = run_cli("check", str(CONTENT), "--templates", "tpl", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("tpl/theme.yaml:3: brief.page.size: ") and words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- a 4:3 master gives a 4:3 deck fitted to it -------------------------------------------------

CORPORATE = ROOT / "examples" / "corporate"


@pytest.fixture(scope="module")
def corporate_deck(tmp_path_factory):
    """Return (the deck of 107005 on the sample corporate 4:3 master, LibreOffice's PDF of it)."""
    folder = tmp_path_factory.mktemp("corporate")
    result = run_cli("slides", str(CONTENT), "--templates", str(CORPORATE), "-o", "out", cwd=folder)
    assert result.returncode == 0, result.stderr
    pptx = folder / "out" / "107005.pptx"
    return pptx, to_pdf(pptx, folder)


def test_a_4_3_master_gives_a_4_3_deck(corporate_deck):
    from pptx import Presentation

    pptx, _ = corporate_deck
    deck = Presentation(str(pptx))
    master = Presentation(str(CORPORATE / "deck" / "corporate.pptx"))
    assert (deck.slide_width, deck.slide_height) == (master.slide_width, master.slide_height) == (9144000, 6858000)
    assert {layout.name for layout in master.slide_layouts} >= {"封面", "議程", "章節", "內容", "結語"}


def test_the_4_3_deck_renders_inside_every_box(corporate_deck):
    from .test_deck_render import overflowing, too_small

    pptx, rendered = corporate_deck
    with pdfplumber.open(rendered) as pdf:
        page = pdf.pages[0]
        assert round(page.width / page.height, 3) == round(4 / 3, 3)
    assert overflowing(pptx, rendered) == []
    assert too_small(pptx) == []


def test_the_sample_corporate_master_is_made_by_make_master(tmp_path):
    """scripts/make-master --design writes the shipped sample byte for byte (its own names, colours and 4:3)."""
    shutil.copy(CORPORATE / "master-design.yaml", tmp_path)
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "make-master"), "--design", str(tmp_path / "master-design.yaml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "deck" / "corporate.pptx").read_bytes() == (CORPORATE / "deck" / "corporate.pptx").read_bytes()
