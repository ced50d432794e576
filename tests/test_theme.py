"""The theme: one theme.yaml feeds both outputs; it is validated like content.

A colour changed once in theme.yaml must reach the brief (CSS custom property
and the PDF's content stream) and the deck (its master's theme XML); a bad
value is one message with file and line, through the CLI, exit 1 (those
cases are in test_robustness.CUSTOM_CASES).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from pypdf import PdfReader

from policybrief.api import brief_html
from policybrief.compose.environment import builtin_templates

from .conftest import CONTENT, assert_same_outputs, run_cli

THEME = builtin_templates() / "theme.yaml"


def themed(folder: Path, *replacements: tuple[str, str]) -> Path:
    """Return ``folder`` holding a copy of the built-in theme.yaml with ``replacements`` applied."""
    folder.mkdir(parents=True, exist_ok=True)
    text = THEME.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    (folder / "theme.yaml").write_text(text, encoding="utf-8")
    return folder


def pdf_colours(pdf: Path) -> set[str]:
    """Return every fill/stroke colour operator of the PDF's pages ('r g b rg')."""
    found = set()
    for page in PdfReader(str(pdf)).pages:
        found |= set(re.findall(r"[\d.]+ [\d.]+ [\d.]+ (?:rg|RG)", page.get_contents().get_data().decode("latin-1")))
    return {re.sub(" RG$", " rg", colour) for colour in found}


def rg(hex_colour: str) -> str:
    """Return the PDF fill operator WeasyPrint writes for ``#RRGGBB``."""
    return " ".join(f"{int(hex_colour[i:i + 2], 16) / 255:.6g}" for i in (1, 3, 5)) + " rg"


def deck_theme(pptx: Path) -> str:
    """Return the theme XML of the deck's slide master."""
    with zipfile.ZipFile(pptx) as deck:
        return deck.read("ppt/theme/theme1.xml").decode()


def test_one_colour_change_reaches_the_pdf_and_the_deck(tmp_path):
    tpl = themed(tmp_path / "tpl", ('accent: "#1F3864"', 'accent: "#7A1F2B"'))
    result = run_cli(str(CONTENT), "--out", str(tmp_path / "out"), "--templates", str(tpl))
    assert result.returncode == 0, result.stderr
    assert "--accent: #7A1F2B;" in brief_html(CONTENT, [tpl])
    assert rg("#7A1F2B") in pdf_colours(tmp_path / "out" / "107005.pdf")
    assert rg("#1F3864") not in pdf_colours(tmp_path / "out" / "107005.pdf")
    xml = deck_theme(tmp_path / "out" / "107005.pptx")
    assert '<a:accent1><a:srgbClr val="7A1F2B"/></a:accent1>' in xml
    assert '<a:dk2><a:srgbClr val="7A1F2B"/></a:dk2>' in xml


def test_the_default_theme_is_the_default_look(built):
    assert rg("#1F3864") in pdf_colours(built / "107005.pdf")
    assert '<a:accent1><a:srgbClr val="1F3864"/></a:accent1>' in deck_theme(built / "107005.pptx")


def test_fonts_page_and_sizes_reach_the_brief(tmp_path):
    tpl = themed(tmp_path / "tpl", ("body: {latin: Noto Serif CJK TC, east_asian: Noto Serif CJK TC}",
                                    "body: {latin: DejaVu Serif, east_asian: Noto Serif CJK TC}"),
                 ("margin_inner: 20mm", "margin_inner: 25mm"), ("body_size: 11pt", "body_size: 10.5pt"))
    html = brief_html(CONTENT, [tpl])
    # Each family's subset for this brief first, then the installed families (see fonts.py).
    assert '--font-body: "DejaVu Serif subset", "Noto Serif CJK TC subset", "DejaVu Serif", "Noto Serif CJK TC";' in html
    assert "--size-body: 10.5pt;" in html
    assert "@page { size: A4; margin: 22mm 30.85mm 22mm 25mm; }" in html
    assert "@page :left { margin: 22mm 25mm 22mm 30.85mm; }" in html


def test_deck_fonts_and_minimum_size_come_from_the_theme(tmp_path):
    tpl = themed(tmp_path / "tpl", ("slides: {latin: Noto Sans CJK TC, east_asian: Noto Sans CJK TC}",
                                    "slides: {latin: DejaVu Sans, east_asian: Noto Sans CJK TC}"),
                 ("max_bullets: 5", "max_bullets: 1"))
    result = run_cli("slides", str(CONTENT), "--out", str(tmp_path / "out"), "--templates", str(tpl))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "107005.pptx") as deck:
        slides = [name for name in deck.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", name)]
        xml = deck.read("ppt/slides/slide4.xml").decode()
    assert '<a:latin typeface="DejaVu Sans"/><a:ea typeface="Noto Sans CJK TC"/>' in xml
    assert len(slides) > 23  # one bullet per slide: topics continue on （續） slides


def test_project_file_names_template_folders(tmp_path):
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "theme.yaml").write_text("colours: {accent: \"#225522\"}\n", encoding="utf-8")
    (tmp_path / "policybrief.yaml").write_text("templates: [house]\n", encoding="utf-8")
    result = run_cli("pdf", str(CONTENT), "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert rg("#225522") in pdf_colours(tmp_path / "out" / "107005.pdf")


def test_a_copied_theme_reproduces_the_default_outputs(built, tmp_path):
    shutil.copy(THEME, tmp_path / "theme.yaml")
    result = run_cli(str(CONTENT), "--out", str(tmp_path / "out"), "--templates", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert_same_outputs(tmp_path / "out", built)


def test_a_user_theme_holds_only_what_it_changes(tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "theme.yaml").write_text('colours:\n  accent: "#225522"\n', encoding="utf-8")
    html = brief_html(CONTENT, [tmp_path / "tpl"])
    assert "--accent: #225522;" in html and "--text: #1A1A1A;" in html and "@page { size: A4;" in html
    (tmp_path / "tpl" / "theme.yaml").write_text("colours:\n  accent: navy\n", encoding="utf-8")
    result = run_cli("check", str(CONTENT), "--templates", "tpl", cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (
        1, "tpl/theme.yaml:2: colours.accent: expected a colour as #RRGGBB, e.g. \"#1F3864\", not 'navy'.")


def test_content_is_checked_against_the_themes_fonts(tmp_path):
    # DejaVu Sans has Latin but no Han glyphs: with it as the slides font, the Chinese content cannot be set.
    tpl = themed(tmp_path / "tpl", ("slides: {latin: Noto Sans CJK TC, east_asian: Noto Sans CJK TC}",
                                    "slides: {latin: DejaVu Sans, east_asian: DejaVu Sans}"))
    result = run_cli("check", str(CONTENT), "--templates", str(tpl))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    # One message, at the theme's line that names the font, not one per content field.
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r".+/tpl/theme\.yaml:\d+: fonts\.slides: DejaVu Sans cannot draw the content's characters: "
                        r"no glyph for (\S ){6}and [\d,]+ more; name a typeface that covers Traditional Chinese .+\.", lines[0]), lines
    # The same content passes with the built-in theme, whose fonts are CJK.
    assert run_cli("check", str(CONTENT)).returncode == 0
