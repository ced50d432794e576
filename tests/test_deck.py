"""The deck's structure, Chinese typesetting properties, master and errors, read back with python-pptx."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pptx import Presentation

from policybrief.compose.environment import search_path
from policybrief.compose.theme import load_theme
from policybrief.typography import rules

from .conftest import CONTENT, ROOT, run_cli

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
MASTER = ROOT / "templates" / "deck" / "master.pptx"
HAN = re.compile(r"[\u3400-\u9fff]")
SLIDES = load_theme(search_path()).fonts.slides
FONT = SLIDES.latin
MEASURER = SLIDES.measurer()
LAYOUT_NAMES = ["Title", "Agenda", "Overview", "Section", "Statement", "Two Columns", "Three Columns", "Topic", "Team",
                "Sources", "Closing"]
POINT_LAYOUTS = {"Statement", "Two Columns", "Three Columns", "Topic"}


@pytest.fixture(scope="module")
def deck(built):
    return Presentation(str(built / "107005.pptx"))


def squash(text: str) -> str:
    return "".join(text.split())


def placeholder_texts(slide) -> dict[str, str]:
    """Return the text of each placeholder of ``slide`` keyed by its layout placeholder's name."""
    names = {shape.placeholder_format.idx: shape.name for shape in slide.slide_layout.placeholders}
    return {names[shape.placeholder_format.idx]: shape.text_frame.text for shape in slide.placeholders}


def test_deck_is_16_9_with_the_planned_slides(deck, report):
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    layouts = [slide.slide_layout.name for slide in deck.slides]
    assert layouts[:3] == ["Title", "Agenda", "Overview"]
    assert layouts[-1] == "Closing" and layouts[layouts.index("Team"):-1] == ["Team"] + ["Sources"] * (len(layouts) - layouts.index("Team") - 2)
    assert layouts.count("Section") == len(report.sections)
    # Each topic has its slide (a short one may share a list slide with its neighbours of the same section).
    shown = sum(layout in POINT_LAYOUTS for layout in layouts)
    assert len(report.sections) < shown <= sum(len(section.topics) for section in report.sections) + 2


def test_title_slide_has_series_title_publisher_date_and_no_footer(deck, report):
    texts = placeholder_texts(deck.slides[0])
    assert {name: squash(text) for name, text in texts.items()} == {
        "Series": squash("亞太政策報告系列 No. 107005"), "Title": squash(report.title),
        "Subtitle": squash("亞太和平研究基金會中華民國107年7月")}
    assert texts["Subtitle"].split("\n") == ["亞太和平研究基金會", "中華民國107年7月"]


def test_content_slides_carry_footer_and_slide_number(deck):
    for number, slide in enumerate(list(deck.slides)[1:], start=2):
        texts = placeholder_texts(slide)
        assert texts["Footer"] == "亞太政策報告系列 No. 107005"
        assert texts["Slide Number"] == str(number)
        assert slide.placeholders[12].element.find(f".//{A}fld").get("type") == "slidenum"


def test_agenda_overview_dividers_topics_and_closing(deck, report):
    slides = list(deck.slides)
    assert placeholder_texts(slides[1])["Body"].split("\n") == ["壹、「川金會」與朝鮮半島未來情勢發展", "貳、「川金會」後美國亞太政策走向",
                                                                 "參、「川金會」後中共周邊戰略布局之變化", "肆、整體情勢對我之影響及我因應之道"]
    dividers = [placeholder_texts(s) for s in slides if s.slide_layout.name == "Section"]
    assert [(d["Numeral"], d["Title"]) for d in dividers] == [
        (n + "、", s.heading) for n, s in zip("壹貳參肆", report.sections, strict=True)]
    titles = [squash(s.shapes.title.text_frame.text) for s in slides if s.slide_layout.name in POINT_LAYOUTS]
    last = report.sections[-1].topics[-1]  # no topic is marked: the last one holds the recommendations
    expected = [squash(f"{'一二三四五六'[i]}、{t.heading}") for s in report.sections for i, t in enumerate(s.topics) if t is not last]
    assert [t for t in titles if not t.startswith("政策建議") and not t.endswith("（續）")] == expected
    assert titles.count(squash(f"政策建議：{last.heading}")) == 1
    assert placeholder_texts(slides[-1]) == {"Title": "敬請指教", "Body": report.publisher, "Footer": "亞太政策報告系列 No. 107005",
                                             "Slide Number": str(len(slides))}


