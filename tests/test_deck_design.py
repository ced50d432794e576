"""The deck looks designed for every report of the corpus, as LibreOffice renders it: lines broken between words,
a type scale, short material composed, structure slides that hold their material.

Every corpus report (tests/conftest.py ``corpus``: 107005, the imported second
report and tests/data/corpus/*.yaml) is built and rendered once per session;
the tests read the rendering with pdfplumber (tests/deckread.py).
"""

from __future__ import annotations

import pytest

from .deckread import han_breaks, layout_names, rendered_boxes

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


FEW_BREAKS = 10  # a report with fewer body breaks than this is judged with the whole corpus (one jieba slip is 33 % of 3)


@pytest.mark.parametrize("name", corpus_names())
def test_slide_lines_break_between_words(boxes, name):
    breaks = [found for box in boxes[name] for found in han_breaks(box)]
    body = [found for found in breaks if not found.heading]
    inside = [f"{b.slide}: {b.before}/{b.after}" for b in body if b.inside_word]
    if len(body) >= FEW_BREAKS:
        assert len(inside) <= INSIDE_WORD_SHARE * len(body), (len(inside), len(body), inside)
    headings = [f"{b.slide}: {b.before}/{b.after}" for b in breaks if b.heading and b.inside_word]
    assert headings == []


def test_slide_lines_break_between_words_across_the_corpus(boxes):
    body = [found for name in boxes for box in boxes[name] for found in han_breaks(box) if not found.heading]
    inside = [f"{b.slide}: {b.before}/{b.after}" for b in body if b.inside_word]
    assert len(body) >= 100, "too few line breaks between Han characters to judge"
    assert len(inside) <= INSIDE_WORD_SHARE * len(body), (len(inside), len(body), inside)


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


# --- the type scale ---------------------------------------------------------------------

POINT_LAYOUTS = {"Statement", "Two Columns", "Three Columns", "Topic"}


def body_sizes(deck) -> list[tuple[int, str, str, set[float]]]:
    """Return (slide number, layout, title, body sizes) of every slide of ``deck`` that shows points."""
    from pptx import Presentation

    found = []
    for number, slide in enumerate(Presentation(str(deck)).slides, start=1):
        if slide.slide_layout.name not in POINT_LAYOUTS:
            continue
        sizes = set()
        roles = layout_names(slide)
        for shape in slide.placeholders:
            if roles.get(shape.placeholder_format.idx, "").startswith("Body"):
                levels = [(p.level, run.font.size.pt) for p in shape.text_frame.paragraphs for run in p.runs]
                # A list's body is its second level; a slot's body box holds only body text.
                lists = roles[shape.placeholder_format.idx] == "Body"
                sizes |= {size for level, size in levels if level == 1 or not lists}
        found.append((number, slide.slide_layout.name, slide.shapes.title.text_frame.text, sizes))
    return found


@pytest.mark.parametrize("name", corpus_names())
def test_body_text_keeps_to_the_type_scale(corpus, name):
    found = body_sizes(corpus[name][1])
    every = set().union(*(sizes for *_, sizes in found))
    assert every and min(every) >= 18, found
    assert len(every) <= 4, sorted(every)
    for layout in POINT_LAYOUTS:
        assert len(set().union(*(sizes for _, shown, _, sizes in found if shown == layout))) <= 2, layout
    by_topic: dict[str, set[float]] = {}
    for _, _, title, sizes in found:
        by_topic.setdefault(title.replace("\v", "").removesuffix("（續）"), set()).update(sizes)
    assert all(len(sizes) <= 1 for sizes in by_topic.values()), by_topic


@pytest.mark.parametrize(("scale", "message"), [
    ("list: [[20, 18], [22, 20]]", "deck.scale.list: list the steps largest first, each smaller than the one before"),
    ("list: [[24]]", "deck.scale.list[0]:"),
    ("columns: []", "deck.scale.columns:"),
])
def test_a_bad_type_scale_is_a_located_problem(tmp_path, scale, message):
    from .conftest import CONTENT, run_cli

    (tmp_path / "theme.yaml").write_text(f"deck:\n  scale:\n    {scale}\n", encoding="utf-8")
    result = run_cli("check", str(CONTENT), "--templates", str(tmp_path))
    assert result.returncode == 1
    assert f"theme.yaml:3: {message}" in result.stderr, result.stderr


# --- short material composed ------------------------------------------------------------

DENSE = {"107005", "long"}


@pytest.mark.parametrize("name", corpus_names())
def test_slides_that_show_points_are_filled_or_balanced(corpus, name):
    import statistics

    from .deckread import fills

    found = fills(*corpus[name][1:])
    assert found
    assert all(fill.composed() for fill in found), [fill for fill in found if not fill.composed()]
    assert min(fill.covered for fill in found) >= 0.15, found
    if name in DENSE:
        assert statistics.median(fill.covered for fill in found) >= 0.45, found


# --- structure slides -------------------------------------------------------------------


