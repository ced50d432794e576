"""The deck as a briefer presents it: substance on every slide, a briefing's structure, viewers without our fonts.

Checked on two reports of different shapes: 107005, and a second report
imported from tests/data/report-second.txt (a section of eight short topics,
a topic of five long points, Latin text and digits in headlines, sources
without publishers). Rendering is LibreOffice's, read back with pdfplumber.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from pptx import Presentation

from .conftest import CONTENT, ROOT, run_cli, without_noto_env
from .deckread import fills

SECOND = ROOT / "tests" / "data" / "report-second.txt"
EMU_PER_PT = 12700
POINT_LAYOUTS = {"Statement", "Two Columns", "Three Columns", "Topic"}
SMALL = {"FOOTER", "SLIDE_NUMBER"}  # placeholders that keep their own small size
BULLETS = "■"
TOLERANCE_PT = 0.5  # rounding in the PDF; a real overflow is a whole line or glyph


def squash(text: str) -> str:
    """Return ``text`` without any whitespace (line breaks inside a slide text are layout, not content)."""
    return "".join(text.split())


def to_pdf(pptx: Path, out: Path, env: dict[str, str] | None = None) -> Path:
    """Return the PDF LibreOffice makes of ``pptx`` (a private profile, so parallel runs do not clash)."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{out}/profile", "--convert-to", "pdf",
                    "--outdir", str(out), str(pptx)], check=True, capture_output=True, timeout=240, env=env)
    shutil.rmtree(out / "profile", ignore_errors=True)
    return out / f"{pptx.stem}.pdf"