def test_notes_hold_every_body_in_full(deck, report):
    notes = squash("".join(s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide))
    for section in report.sections:
        for topic in section.topics:
            for point in topic.points:
                assert squash(point.headline) in notes and squash(point.body) in notes


def runs(deck):
    """Yield every ``a:rPr``-bearing run (``a:r`` and ``a:fld``) of the slides and their notes."""
    for slide in deck.slides:
        parts = [slide.element] + ([slide.notes_slide.element] if slide.has_notes_slide else [])
        for part in parts:
            yield from part.iter(f"{A}r", f"{A}fld")


def test_every_run_is_zh_tw_with_latin_and_east_asian_font_in_schema_order(deck):
    han_runs = 0
    for run in runs(deck):
        rpr = run.find(f"{A}rPr")
        text = run.findtext(f"{A}t") or ""
        han_runs += bool(HAN.search(text))
        assert rpr.get("lang") == "zh-TW", text
        children = [child.tag.removeprefix(A) for child in rpr]
        assert [child for child in children if child != "hlinkClick"][-2:] == ["latin", "ea"], (text, children)  # a link comes after
        assert {rpr.find(f"{A}latin").get("typeface"), rpr.find(f"{A}ea").get("typeface")} == {FONT}
    assert han_runs > 50


def test_master_theme_names_the_east_asian_fonts():
    theme = Presentation(str(MASTER)).slide_master.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme").blob.decode()
    for kind in ("majorFont", "minorFont"):
        block = re.search(f"<a:{kind}>(.*?)</a:{kind}>", theme)[1]
        assert f'<a:latin typeface="{FONT}"/>' in block and f'<a:ea typeface="{FONT}"/>' in block
    assert '<a:srgbClr val="1F3864"/>' in theme  # the navy accent of design.md


def test_core_properties_come_from_the_content(deck, report):
    props = deck.core_properties
    assert (props.title, props.author, props.last_modified_by) == (report.title, report.publisher, report.publisher)
    assert (props.subject, props.language, props.revision) == ("亞太政策報告系列 No. 107005", "zh-TW", 1)
    assert props.keywords == "、".join(report.keywords)
    assert props.created.isoformat() == props.modified.isoformat() == "2018-07-01T00:00:00"
    assert (props.comments, props.category) == ("", "")


def test_no_python_pptx_template_leftovers(built):
    for path in (built / "107005.pptx", MASTER):
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            assert not [n for n in names if "thumbnail" in n or "printerSettings" in n]
            everything = b"".join(package.read(n) for n in names if n.endswith(".xml") or n.endswith(".rels"))
        for leftover in (b"python-pptx", b"Calibri", b"Microsoft Macintosh", b"4:3", b"Office Theme", b"2013-"):
            assert leftover not in everything, (path.name, leftover)


def test_master_has_no_slides_and_the_named_layouts_and_placeholders():
    master = Presentation(str(MASTER))
    assert len(master.slides) == 0
    assert [layout.name for layout in master.slide_layouts] == LAYOUT_NAMES
    names = {layout.name: [p.name for p in layout.placeholders] for layout in master.slide_layouts}
    slots = lambda count: [name for n in range(1, count + 1) for name in (f"Headline {n}", f"Body {n}")]  # noqa: E731
    assert names == {
        "Title": ["Title", "Series", "Subtitle", "Footer", "Slide Number"],
        "Agenda": ["Title", "Body", "Column 1", "Column 2", "Footer", "Slide Number"],
        "Overview": ["Title", "Column 1", "Column 2", "Footer", "Slide Number"],
        "Section": ["Title", "Numeral", "Footer", "Slide Number"],
        "Statement": ["Title", *slots(1), "Footer", "Slide Number"],
        "Two Columns": ["Title", *slots(2), "Footer", "Slide Number"],
        "Three Columns": ["Title", *slots(3), "Footer", "Slide Number"],
        "Topic": ["Title", "Body", "Footer", "Slide Number"],
        "Team": ["Title", "Lead", "Column 1", "Column 2", "Footer", "Slide Number"],
        "Sources": ["Title", "Body", "Footer", "Slide Number"],
        "Closing": ["Title", "Body", "Footer", "Slide Number"],
    }


