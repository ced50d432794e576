"""The brief reads alike in every reader: the same pages in poppler and Ghostscript, the same text in six extractors.

Four briefs: 107005, the imported second report (Latin acronyms, numbers,
web addresses), the archival ``pdf/a-3a`` variant and a theme with print
marks; and the deck's PDF for the pages. Engines and the reference for
"a printed line" are in tests/engines.py.
"""

from __future__ import annotations

import html
import io
import re

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from policybrief import api
from policybrief.brief.html import font_families
from policybrief.brief.pdf import write_pdf
from policybrief.compose.environment import search_path
from policybrief.compose.theme import load_theme
from policybrief.load.content import load_report
from policybrief.typography import cff, rules

from . import engines
from .conftest import CONTENT, ROOT, made_once, run_cli

SAME_PAGE = 0.97  # Ghostscript against poppler, per page; a page of boxes scores about 0.76
BRIEFS = ["107005", "second", "pdf/a-3a", "print marks"]


@pytest.fixture(scope="module", params=BRIEFS)
def brief(request):
    """Return (PDF, content file) of each brief read back here."""
    if request.param == "second":
        content, pdf = request.getfixturevalue("second_built")
        return pdf, content
    if request.param == "107005":
        return request.getfixturevalue("built") / "107005.pdf", CONTENT
    # The archival and print-marks PDFs are the session's shared variant builds (conftest.variant_builds).
    pdf = request.getfixturevalue("variant_builds")[{"pdf/a-3a": "107005-a3a", "print marks": "print"}[request.param]]
    return pdf, CONTENT


def point_bodies(content) -> list[str]:
    """Return the body of every point of ``content``, in order."""
    report = load_report(content, load_theme(search_path()).font_roles())
    return [point.body for section in report.sections for topic in section.topics for point in topic.points]


# Pages: Ghostscript draws what poppler draws.

def bleed_boxes(pdf) -> list[tuple[int, int, int, int] | None]:
    """Return each page's bleed box in pixels of a render at ``engines.DPI`` (None when the page has none)."""
    boxes = []
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            if "/BleedBox" not in page.obj:
                boxes.append(None)
                continue
            media, bleed = ([float(value) for value in page.obj[key]] for key in ("/MediaBox", "/BleedBox"))
            scale = engines.DPI / 72
            boxes.append((round((bleed[0] - media[0]) * scale), round((media[3] - bleed[3]) * scale),
                          round((bleed[2] - media[0]) * scale), round((media[3] - bleed[1]) * scale)))
    return boxes


def ghostscript_scores(pdf) -> list[float]:
    """Return how well each page Ghostscript draws of ``pdf`` correlates with poppler's drawing of it.

    Crop marks lie outside the bleed box. Ghostscript leaves them out when it
    anti-aliases graphics (WeasyPrint strokes them in a transparency group
    with fill opacity 0), so a blank page of marks would compare white with
    marks; without anti-aliasing, as a printer's RIP draws, they are there.
    Compared: what is printed and trimmed.
    """
    poppler, ghostscript = engines.poppler_pages(pdf), engines.ghostscript_pages(pdf)
    for index, box in enumerate(bleed_boxes(pdf)):
        if box is not None:
            poppler[index], ghostscript[index] = poppler[index].crop(box), ghostscript[index].crop(box)
    return engines.correlations(ghostscript, poppler)


def test_ghostscript_draws_every_page_as_poppler_does(brief):
    scores = ghostscript_scores(brief[0])
    assert min(scores) >= SAME_PAGE, scores


def test_ghostscript_draws_the_decks_pdf_as_poppler_does(tmp_path_factory):
    def make(folder):
        result = run_cli("slides", str(CONTENT), "--pdf", "--out", str(folder))
        assert result.returncode == 0, result.stderr

    pdf = made_once(tmp_path_factory, "readers-deck", make) / "107005-slides.pdf"
    scores = engines.correlations(engines.ghostscript_pages(pdf), engines.poppler_pages(pdf))
    assert min(scores) >= SAME_PAGE, scores


# Fonts: every code on a page names the glyph drawn for it.

def fonts_and_codes(pdf) -> dict[str, tuple[TTFont, set[int]]]:
    """Return, by name, each embedded CID-keyed font of ``pdf`` read back with fontTools and the codes its pages show."""
    found: dict[str, tuple[TTFont, set[int]]] = {}
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            _collect(page.obj, page.obj.get("/Resources", pikepdf.Dictionary()), found)
    return found


