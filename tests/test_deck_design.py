"""The deck looks designed for every report of the corpus, as LibreOffice renders it: lines broken between words,
a type scale, short material composed, structure slides that hold their material.

Every corpus report (tests/conftest.py ``corpus``: 107005, the imported second
report and tests/data/corpus/*.yaml) is built and rendered once per session;
the tests read the rendering with pdfplumber (tests/deckread.py).
"""

from __future__ import annotations

import pytest

from .deckread import han_breaks, rendered_boxes

INSIDE_WORD_SHARE = 0.20


def corpus_names() -> list[str]:
    """Return the names of the corpus reports (those present in tests/data/corpus, and the two always there)."""
    from .conftest import CORPUS

    return ["107005", "second", *(path.stem for path in sorted(CORPUS.glob("*.yaml")))]


@pytest.fixture(scope="module")
def boxes(corpus):
    """Return {name: the rendered text boxes of its deck}."""
    return {name: rendered_boxes(deck, pdf) for name, (_, deck, pdf) in corpus.items()}


# --- line breaks ------------------------------------------------------------------------


def test_budoux_alone_splits_a_name_that_the_phrases_keep_whole():
    import budoux

    from policybrief.typography.phrases import boundaries

    text = "每年替金正恩政權賺取5~6億美元外匯"
    split = budoux.load_default_traditional_chinese_parser().parse(text)
    assert "金" in split or any(phrase.endswith("金") for phrase in split), split  # measured: 替金/正恩
    start = text.index("金正恩")
    assert not boundaries(text) & {start + 1, start + 2}


@pytest.mark.parametrize(("text", "terms", "whole"), [
    ("北韓政府對於這些派遣勞工嚴格管理", frozenset(), "北韓"),
    ("南韓謹守「瓶蓋理論」，利用美國牽制周邊大國", frozenset({"瓶蓋理論"}), "瓶蓋理論"),
    ("本會中共外交研究小組召集人張登及綜整", frozenset({"張登及"}), "張登及"),
    ("「川金會」後朝鮮半島情勢發展對美「中」戰略布局之影響", frozenset(), "朝鮮半島"),
])
def test_protected_terms_are_never_cut(text, terms, whole):
    from policybrief.typography.phrases import boundaries

    start = text.index(whole)
    assert not boundaries(text, terms) & set(range(start + 1, start + len(whole)))


@pytest.mark.parametrize("name", corpus_names())
def test_slide_lines_break_between_words(boxes, name):
    breaks = [found for box in boxes[name] for found in han_breaks(box)]
    body = [found for found in breaks if not found.heading]
    inside = [f"{b.slide}: {b.before}/{b.after}" for b in body if b.inside_word]
    assert body, "no line of a paragraph broke between two Han characters: nothing was checked"
    assert len(inside) <= INSIDE_WORD_SHARE * len(body), (len(inside), len(body), inside)
    headings = [f"{b.slide}: {b.before}/{b.after}" for b in breaks if b.heading and b.inside_word]
    assert headings == []


@pytest.mark.parametrize("name", corpus_names())
def test_every_rendered_line_is_the_next_run_of_its_box(boxes, name):
    from .deckread import squash

    for box in boxes[name]:
        drawn = squash("".join(box.lines)).replace("■", "")
        assert drawn == squash("".join(box.paragraphs)).replace("■", ""), (box.slide, box.name, box.lines)


def test_balanced_titles_break_between_phrases(report):
    from policybrief.compose.context import template_context
    from policybrief.compose.environment import search_path
    from policybrief.compose.theme import load_theme
    from policybrief.typography.phrases import boundaries

    context = template_context(report, load_theme(search_path()))
    lines = context["title_lines"]
    assert len(lines) == 2 and "".join(lines) == report.title
    assert len(lines[0]) in boundaries(report.title, context["terms"])
    assert {"張登及", "川金會", "朝鮮半島"} <= context["terms"]