def test_make_master_regenerates_the_committed_master_byte_for_byte(tmp_path):
    script = (ROOT / "scripts" / "make-master").read_text(encoding="utf-8")
    copy = tmp_path / "make-master"
    copy.write_text(script.replace('OUT = ROOT / "templates" / "deck" / "master.pptx"', f"OUT = Path({str(tmp_path / 'm.pptx')!r})"))
    import subprocess
    import sys

    subprocess.run([sys.executable, str(copy)], check=True, capture_output=True, cwd=ROOT)
    assert (tmp_path / "m.pptx").read_bytes() == MASTER.read_bytes()


def test_two_builds_are_byte_identical(built, rebuilt):
    # rebuilt: by the slides command alone, in a fresh interpreter
    digest = [hashlib.sha256((folder / "107005.pptx").read_bytes()).hexdigest() for folder in (built, rebuilt)]
    assert digest[0] == digest[1]


def test_schema_valid_for_powerpoint(built):
    from openxml_audit import validate_pptx

    for path in (built / "107005.pptx", MASTER):
        result = validate_pptx(str(path))
        assert result.is_valid, [str(e) for e in result.errors][:5]


def test_content_text_reaches_slides_literally(tmp_path):
    text = CONTENT.read_text(encoding="utf-8").replace(
        "headline: 北韓靠與中共經貿往來及輸出勞工挺過國際制裁", "headline: A<B & C {{ x }} </li>北韓", 1)
    assert "A<B" in text
    (tmp_path / "odd.yaml").write_text(text, encoding="utf-8")
    result = run_cli("slides", str(tmp_path / "odd.yaml"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    bodies = [p.text for s in Presentation(str(tmp_path / "odd.pptx")).slides for sh in s.placeholders for p in sh.text_frame.paragraphs]
    assert "A<B & C {{ x }} </li>北韓" in bodies


def test_wrap_follows_cjk_line_breaking_rules():
    text = "北韓謹守「瓶蓋理論」，利用美國牽制周邊大國，並藉 Singapore summit 爭取時間。"
    for width in range(60, 400, 7):
        lines = MEASURER.wrap(text, width, 12)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines:
            assert line[0] not in rules.NO_LINE_START and line[-1] not in rules.NO_LINE_END, lines
        assert any("Singapore" in line for line in lines), lines  # a Latin word is never cut
    assert MEASURER.width("北韓", 10) == pytest.approx(20)  # Han characters are 1 em wide


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["北", "韓", "「", "」", "，", "。", "（", "）", "、", "Singapore ", "2018 ", "美國"]), min_size=1, max_size=40),
       st.integers(min_value=40, max_value=400))
def test_wrap_never_loses_text_or_breaks_the_rules(pieces, width):
    text = "".join(pieces).strip()
    assume(text and text[0] not in rules.NO_LINE_START and text[-1] not in rules.NO_LINE_END)
    lines = MEASURER.wrap(text, width, 12)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # Only a piece wider than the whole box (here: a run of closing marks) may be cut against the rules.
    too_wide = any(MEASURER.width(unit.rstrip(), 12) > width for unit in rules.units(text))
    for line in lines[1:]:
        assert line[0] not in rules.NO_LINE_START or too_wide, lines
    for line in lines[:-1]:
        assert line[-1] not in rules.NO_LINE_END or too_wide, lines
        assert MEASURER.width(line, 12) <= width, lines  # a unit wider than the box is cut, never left to overflow


def override(tmp_path: Path, master_bytes: bytes) -> Path:
    """Return a templates folder whose deck/master.pptx holds ``master_bytes``."""
    folder = tmp_path / "templates"
    (folder / "deck").mkdir(parents=True)
    (folder / "deck" / "master.pptx").write_bytes(master_bytes)
    return folder


def master_without(tmp_path: Path, change) -> bytes:
    """Return the default master's bytes after ``change(presentation)``."""
    master = Presentation(str(MASTER))
    change(master)
    target = tmp_path / "changed.pptx"
    master.save(str(target))
    return target.read_bytes()


def topic_layout(master):
    """Return the master's Topic layout."""
    return master.slide_layouts.get_by_name("Topic")


def rename_topic(master) -> None:
    topic_layout(master).name = "Content"


def drop_body(master) -> None:
    body = [p for p in topic_layout(master).placeholders if p.name == "Body"][0]
    body.element.getparent().remove(body.element)