def _collect(stream, resources, found: dict) -> None:
    """Add the CID-font codes shown by content ``stream`` (and the forms it draws) to ``found``."""
    fonts, forms = resources.get("/Font", {}), resources.get("/XObject", {})
    current = None
    for operands, operator in pikepdf.parse_content_stream(stream):
        name = str(operator)
        if name == "Tf":
            current = _font(fonts[operands[0]], found)
        elif name in ("Tj", "TJ", "'", '"') and current is not None:
            strings = operands[-1] if name == "TJ" else [operands[-1]]
            for item in strings:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    current.update(int.from_bytes(data[at:at + 2], "big") for at in range(0, len(data), 2))
        elif name == "Do" and forms.get(operands[0], {}).get("/Subtype") == "/Form":
            form = forms[operands[0]]
            _collect(form, form.get("/Resources", resources), found)


def _font(font, found: dict) -> set[int] | None:
    """Return the set collecting the codes of ``font`` (a Type0 font over a CIDFontType0), or None for another kind."""
    if font.get("/Subtype") != "/Type0":
        return None
    descendant = font.DescendantFonts[0]
    if descendant.Subtype != "/CIDFontType0":
        return None
    name = str(font.BaseFont)
    if name not in found:
        program = descendant.FontDescriptor.FontFile3
        assert program.Subtype == "/OpenType"
        found[name] = (TTFont(io.BytesIO(program.read_bytes())), set())
    return found[name][1]


def wrong_cids(font: TTFont, codes: set[int]) -> list[tuple[int, str]]:
    """Return (glyph number, charset name) for every glyph of ``font`` whose CID is not its number, and every code beyond them."""
    charset = font["CFF "].cff.topDictIndex[0].charset
    wrong = [(index, name) for index, name in enumerate(charset) if index and name != f"cid{index:05d}"]
    return wrong + [(code, "missing") for code in codes if code >= len(charset)]


def test_embedded_cid_fonts_map_every_code_to_its_glyph(brief):
    pdf, _ = brief
    found = fonts_and_codes(pdf)
    assert len(found) == 2  # the body serif and the heading sans, both subsets
    for name, (font, codes) in found.items():
        assert hasattr(font["CFF "].cff.topDictIndex[0], "ROS"), name  # CID-keyed
        assert codes and wrong_cids(font, codes) == [], name


@pytest.fixture(scope="module")
def unfinished(tmp_path_factory):
    """Return 107005's PDF made as before ``cff.finish``: HarfBuzz's cuts as they are, brackets moved by ``halt``."""
    folder = tmp_path_factory.mktemp("unfinished")
    folders = api.template_folders([])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cff, "finish", lambda data: data)
        data, _ = write_pdf(api.brief_html(CONTENT), folders, folders[-1], families=font_families(load_theme(folders)),
                            font_dir=folder / "fonts")
    (folder / "107005.pdf").write_bytes(data)
    return folder / "107005.pdf"


def test_every_check_fails_on_the_brief_made_before_subsets_were_finished(unfinished):
    assert min(ghostscript_scores(unfinished)) < 0.9  # boxes for every Chinese character
    assert any(wrong_cids(font, codes) for font, codes in fonts_and_codes(unfinished).values())
    lines = engines.EXTRACTORS["poppler-raw"](unfinished)
    assert engines.misplaced_starts(lines, unfinished)  # lines cut at 」、「
    assert any(engines.body_breaks(lines, unfinished, body)[1] for body in point_bodies(CONTENT))
    assert overlaps(unfinished)


# Text: every engine reads whole printed lines and every point once.

@pytest.mark.parametrize("engine", sorted(engines.EXTRACTORS))
def test_every_extracted_chinese_line_begins_where_a_printed_line_begins(brief, engine):
    pdf, _ = brief
    assert engines.misplaced_starts(engines.EXTRACTORS[engine](pdf), pdf) == []


@pytest.mark.parametrize("engine", sorted(engines.EXTRACTORS))
def test_every_point_body_is_read_once_broken_only_where_printed_lines_end(brief, engine):
    pdf, content = brief
    lines = engines.EXTRACTORS[engine](pdf)
    found = {body[:12]: engines.body_breaks(lines, pdf, body) for body in point_bodies(content)}
    assert {start: result for start, result in found.items() if result != (1, [])} == {}