@pytest.fixture(scope="module")
def second(tmp_path_factory) -> Path:
    """Return a folder holding second.yaml (imported as a user would) and its built brief and deck."""
    folder = tmp_path_factory.mktemp("second")
    result = run_cli("import", str(SECOND), "-o", str(folder / "second.yaml"))
    assert result.returncode == 0, result.stderr
    result = run_cli(str(folder / "second.yaml"), "--out", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def decks(built, second) -> dict[str, tuple[Path, dict]]:
    """Return {name: (deck, content data)} of both reports."""
    return {"107005": (built / "107005.pptx", yaml.safe_load(CONTENT.read_text(encoding="utf-8"))),
            "second": (second / "second.pptx", yaml.safe_load((second / "second.yaml").read_text(encoding="utf-8")))}


@pytest.fixture(scope="module")
def rendered(decks, built_deck_pdf, tmp_path_factory) -> dict[str, Path]:
    """Return {name: PDF} of both decks as LibreOffice renders them (107005's converted once per session)."""
    return {"107005": built_deck_pdf, "second": to_pdf(decks["second"][0], tmp_path_factory.mktemp("lo-second"))}


def slide_texts(slide) -> list[str]:
    """Return the texts of every shape on ``slide`` but its title, footer and slide number."""
    texts = []
    for shape in slide.placeholders:
        if shape.placeholder_format.type.name in {"TITLE", "CENTER_TITLE", *SMALL}:
            continue
        texts.extend(paragraph.text for paragraph in shape.text_frame.paragraphs if paragraph.text.strip())
    return texts


def points(data: dict) -> list[dict]:
    """Return every point of a content file's 提要."""
    return [point for section in data["sections"] for topic in section["topics"] for point in topic["points"]]


@pytest.mark.parametrize("name", ["107005", "second"])
def test_every_point_is_on_a_slide_and_in_the_notes(decks, name):
    deck, data = decks[name]
    slides = list(Presentation(str(deck)).slides)
    shown = squash("".join(text for slide in slides for text in slide_texts(slide)))
    notes = squash("".join(slide.notes_slide.notes_text_frame.text for slide in slides if slide.has_notes_slide))
    for point in points(data):
        assert squash(point["body"])[:30] in shown, point["headline"]
        assert squash(point["headline"]) in notes and squash(point["body"]) in notes, point["headline"]


@pytest.mark.parametrize("name", ["107005", "second"])
def test_no_slide_repeats_another_slides_points(decks, name):
    deck, data = decks[name]
    slides = [squash("".join(slide_texts(slide))) for slide in Presentation(str(deck)).slides]
    for point in points(data):
        holding = [n for n, text in enumerate(slides, 1) if squash(point["body"])[:30] in text]
        assert len(holding) == 1, (point["headline"], holding)  # the recommendations too: shown once


@pytest.mark.parametrize("name", ["107005", "second"])
def test_one_or_two_consecutive_slides_hold_every_topic_heading(decks, name):
    deck, data = decks[name]
    slides = [squash("".join(slide_texts(slide))) for slide in Presentation(str(deck)).slides]
    headings = [squash(topic["heading"]) for section in data["sections"] for topic in section["topics"]]
    assert any(all(h in slides[n] + (slides[n + 1] if n + 1 < len(slides) else "") for h in headings)
               for n in range(len(slides)))


@pytest.mark.parametrize("name", ["107005", "second"])
def test_team_and_sources_slides(decks, name):
    deck, data = decks[name]
    slides = {slide.shapes.title.text_frame.text: squash("".join(slide_texts(slide)))
              for slide in Presentation(str(deck)).slides if slide.shapes.title is not None}
    team = slides["研究團隊"]
    for person in [data["editor"], *data["contributors"]]:
        assert person["name"] in team
    sources = "".join(text for title, text in slides.items() if title.startswith("參考資料"))
    for source in data["sources"]:
        expected = source.get("publisher") or source.get("title") or re.sub(r"^www\.", "", re.match(r"https?://([^/]+)", source["url"])[1])
        assert squash(expected) in sources, source["url"]
    if name == "second":
        assert not any(source.get("publisher") for source in data["sources"])  # the case the host name is for


def overflowing(pptx: Path, pdf: Path) -> list[str]:
    """Return a description of every rendered character outside its text box; assert one page per slide."""
    import pdfplumber

    deck = Presentation(str(pptx))
    problems = []
    with pdfplumber.open(pdf) as document:
        assert len(document.pages) == len(deck.slides)
        for number, (slide, page) in enumerate(zip(deck.slides, document.pages, strict=True), start=1):
            boxes = []
            for shape in slide.shapes:
                if shape.has_text_frame and shape.text_frame.text.strip():
                    left, top = shape.left / EMU_PER_PT, shape.top / EMU_PER_PT
                    boxes.append((squash(shape.text_frame.text), left, top, left + shape.width / EMU_PER_PT,
                                  top + shape.height / EMU_PER_PT))
            for char in (c for c in page.chars if c["text"].strip()):
                owners = [box for box in boxes if char["text"].strip(BULLETS) in box[0]]
                assert owners, f"slide {number}: rendered {char['text']!r} belongs to no text box"
                if not any(box[1] - TOLERANCE_PT <= char["x0"] and char["x1"] <= box[3] + TOLERANCE_PT
                           and box[2] - TOLERANCE_PT <= char["top"] and char["bottom"] <= box[4] + TOLERANCE_PT
                           for box in owners):
                    problems.append(f"slide {number}: {char['text']!r} at ({char['x0']:.0f},{char['top']:.0f}) outside its box")
    return problems


@pytest.mark.parametrize("name", ["107005", "second"])
def test_every_character_lies_inside_its_box_and_no_text_is_small(decks, rendered, name):
    deck, _ = decks[name]
    assert overflowing(deck, rendered[name]) == []
    for number, slide in enumerate(Presentation(str(deck)).slides, start=1):
        for shape in slide.placeholders:
            if shape.placeholder_format.type.name in SMALL:
                continue
            sizes = [run.font.size.pt for paragraph in shape.text_frame.paragraphs for run in paragraph.runs]
            assert sizes and min(sizes) >= 14, (number, shape.name, sizes)


@pytest.mark.parametrize("name", ["107005", "second"])
def test_slides_that_show_points_are_filled(decks, rendered, name):
    found = fills(decks[name][0], rendered[name])
    assert len(found) >= 8
    assert statistics.median(fill.covered for fill in found) >= 0.45, found
    assert all(fill.composed() and fill.covered >= 0.15 for fill in found), found


@pytest.mark.parametrize("name", ["107005", "second"])
def test_a_substitute_face_still_fits(decks, name, tmp_path):
    env = without_noto_env(tmp_path)
    substituted = to_pdf(decks[name][0], tmp_path / "out", env)
    fonts = subprocess.run(["pdffonts", str(substituted)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts and "NotoSansCJK" not in fonts.replace(" ", "")
    assert overflowing(decks[name][0], substituted) == []


def test_file_is_16_9_valid_and_reproducible(second, tmp_path):
    from openxml_audit import validate_pptx

    deck = second / "second.pptx"
    with zipfile.ZipFile(deck) as package:
        presentation = package.read("ppt/presentation.xml").decode()
    assert 'cx="12192000" cy="6858000"' in presentation and "screen4x3" not in presentation
    result = validate_pptx(str(deck))
    assert result.is_valid, [str(error) for error in result.errors][:5]
    again = run_cli("slides", str(second / "second.yaml"), "--out", str(tmp_path), "--force")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "second.pptx").read_bytes() == deck.read_bytes()


def test_titles_come_first_in_reading_order(decks):
    for deck, _ in decks.values():
        for number, slide in enumerate(Presentation(str(deck)).slides, start=1):
            texts = [shape for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text.strip()]
            titles = [n for n, shape in enumerate(texts) if shape.is_placeholder
                      and shape.placeholder_format.type.name in ("TITLE", "CENTER_TITLE")]
            assert titles == [0], (number, [shape.name for shape in texts])


@pytest.fixture(scope="module")
def notes_mode(second, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Return {name: (deck, LibreOffice PDF)} of both reports built with deck.bodies: notes."""
    folder = tmp_path_factory.mktemp("notes-mode")
    (folder / "theme").mkdir()
    (folder / "theme" / "theme.yaml").write_text("deck:\n  bodies: notes\n", encoding="utf-8")
    made = {}
    for name, content in (("107005", CONTENT), ("second", second / "second.yaml")):
        result = run_cli("slides", str(content), "--templates", str(folder / "theme"), "--out", str(folder))
        assert result.returncode == 0, result.stderr
        made[name] = (folder / f"{content.stem}.pptx", to_pdf(folder / f"{content.stem}.pptx", folder / f"lo-{name}"))
    return made


@pytest.mark.parametrize("name", ["107005", "second"])
def test_headline_only_slides_are_not_empty(notes_mode, decks, name):
    deck, pdf = notes_mode[name]
    found = fills(deck, pdf)
    assert found and all(fill.composed() and fill.covered >= 0.15 for fill in found), found
    slides = list(Presentation(str(deck)).slides)
    shown = squash("".join(text for slide in slides for text in slide_texts(slide)))
    notes = squash("".join(slide.notes_slide.notes_text_frame.text for slide in slides if slide.has_notes_slide))
    for point in points(decks[name][1]):
        assert squash(point["headline"]) in shown and squash(point["body"]) in notes
        assert squash(point["body"])[:30] not in shown


def test_content_steers_the_slides(tmp_path):
    data = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    topic = data["sections"][0]["topics"][0]
    topic["slide_title"] = "北韓的核武籌碼"
    topic["points"][1]["on_slides"] = False
    (tmp_path / "steer.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli(str(tmp_path / "steer.yaml"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    slides = list(Presentation(str(tmp_path / "steer.pptx")).slides)
    titles = [slide.shapes.title.text_frame.text for slide in slides if slide.shapes.title is not None]
    assert "一、北韓的核武籌碼" in titles and "一、金正恩時期以「發展核武」為談判籌碼" not in titles
    hidden = topic["points"][1]
    shown = squash("".join(text for slide in slides for text in slide_texts(slide)))
    notes = squash("".join(slide.notes_slide.notes_text_frame.text for slide in slides if slide.has_notes_slide))
    assert squash(hidden["body"])[:30] not in shown and squash(hidden["body"]) in notes
    brief = subprocess.run(["pdftotext", str(tmp_path / "steer.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert squash(hidden["headline"]) in squash(brief)


@pytest.mark.parametrize(("text", "expected"), [
    ("slide_title: 1", "expected text, got the number 1"),
    ("on_slides: maybe", "expected true or false, got text"),
])
def test_steering_keys_are_validated(tmp_path, text, expected):
    source = CONTENT.read_text(encoding="utf-8")
    key = text.split(":")[0]
    anchor = "  - heading: 金正恩時期以「發展核武」為談判籌碼\n" if key == "slide_title" else "    - headline: 北韓靠與中共經貿往來及輸出勞工挺過國際制裁\n"
    indent = "    " if key == "slide_title" else "      "
    (tmp_path / "bad.yaml").write_text(source.replace(anchor, anchor + indent + text + "\n", 1), encoding="utf-8")
    result = run_cli("check", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert re.fullmatch(rf"bad\.yaml:\d+: sections\[0\]\.topics\[0\]\.(points\[0\]\.)?{key}: {re.escape(expected)}\.\n", result.stderr), result.stderr


def test_the_logo_is_on_the_title_slide_with_alt_text(tmp_path):
    result = run_cli("slides", str(CONTENT), "--templates", str(ROOT / "examples" / "monochrome"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    title = Presentation(str(tmp_path / "107005.pptx")).slides[0]
    pictures = [shape for shape in title.shapes if shape.shape_type is not None and shape.shape_type.name == "PICTURE"]
    assert len(pictures) == 1
    assert pictures[0].element.nvPicPr.cNvPr.get("descr") == "亞太和平研究基金會 標誌"


def corporate_master(folder: Path) -> Path:
    """Return a templates folder whose master has only the five layouts an older corporate master has, renamed."""
    master = Presentation(str(ROOT / "templates" / "deck" / "master.pptx"))
    names = {"Title": "封面", "Agenda": "議程", "Section": "章節", "Topic": "內容", "Closing": "結語"}
    for layout in list(master.slide_layouts):
        if layout.name in names:
            layout.name = names[layout.name]
        else:
            master.slide_layouts.remove(layout)
    (folder / "deck").mkdir(parents=True)
    master.save(str(folder / "deck" / "corporate.pptx"))
    # Only the five basic roles mapped (the shipped example maps all eleven of its own master).
    (folder / "theme.yaml").write_text("deck:\n  master: deck/corporate.pptx\n  layouts:\n"
                                       + "".join(f"    {role}: {name}\n" for role, name in zip(
                                           ("title", "agenda", "section", "topic", "closing"), names.values(), strict=True)),
                                       encoding="utf-8")
    return folder


def test_a_corporate_master_without_the_new_layouts_still_builds(tmp_path):
    templates = corporate_master(tmp_path / "corporate")
    result = run_cli("slides", str(CONTENT), "--templates", str(templates), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    for role, layout in (("statement", "Statement"), ("two_columns", "Two Columns"), ("overview", "Overview")):
        assert f"layout '{layout}' is not in corporate.pptx: {role} slides use '內容'" in result.stdout
    layouts = {slide.slide_layout.name for slide in Presentation(str(tmp_path / "out" / "107005.pptx")).slides}
    assert layouts == {"封面", "議程", "章節", "內容", "結語"}


def test_the_east_asian_face_written_can_differ_from_the_one_measured(tmp_path):
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "theme.yaml").write_text("deck:\n  east_asian_font: Microsoft JhengHei\n", encoding="utf-8")
    result = run_cli("slides", str(CONTENT), "--templates", str(tmp_path / "theme"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Microsoft JhengHei for Chinese text, which is not installed here" in result.stdout
    with zipfile.ZipFile(tmp_path / "107005.pptx") as package:
        slide = package.read("ppt/slides/slide5.xml").decode()
        theme = package.read("ppt/theme/theme1.xml").decode()
    assert '<a:ea typeface="Microsoft JhengHei"/>' in slide and '<a:latin typeface="Noto Sans CJK TC"/>' in slide
    assert 'typeface="Microsoft JhengHei"' in theme


def test_slides_as_a_pdf_handout(tmp_path):
    result = run_cli("slides", str(CONTENT), "--pdf", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"wrote {tmp_path / '107005-slides.pdf'}" in result.stdout
    pages = subprocess.run(["pdfinfo", str(tmp_path / "107005-slides.pdf")], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages)[1]) == len(Presentation(str(tmp_path / "107005.pptx")).slides)