def slide_titles(deck) -> list[str]:
    """Return the title of every slide of ``deck`` (line breaks removed; '' for a slide without one)."""
    from pptx import Presentation

    return ["".join(slide.shapes.title.text_frame.text.split()) if slide.shapes.title is not None else ""
            for slide in Presentation(str(deck)).slides]


@pytest.mark.parametrize("name", corpus_names())
def test_agenda_is_one_slide_and_no_title_repeats_itself(corpus, name):
    import yaml

    content, deck, _ = corpus[name]
    sections = yaml.safe_load(content.read_text(encoding="utf-8"))["sections"]
    titles = slide_titles(deck)
    if len(sections) <= 8:
        assert titles.count("簡報大綱") == 1 and "簡報大綱（續）" not in titles
    for title in titles:
        for part in title.split("："):
            assert title.count(part) == 1 or not part, title  # 「政策建議：政策建議」


@pytest.mark.parametrize("name", corpus_names())
def test_every_source_links_to_its_url_with_a_readable_address(corpus, name):
    import yaml
    from pptx import Presentation

    content, deck, _ = corpus[name]
    urls = [source["url"] for source in yaml.safe_load(content.read_text(encoding="utf-8")).get("sources", [])]
    links = []
    for slide in Presentation(str(deck)).slides:
        for shape in slide.placeholders:
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    if run.hyperlink.address:
                        links.append((run.text, run.hyperlink.address))
    assert sorted({address for _, address in links}) == sorted(set(urls))
    for text, address in links:
        shown = text.removesuffix("…")
        assert shown.rstrip("/") in address.removeprefix("https://").removeprefix("http://").removeprefix("www."), text
        assert text == shown or shown.endswith("/"), text  # shortened only after a /, and marked


@pytest.mark.parametrize("name", corpus_names())
def test_every_character_inside_its_box_also_with_a_substitute_face(corpus, corpus_substituted, name):
    import subprocess

    from .test_briefing_deck import overflowing

    _, deck, pdf = corpus[name]
    assert overflowing(deck, pdf) == []
    fonts = subprocess.run(["pdffonts", str(corpus_substituted[name])], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts and "NotoSansCJK" not in fonts.replace(" ", "")
    assert overflowing(deck, corpus_substituted[name]) == []


@pytest.mark.parametrize("name", corpus_names())
def test_every_body_on_a_slide_every_point_in_the_notes_team_sources_no_duplicate(corpus, name):
    import yaml
    from pptx import Presentation

    from .test_briefing_deck import points, slide_texts, squash

    content, deck, _ = corpus[name]
    data = yaml.safe_load(content.read_text(encoding="utf-8"))
    slides = list(Presentation(str(deck)).slides)
    texts = [squash("".join(slide_texts(slide))) for slide in slides]
    notes = squash("".join(slide.notes_slide.notes_text_frame.text for slide in slides if slide.has_notes_slide))
    for point in points(data):
        assert sum(squash(point["body"])[:30] in text for text in texts) == 1, point["headline"]
        assert squash(point["headline"]) in notes and squash(point["body"]) in notes
    shown = "".join(texts)
    for person in [data.get("editor"), *data.get("contributors", [])]:
        assert person is None or person["name"] in shown
    titles = slide_titles(deck)
    assert len(set(zip(titles, texts, strict=True))) == len(slides)  # no slide twice
    assert ("參考資料" in titles) == bool(data.get("sources"))


@pytest.mark.parametrize("name", corpus_names())
def test_valid_and_byte_identical_when_rebuilt(corpus, name, tmp_path):
    from openxml_audit import validate_pptx

    from .conftest import run_cli

    content, deck, _ = corpus[name]
    result = validate_pptx(str(deck))
    assert result.is_valid, [str(error) for error in result.errors][:5]
    again = run_cli("slides", str(content), "--out", str(tmp_path), "--force")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / deck.name).read_bytes() == deck.read_bytes()


@pytest.mark.parametrize("count", [3, 5, 6, 8])
def test_an_agenda_of_up_to_eight_sections_is_one_slide(tmp_path, count):
    import yaml
    from pptx import Presentation

    from .conftest import CONTENT, run_cli

    data = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    sections = data["sections"]
    data["sections"] = [{**sections[n % len(sections)], "heading": f"{sections[n % len(sections)]['heading']}（{n + 1}）"}
                        for n in range(count)]
    (tmp_path / "many.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli("slides", str(tmp_path / "many.yaml"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    slides = list(Presentation(str(tmp_path / "many.pptx")).slides)
    titles = slide_titles(tmp_path / "many.pptx")
    agenda = [slide for slide, title in zip(slides, titles, strict=True) if title.startswith("簡報大綱")]
    assert len(agenda) == 1
    shown = "".join("".join(shape.text_frame.text for shape in agenda[0].placeholders).split())
    assert all("".join(section["heading"].split()) in shown for section in data["sections"])
    columns = [shape for shape in agenda[0].placeholders if shape.text_frame.text.strip() and shape != agenda[0].shapes.title
               and shape.placeholder_format.type.name not in ("FOOTER", "SLIDE_NUMBER")]
    assert len(columns) == (2 if count > 5 or count <= 3 else 1)  # three or fewer: the overview's two panels
