"""The three examples of docs/customising.md, run as the doc shows them, and init-templates.

Each test reads the command (and the snippet) from the doc, so doc, example
files and behaviour cannot drift apart.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation

from policybrief.compose.environment import builtin_templates

from .conftest import CONTENT, ROOT, assert_same_outputs, run_cli
from .test_theme import deck_theme, pdf_colours, rg

DOC = (ROOT / "docs" / "customising.md").read_text(encoding="utf-8")
CORPORATE_NAMES = {"Title": "封面", "Agenda": "議程", "Section": "章節", "Topic": "內容", "Closing": "結語"}


def section(title: str) -> str:
    """Return the text of the doc's section whose heading starts with ``title``."""
    return re.search(rf"^## {re.escape(title)}.*?(?=^## |\Z)", DOC, re.M | re.S)[0]


def doc_command(title: str) -> list[str]:
    """Return the arguments of the one ``python3 build.py …`` command in the doc's section ``title``."""
    commands = re.findall(r"^python3 build\.py (.+)$", section(title), re.M)
    assert len(commands) == 1, commands
    return commands[0].split()


def snippet_lines(title: str, language: str) -> list[str]:
    """Return the non-empty lines of the doc's ``language`` code block in section ``title`` (without '…')."""
    block = re.search(rf"```{language}\n(.*?)```", section(title), re.S)[1]
    return [line for line in block.splitlines() if line.strip() and line.strip() != "…"]


def pdf_pages(pdf: Path) -> list[str]:
    """Return the text of every page of ``pdf`` (poppler's pdftotext)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def squashed(pdf: Path) -> str:
    """Return the text of ``pdf`` without any whitespace (a new font moves line breaks)."""
    return "".join("".join(pdf_pages(pdf)).split())


def corporate_master(target: Path) -> Path:
    """Return ``target`` after writing a master of only the five basic layouts, renamed to Chinese names, as an older corporate master has."""
    deck = Presentation(str(builtin_templates() / "deck" / "master.pptx"))
    for layout in list(deck.slide_layouts):
        if layout.name in CORPORATE_NAMES:
            layout.name = CORPORATE_NAMES[layout.name]
        else:
            deck.slide_layouts.remove(layout)
    target.parent.mkdir(parents=True, exist_ok=True)
    deck.save(str(target))
    return target


def test_doc_snippets_are_the_example_files():
    for title, language, example in [("1.", "yaml", "examples/monochrome/theme.yaml"),
                                     ("2.", "html", "examples/cover/brief/brief.html"),
                                     ("3.", "yaml", "examples/corporate/theme.yaml")]:
        lines = (ROOT / example).read_text(encoding="utf-8").splitlines()
        for line in snippet_lines(title, language):
            assert any(mine.strip().startswith(line.strip()) for mine in lines), (example, line)


def test_example_1_colours_and_fonts_change_both_outputs(tmp_path, built):
    result = run_cli(*doc_command("1."), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    colours = pdf_colours(tmp_path / "107005.pdf")
    assert rg("#262626") in colours and rg("#1F3864") not in colours
    assert '<a:accent1><a:srgbClr val="262626"/></a:accent1>' in deck_theme(tmp_path / "107005.pptx")
    fonts = subprocess.run(["pdffonts", str(tmp_path / "107005.pdf")], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK-TC" not in fonts.replace("Noto-Sans-CJK-TC-Bold", "")  # serif headings: no sans left but bold
    assert squashed(tmp_path / "107005.pdf") == squashed(built / "107005.pdf")  # the same text, restyled


def test_example_2_replaces_only_the_cover(tmp_path, built):
    result = run_cli(*doc_command("2."), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    mine, default = pdf_pages(tmp_path / "107005.pdf"), pdf_pages(built / "107005.pdf")
    assert "內部參考資料" in mine[0] and "僅供內部討論" in mine[0]
    assert "內部參考資料" not in default[0]
    assert mine[1:] == default[1:]


def test_example_3_corporate_master_by_layout_names(tmp_path):
    folder = tmp_path / "corporate"
    shutil.copytree(ROOT / "examples" / "corporate", folder)
    corporate_master(folder / "deck" / "corporate.pptx")
    args = [str(folder) if arg == "examples/corporate" else arg for arg in doc_command("3.")]
    result = run_cli(*args, "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    used = [slide.slide_layout.name for slide in Presentation(str(tmp_path / "out" / "107005.pptx")).slides]
    # Overview, statement, columns, team and sources slides go onto the master's topic layout (內容).
    assert used[:3] == ["封面", "議程", "內容"] and used[-1] == "結語" and set(used) == set(CORPORATE_NAMES.values())
    assert "statement slides use '內容'" in result.stdout


BLOCK = '{% extends "brief/base.html" %}\n{% block cover %}\n'


@pytest.mark.parametrize(("source", "expected"), [
    (BLOCK + "<p>\n{% if report.subtitle %}{{ report.subtitle }}\n</p>\n{% endblock %}\n",
     "tpl/brief/brief.html:6: template syntax error: '{% if %}' is not closed; add '{% endif %}' where its block ends."),
    (BLOCK + "<p>{{ report.title }}</p>\n<p>{{ cover_note }}</p>\n{% endblock %}\n",
     "tpl/brief/brief.html:4: 'cover_note' is undefined; check the name against the template variables."),
])
def test_a_broken_block_override_points_at_its_own_line(tmp_path, source, expected):
    (tmp_path / "tpl" / "brief").mkdir(parents=True)
    (tmp_path / "tpl" / "brief" / "brief.html").write_text(source, encoding="utf-8")
    result = run_cli("pdf", str(CONTENT), "--out", "out", "--templates", "tpl", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(expected), result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out" / "107005.pdf").exists()


def test_init_templates_copy_reproduces_the_default_outputs_byte_for_byte(tmp_path, built):
    result = run_cli("init-templates", "mine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "mine" / "README.md").is_file() and (tmp_path / "mine" / "theme.yaml").is_file()
    result = run_cli(str(CONTENT), "--out", "out", "--templates", "mine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_same_outputs(tmp_path / "out", built)


def test_init_templates_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("init-templates", "mine", cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (1, "mine: is not an empty folder; name a new folder for the templates.")
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_content_stays_text_in_a_user_template_and_the_deck(tmp_path):
    hostile = "{{ 7*7 }} <script>alert(1)</script> & 川金會"
    source = CONTENT.read_text(encoding="utf-8")
    title = re.search(r"^title: .*$", source, re.M)[0]
    (tmp_path / "107005.yaml").write_text(source.replace(title, f"title: '{hostile}'"), encoding="utf-8")
    result = run_cli("107005.yaml", "--out", "out", "--templates", str(ROOT / "examples" / "cover"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "".join(hostile.split()) in "".join(pdf_pages(tmp_path / "out" / "107005.pdf")[0].split())
    first = Presentation(str(tmp_path / "out" / "107005.pptx")).slides[0]
    assert "".join(hostile.split()) in ["".join(shape.text_frame.text.split()) for shape in first.placeholders]