# Compressed punctuation: glyphs half an em wide of their own.

def test_compressed_brackets_are_half_width_glyphs_that_copy_as_themselves(built):
    pdf = built / "107005.pdf"
    halves = re.findall(r'<span class="half">(.*?)</span>', api.brief_html(CONTENT))
    wanted = sorted("".join(html.unescape(run) for run in halves))
    assert len(wanted) >= 30
    chars = [char for page in drawn_chars(pdf) for char in page]
    narrow = sorted(char["text"] for char in chars if char["text"] in rules.HALF_CLOSING | rules.HALF_OPENING
                    and char["x1"] - char["x0"] < 0.55 * char["size"])
    assert narrow == wanted  # /W 500, and the ToUnicode map gives the bracket itself


def drawn_chars(pdf) -> list[list[dict]]:
    """Return each page's drawn characters (pdfplumber), in the order of the printed lines."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return [[{key: char[key] for key in ("text", "x0", "x1", "bottom", "size")} for char in page.chars if char["text"].strip()]
                for page in document.pages]


def overlaps(pdf) -> list[tuple[int, str]]:
    """Return (page, the two characters) wherever a Chinese glyph box overlaps its neighbour's by over 0.05 em.

    A compressed bracket set with ``halt`` overlapped its neighbour by half an
    em (poppler then started a new line there). What remains allowed: a
    justified line tightened by its letter-spacing (justify.TIGHT, 0.03 em)
    and Latin pairs the font kerns (w. Yo: up to 0.1 em).
    """
    found = []
    for number, page in enumerate(drawn_chars(pdf), start=1):
        for before, char in zip(page, page[1:], strict=False):
            same_line = abs(before["bottom"] - char["bottom"]) < char["size"] / 5
            chinese = not (before["text"].isascii() or char["text"].isascii())
            if same_line and chinese and char["x1"] > before["x0"] and before["x1"] - char["x0"] > 0.05 * char["size"]:
                found.append((number, before["text"] + char["text"]))
    return found


def test_no_chinese_glyph_box_overlaps_its_neighbour(brief):
    assert overlaps(brief[0]) == []


def test_policybrief_never_imports_pymupdf():
    # PyMuPDF is AGPL: a test-only reader, never a dependency of the package.
    sources = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "policybrief").rglob("*.py"))
    assert not re.search(r"^\s*(import|from)\s+(pymupdf|fitz)\b", sources, re.M)


# The web edition inlines the same finished subsets (as WOFF): Chromium draws it as before.

def web_edition(font_dir) -> str:
    """Return 107005's web edition, its fonts cut into ``font_dir``."""
    from policybrief.compose.context import template_context
    from policybrief.compose.environment import make_environment
    from policybrief.web.page import render_web

    folders = api.template_folders([])
    theme = load_theme(folders)
    context = template_context(load_report(CONTENT, theme.font_roles()), theme)
    return render_web(make_environment(folders), context, folders, font_dir)


def full_page(driver, page) -> tuple[Image.Image, list[float]]:
    """Return Chromium's picture of the whole of ``page`` (gray) and the top of every element in it."""
    import time

    driver.set_window_size(1280, 900)
    driver.get(page.as_uri())
    driver.execute_script("return document.fonts.ready")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, height + 200)  # tall enough for the page: no scrolling, no smooth-scroll timing
    time.sleep(0.5)
    tops = driver.execute_script("return Array.from(document.querySelectorAll('body *'), e => e.getBoundingClientRect().top)")
    return Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("L"), tops


def test_chromium_draws_the_web_edition_as_before_the_subsets_were_finished(monkeypatch, tmp_path):
    from .browser import chromium

    (tmp_path / "after.html").write_text(web_edition(tmp_path / "fonts-after"), encoding="utf-8")
    monkeypatch.setattr(cff, "finish", lambda data: data)
    (tmp_path / "before.html").write_text(web_edition(tmp_path / "fonts-before"), encoding="utf-8")
    driver = chromium()
    try:
        (after, after_tops), (before, before_tops) = (full_page(driver, tmp_path / f"{name}.html") for name in ("after", "before"))
    finally:
        driver.quit()
    assert after_tops == before_tops  # every element where it was: no line broke otherwise
    assert engines.correlation(after, before) >= 0.99