@pytest.mark.parametrize(
    ("case", "make", "expected"),
    [
        ("not-a-zip", lambda tmp: b"this is text", "{path}: is not a PowerPoint file (.pptx); save the master as .pptx."),
        ("missing-layout", lambda tmp: master_without(tmp, rename_topic),
         "{path}: has no slide layout named 'Topic'; it has: Title, Agenda, Overview, Section, Statement, Two Columns, "
         "Three Columns, Content, Team, Sources, Closing."),
        ("missing-placeholder", lambda tmp: master_without(tmp, drop_body),
         "{path}: layout 'Topic' has no Body placeholder; it has: Title, Footer, Slide Number."),
    ],
)
def test_bad_master_is_one_clear_error(tmp_path, case, make, expected):
    folder = override(tmp_path, make(tmp_path))
    result = run_cli("slides", str(CONTENT), "--templates", str(folder), "--out", str(tmp_path / "out"))
    path = (folder / "deck" / "master.pptx").resolve()
    assert (result.returncode, result.stderr.strip()) == (1, expected.format(path=path))
    assert not (tmp_path / "out" / "107005.pptx").exists()


def test_user_master_overrides_the_default(tmp_path, built):
    folder = override(tmp_path, master_without(tmp_path, lambda m: setattr(m.core_properties, "title", "x")))
    shutil.copy(MASTER, folder / "deck" / "master.pptx")
    restyled = Presentation(str(folder / "deck" / "master.pptx"))
    for shape in topic_layout(restyled).placeholders:
        if shape.name == "Body":
            shape.left += 914400  # a designer moved the body one inch right
    restyled.save(str(folder / "deck" / "master.pptx"))
    result = run_cli("slides", str(CONTENT), "--templates", str(folder), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    topic = next(s for s in Presentation(str(tmp_path / "107005.pptx")).slides if s.slide_layout.name == "Topic")
    assert topic.placeholders[1].left == topic_layout(Presentation(str(MASTER))).placeholders[1].left + 914400


def test_dates_come_from_the_content_or_source_date_epoch(monkeypatch):
    from policybrief.compose.dates import build_date

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_date(2018, 7).isoformat() == "2018-07-01T00:00:00+08:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_date(2018, 7).isoformat() == "2023-11-14T22:13:20+00:00"


def test_user_template_overrides_one_block(tmp_path, built):
    (tmp_path / "templates" / "deck").mkdir(parents=True)
    (tmp_path / "templates" / "deck" / "deck.xml").write_text(
        '{% extends "deck/base.xml" %}{% block closing %}<slide layout="Closing"><title>謝謝</title></slide>{% endblock %}'
        "{% block footer %}{{ short_title }}{% endblock %}",
        encoding="utf-8",
    )
    result = run_cli("slides", str(CONTENT), "--templates", str(tmp_path / "templates"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    slides = list(Presentation(str(tmp_path / "107005.pptx")).slides)
    assert placeholder_texts(slides[-1]) == {"Title": "謝謝"}
    assert placeholder_texts(slides[3])["Footer"] == "「川金會」後朝鮮半島情勢"
    assert len(slides) == len(Presentation(str(built / "107005.pptx")).slides)  # the closing slide replaced, nothing else


def test_text_is_measured_in_the_faces_it_is_set_in():
    from PIL import ImageFont

    from policybrief.typography.fonts import WEIGHTS, installed
    from policybrief.typography.measure import Measurer

    dejavu = installed("DejaVu Sans", WEIGHTS["normal"])
    mixed = Measurer("DejaVu Sans", SLIDES.east_asian)
    expected = ImageFont.truetype(dejavu.path, 1000, index=dejavu.index).getlength("Pompeo") / 1000 * 10
    assert mixed.width("Pompeo", 10) == pytest.approx(expected)  # HarfBuzz agrees with FreeType's advances
    assert mixed.width("Pompeo", 10) != pytest.approx(MEASURER.width("Pompeo", 10))
    assert mixed.width("北韓", 10) == pytest.approx(20)  # Han text stays in the East-Asian face
    assert MEASURER.line_height() == pytest.approx(1.448)  # Noto Sans CJK: (ascender + descender) / em
    assert mixed.line_height() == pytest.approx(1.448)  # DejaVu's lines are shorter: the taller face sets it
