"""The first hour of a new user: one way to run, commands and keys that say what was meant, help that helps.

Each mistake is a row of a table (the case as data): the command, its input,
the exit code, words of the one message; the test also checks that there is
no traceback and that the outputs of an earlier build are unchanged.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CONTENT, ROOT, run_cli
from .test_cli_errors import GOOD
from .test_robustness import _pattern, snapshot

SYSTEM_PYTHON = "/usr/bin/python3"


# --- one way to run: python3 build.py -------------------------------------------------------


def test_build_py_runs_under_the_system_python3():
    """The system python3 lacks the project's packages: build.py hands itself to .venv/bin/python."""
    assert subprocess.run([SYSTEM_PYTHON, "-c", "import click"], capture_output=True).returncode != 0
    result = subprocess.run([SYSTEM_PYTHON, "build.py", "check", "content/107005.yaml"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode, result.stdout.strip()) == (0, "ok: 亞太政策報告系列 No. 107005 (16 topics)"), result.stderr


def test_build_py_without_a_venv_says_to_run_make(tmp_path):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy(ROOT / "build.py", checkout)
    shutil.copytree(ROOT / "policybrief", checkout / "policybrief", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run([SYSTEM_PYTHON, "build.py", "check"], cwd=checkout, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"checkout: the project is not set up yet (no .venv): run `make` in {checkout} first, "
                                     "then `python3 build.py` again.")
    assert result.stdout == "" and not list(checkout.rglob("__pycache__"))


@pytest.mark.parametrize(("command", "usage"), [
    ([sys.executable, "build.py"], "Usage: python3 build.py [OPTIONS] COMMAND"),
    ([str(Path(sys.executable).parent / "policybrief")], "Usage: policybrief [OPTIONS] COMMAND"),
    ([sys.executable, "-m", "policybrief"], "Usage: python3 -m policybrief [OPTIONS] COMMAND"),
])
def test_help_names_the_program_as_called(command, usage):
    result = subprocess.run([*command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith(usage)
    program = usage.removeprefix("Usage: ").split(" [")[0]
    assert f"{program} pdf content/107005.yaml -o out" in result.stdout


@pytest.mark.parametrize("name", ["all", "pdf", "slides", "html", "check", "import", "init-templates", "preview", "watch", "serve"])
def test_every_help_is_complete_with_examples(name):
    top = run_cli("--help").stdout
    assert "..." not in top.split("Commands:")[1]
    line = next(line for line in top.splitlines() if line.strip().startswith(name + " "))
    assert line.strip().split(None, 1)[1][:20]  # the description is there, whole (wrapped, never cut)
    result = run_cli(name, "--help")
    assert result.returncode == 0 and "Examples:" in result.stdout and f"build.py {name}" in result.stdout.replace(
        "build.py --templates", "build.py init-templates")


def test_import_help_links_the_format():
    assert "docs/importing.md" in run_cli("import", "--help").stdout
    assert (ROOT / "docs" / "importing.md").is_file()


# --- mistakes: one message, exit 1, earlier outputs unchanged -------------------------------


def content_file(text: str):
    """Return a case setup writing ``text`` as bad.yaml and naming it."""

    def setup(folder: Path) -> list[str]:
        (folder / "bad.yaml").write_text(text, encoding="utf-8")
        return ["bad.yaml"]

    return setup


def theme_file(text: str):
    """Return a case setup checking the shipped content with ``text`` as tpl/theme.yaml."""

    def setup(folder: Path) -> list[str]:
        (folder / "tpl").mkdir()
        (folder / "tpl" / "theme.yaml").write_text(text, encoding="utf-8")
        return [str(CONTENT), "--templates", "tpl"]

    return setup


def template_file(name: str, text: str):
    """Return a case setup building the shipped content with ``text`` as tpl/``name``."""

    def setup(folder: Path) -> list[str]:
        (folder / "tpl" / name).parent.mkdir(parents=True)
        (folder / "tpl" / name).write_text(text, encoding="utf-8")
        return [str(CONTENT), "--templates", "tpl"]

    return setup


def given(*args: str):
    """Return a case setup passing ``args`` as they are."""
    return lambda folder: list(args)


CASES = [
    # (name, command, setup, exit code, the one message)
    ("mistyped-command", [], given("slide", str(CONTENT)), 1,
     "slide: no such command or file; did you mean 'slides'? "
     "(commands: all, check, html, import, init-templates, pdf, preview, serve, slides, watch)."),
    ("mistyped-command-alone", [], given("chekc"), 1,
     "chekc: no such command or file; did you mean 'check'? "
     "(commands: all, check, html, import, init-templates, pdf, preview, serve, slides, watch)."),
    ("unknown-command", [], given("frobnicate"), 1,
     "frobnicate: no such command or file; name a content file (e.g. content/107005.yaml) or a command: "
     "all, check, html, import, init-templates, pdf, preview, serve, slides, watch."),
    ("misspelt-key", ["check"], content_file(GOOD.replace("title:", "title: 測試\nshort_titel:", 1)), 1,
     "bad.yaml:5: short_titel: unknown key; did you mean 'short_title'? allowed here: series, title, short_title, subtitle, "
     "publisher, date, keywords, editor, contributors, preface, sections, sources, series_list, extra."),
    ("misspelt-required-key", ["check"], content_file(GOOD.replace("title:", "titel:", 1)), 1,
     "bad.yaml:4: titel: unknown key; did you mean 'title'? allowed here: series, title, short_title, subtitle, "
     "publisher, date, keywords, editor, contributors, preface, sections, sources, series_list, extra."),
    ("misspelt-nested-key", ["check"], content_file(GOOD + "            on_slide: false\n"), 1,
     "bad.yaml:14: sections[0].topics[0].points[0].on_slide: unknown key; did you mean 'on_slides'? "
     "allowed here: headline, body, on_slides."),
    # YAML slips, in plain words at the line where they start (PyYAML names a later line, in its own terms)
    ("unclosed-double-quote", ["check"], content_file(GOOD.replace("title: 測試報告", 'title: "測試報告')), 1,
     'bad.yaml:4: the quote " that opens the value here is never closed; end the text with " on this line '
     '(or remove the opening ").'),
    ("unclosed-single-quote", ["check"], content_file(GOOD.replace("headline: 標題", "headline: '標題")), 1,
     "bad.yaml:12: the quote ' that opens the value here is never closed; end the text with ' on this line "
     "(or remove the opening ')."),
    ("colon-in-value", ["check"], content_file(GOOD.replace("title: 測試報告", "title: 測試: 報告")), 1,
     'bad.yaml:4: the value of title holds a colon followed by a space, which YAML reads as a new key; '
     'put the whole value in quotes: title: "測試: 報告".'),
    ("colon-in-deep-value", [], content_file(GOOD.replace("body: 內文。", "body: 結論: 內文。")), 1,
     'bad.yaml:13: the value of body holds a colon followed by a space, which YAML reads as a new key; '
     'put the whole value in quotes: body: "結論: 內文。".'),
    ("hash-starts-a-value", ["check"], theme_file("colours:\n  accent: #1F3864\n"), 1,
     "tpl/theme.yaml:2: colours.accent: '#' starts a comment in YAML, so accent is empty here; "
     'put the value in quotes: accent: "#1F3864".'),
    ("over-indented", ["check"], content_file(GOOD.replace("publisher:", "  publisher:")), 1,
     "bad.yaml:5: publisher is indented further than title on line 4, whose value is already written after its colon; "
     "indent publisher 0 spaces, like title."),
    ("indented-between-keys", [], content_file(GOOD.replace("  number:", " number:")), 1,
     "bad.yaml:3: number is indented 1 space, which lines up with no key above; indent it 2 spaces to belong to "
     "series (like name on line 2), or 0 spaces to sit beside series (line 1)."),
    ("no-space-after-colon", ["check"], content_file(GOOD.replace("publisher: ", "publisher:")), 1,
     "bad.yaml:5: 'publisher:' needs a space after the colon; write publisher: 亞太和平研究基金會."),
    # theme changes that cannot work say so once, at the theme
    ("body-font-without-chinese", ["check"], theme_file("fonts:\n  body: {latin: DejaVu Serif, east_asian: DejaVu Serif}\n"), 1,
     "tpl/theme.yaml:2: fonts.body: DejaVu Serif cannot draw the content's characters: no glyph for 亞 太 政 策 報 告 "
     "and 782 more; name a typeface that covers Traditional Chinese (fc-list :lang=zh-tw family lists those installed)."),
    ("page-too-small", ["check"], theme_file("brief:\n  page:\n    size: 100mm 140mm\n"), 1,
     "tpl/theme.yaml:3: brief.page.size: '100mm 140mm' is 100 × 140 mm, smaller than the 105 × 148 mm (A6) the brief "
     "can be laid out on; choose a larger page."),
    # fields of one's own: text, under the limits of other text, with names templates can use
    ("extra-number", ["check"], content_file(GOOD + "extra:\n  founded: 1988\n"), 1,
     "bad.yaml:15: extra.founded: expected text, got the number 1988."),
    ("extra-bad-key", ["check"], content_file(GOOD + "extra:\n  publisher en: Prospect Foundation\n"), 1,
     "bad.yaml:15: extra.publisher en: the key 'publisher en' must be a name of Latin letters, digits and _ "
     "(e.g. publisher_en), so templates can use it."),
    ("extra-too-long", ["check"], content_file(GOOD + "extra:\n  note: " + "長" * 3001 + "\n"), 1,
     "bad.yaml:15: extra.note: is 3,001 characters long; a paragraph may hold at most 3,000 — shorten or split it."),
    ("theme-extra-number", ["check"], theme_file("extra:\n  brand: 42\n"), 1,
     "tpl/theme.yaml:2: extra.brand: expected text, got the number 42."),
    # a relative address in a template that finds no file
    ("address-finds-nothing", ["pdf"], template_file("brief/brief.html", '{% extends "brief/base.html" %}\n'
                                                     '{% block logo %}<img src="nope.svg" alt="">{% endblock %}\n'), 1,
     f"tpl/brief/brief.html:2: refers to nope.svg, which is in none of the template folders (looked in tpl/brief, tpl, "
     f"{ROOT / 'templates'}); put the file beside the template or correct the name."),
    ("tab-indent", ["check"], content_file(GOOD.replace("  name:", "\tname:")), 1,
     "bad.yaml:2: YAML syntax error: found character '\\t' that cannot start any token; indent with spaces, not tabs."),
]


@pytest.mark.parametrize(("name", "command", "setup", "code", "expected"), CASES, ids=[c[0] for c in CASES])
def test_mistake_is_one_clear_message_and_keeps_earlier_outputs(tmp_path, built, name, command, setup, code, expected):
    out = tmp_path / "out"
    shutil.copytree(built, out)
    before = snapshot(out)
    args = [*command, *setup(tmp_path)]
    if command != ["check"]:
        args += ["-o", "out"]
    result = run_cli(*args, cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (code, expected)
    assert "Traceback" not in result.stderr
    assert snapshot(out) == before


def test_extra_fields_reach_every_template_as_written(tmp_path):
    content = CONTENT.read_text(encoding="utf-8") + 'extra:\n  publisher_en: "Prospect  Foundation "\n'
    (tmp_path / "r.yaml").write_text(content, encoding="utf-8")
    (tmp_path / "tpl" / "brief").mkdir(parents=True)
    (tmp_path / "tpl" / "deck").mkdir()
    (tmp_path / "tpl" / "theme.yaml").write_text("extra:\n  brand: 亞太和平研究基金會·PF\n", encoding="utf-8")
    (tmp_path / "tpl" / "brief" / "base.html").write_text(
        (ROOT / "templates" / "brief" / "base.html").read_text(encoding="utf-8").replace(
            '<p class="date">{{ roc_date }}</p>',
            '<p class="date">{{ roc_date }}</p><p lang="en">[{{ report.extra.publisher_en }}|{{ theme.extra.brand }}]</p>'),
        encoding="utf-8")
    (tmp_path / "tpl" / "deck" / "deck.xml").write_text(
        '{% extends "deck/base.xml" %}\n{% block closing %}<slide layout="closing" name="closing"><title>敬請指教</title>'
        "<body><p>{{ report.extra.publisher_en }}</p><p>{{ theme.extra.brand }}</p></body></slide>{% endblock %}\n",
        encoding="utf-8")
    from policybrief.api import brief_html

    assert "[Prospect  Foundation |亞太和平研究基金會·PF]" in brief_html(tmp_path / "r.yaml", templates=[tmp_path / "tpl"])
    result = run_cli("html", "r.yaml", "--templates", "tpl", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[Prospect  Foundation |亞太和平研究基金會·PF]" in (tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    result = run_cli("slides", "r.yaml", "--templates", "tpl", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    from pptx import Presentation

    last = Presentation(str(tmp_path / "out" / "r.pptx")).slides[-1]
    texts = " ".join(shape.text_frame.text for shape in last.shapes if shape.has_text_frame)
    # The slide plan is XML whose text runs, like HTML's, fold runs of spaces: the value reaches it as written.
    assert "Prospect Foundation" in texts and "亞太和平研究基金會·PF" in texts


def test_the_template_variables_table_names_every_field_of_the_content_and_the_theme():
    """docs/customising.md's rows for report and theme name each key of the content and the theme, extra included."""
    import re

    from policybrief.compose.theme import Theme
    from policybrief.load.schema import Report

    doc = (ROOT / "docs" / "customising.md").read_text(encoding="utf-8")
    table = doc.split("## Template variables", 1)[1]
    rows = {m[1]: m[2] for m in re.finditer(r"^\| `(\w+)` \| (.+) \|$", table, re.M)}
    assert [f for f in Report.model_fields if f"`.{f}`" not in rows["report"] and f"`report.{f}`" not in rows["report"]] == []
    assert [f for f in Theme.model_fields if f"`theme.{f}" not in rows["theme"]] == []


LOGO_TEMPLATE = '{% extends "brief/base.html" %}\n{% block logo %}<img src="mark.svg" alt="LOGO-ALT">{% endblock %}\n'


def test_an_image_beside_a_users_template_is_found_by_the_pdf_and_the_web_edition(tmp_path):
    """Named relatively in tpl/brief/base.html, the file beside it is drawn in the PDF and inlined in the web edition."""
    base = (ROOT / "templates" / "brief" / "base.html").read_text(encoding="utf-8")
    (tmp_path / "tpl" / "brief").mkdir(parents=True)
    (tmp_path / "tpl" / "brief" / "base.html").write_text(
        base.replace('<img src="{{ theme.logo_uri() }}" alt="{{ report.publisher }}">', '<img src="mark.svg" alt="LOGO-ALT">')
            .replace("{% if theme.logo %}", "{% if true %}"), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "monochrome" / "logo.svg", tmp_path / "tpl" / "brief" / "mark.svg")
    result = run_cli("pdf", str(CONTENT), "--templates", "tpl", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_cli("html", str(CONTENT), "--templates", "tpl", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cover = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "out" / "107005.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "LOGO-ALT" not in cover  # drawn: WeasyPrint draws the alt text of an image it cannot load
    svg = base64.b64encode((tmp_path / "tpl" / "brief" / "mark.svg").read_bytes()).decode()
    assert f'src="data:image/svg+xml;base64,{svg}"' in (tmp_path / "out" / "107005.html").read_text(encoding="utf-8")


def test_a_heading_face_without_bold_is_a_warning(tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "theme.yaml").write_text(
        "fonts:\n  heading: {latin: DejaVu Sans, east_asian: Droid Sans Fallback}\n", encoding="utf-8")
    result = run_cli("pdf", str(CONTENT), "--templates", "tpl", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (
        "warning: tpl/theme.yaml:2: fonts.heading.east_asian: Droid Sans Fallback has no bold face, so headings come out "
        "in its regular weight; name a family with a bold face (e.g. Noto Sans CJK TC).")
    assert (tmp_path / "out" / "107005.pdf").is_file()


@pytest.mark.parametrize("option", ["-o", "--out"])
def test_builds_take_dash_o_and_the_old_spelling(tmp_path, option):
    result = run_cli("html", str(CONTENT), option, "site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "107005.html").is_file()


def test_first_hour_messages_are_documented():
    documented = [_pattern(m) for m in __import__("re").findall(r"^- `(.+?)`(?= —|$)",
                  (ROOT / "docs" / "errors.md").read_text(encoding="utf-8"), __import__("re").M)]
    messages = [case[-1] for case in CASES]
    assert [m for m in messages if not any(p.fullmatch(m) for p in documented)] == []
