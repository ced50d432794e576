"""Issue 18's hostile inputs: each once a traceback, a hang or a silent wrong result, now one located message.

One row per case, the case as data: what the folder holds and the command
run there (in a folder that already holds yesterday's good 107005 build in
``out/``), the environment it runs in, the exit code and the message. A
failing case must print exactly that one message (exit 1) or click's usage
error (exit 2), no traceback, and leave ``out/`` byte-identical with its
modification times; a case that now works (numbering beyond 99, a cache
record of the wrong shape) must exit 0 and say so. Every message here is
listed in docs/errors.md (``test_robustness.test_every_message_is_documented``).
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from policybrief.cache import CACHE_NAME
from policybrief.typography.numbering import section_numeral, topic_numeral

from .conftest import CONTENT, ROOT, run_cli
from .test_cli_errors import GOOD
from .test_robustness import snapshot
from .test_theme import themed

BAD = "107005.yaml"  # the shipped report's name: its outputs would replace yesterday's
BUILTIN = ROOT / "templates"
THEME = "tpl/theme.yaml"
LOGO_LINE = next(n for n, line in enumerate((ROOT / "templates" / "theme.yaml").read_text(encoding="utf-8").splitlines(), 1)
                 if line.startswith("logo:"))  # the line of `logo:` in the built-in theme.yaml


def good(**changes: object) -> dict:
    """Return GOOD as data with top-level ``changes``."""
    return {**yaml.safe_load(GOOD), **changes}


def section(n_topics: int = 1, n_points: int = 1) -> dict:
    """Return a section of ``n_topics`` topics of ``n_points`` short points each."""
    return {"heading": "背景", "topics": [{"heading": "緣起", "points": [{"headline": "標題", "body": "內文。"}] * n_points}] * n_topics}


def write(data: dict | str | bytes, name: str = BAD) -> Callable[[Path], None]:
    """Return a step writing ``data`` (YAML data, text or bytes) as ``name``."""

    def step(folder: Path) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, dict):
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        elif isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)

    return step


def template(name: str, source: str | bytes) -> Callable[[Path], None]:
    """Return a step writing the template override ``tpl/name``."""
    return write(source if isinstance(source, bytes) else source.encode("utf-8"), f"tpl/{name}")


def theme_replacing(old: str, new: str) -> Callable[[Path], None]:
    """Return a step writing the built-in theme.yaml with ``old`` replaced by ``new`` into ``tpl/``."""
    return lambda folder: themed(folder / "tpl", (old, new))


def png_header(width: int, height: int) -> bytes:
    """Return a PNG whose header declares ``width`` × ``height`` pixels (and holds none)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def logo(name: str, data: str | bytes) -> list[Callable[[Path], None]]:
    """Return the steps of a theme naming the logo ``name`` that holds ``data``."""
    return [theme_replacing("logo:  ", f"logo: {name} "), write(data.encode() if isinstance(data, str) else data, f"tpl/{name}")]


def sparse(size: int) -> Callable[[Path], None]:
    """Return a step making BAD a sparse file of ``size`` bytes (no disk used: only its stat says so)."""

    def step(folder: Path) -> None:
        with open(folder / BAD, "wb") as file:
            file.truncate(size)

    return step


def fifo(folder: Path) -> None:
    """Make BAD a named pipe nobody writes to: reading it would block for ever."""
    os.mkfifo(folder / BAD)


def report_text(numerals: list[str], topics: list[str] | None = None) -> str:
    """Return a report's text for ``import``: one section per numeral (or one section of ``topics``)."""
    head = "序 \n謹此。 \n亞太和平研究基金會 謹誌 \n中華民國 110年 1月 \n《題目》 \n提要 \n"
    tail = "【亞太政策報告系列】 \nNo. 110001 題目 \n"
    if topics:
        body = "壹、背景 \n" + "".join(f"{numeral}、 緣起 \n 標題 \n內文。 \n" for numeral in topics)
    else:
        body = "".join(f"{numeral}、背景 \n一、 緣起 \n 標題 \n內文。 \n" for numeral in numerals)
    return head + body + tail


def alias_amplified() -> str:
    """Return a 28 KB content file whose 200 aliases of one 3,000-character paragraph expand to 600,000 characters."""
    data = GOOD.replace("body: 內文。", "body: &long " + "長" * 3000)
    data += "preface:\n" + "".join("  - *long\n" for _ in range(200))
    return data


def series_number(digits: int) -> str:
    """Return GOOD with a series number of ``digits`` digits, unquoted: YAML reads it as an integer."""
    return GOOD.replace('number: "107005"', "number: " + "7" * digits)


@dataclass
class Case:
    """One hostile input: the folder's files, the command, its environment, the exit code and the message."""

    name: str
    steps: list[Callable[[Path], None]]
    command: list[str]
    code: int
    message: str
    env: dict[str, str] = field(default_factory=dict)


BUILD = [BAD, "--out", "out"]
WITH_TPL = [str(CONTENT), "--out", "out", "--templates", "tpl"]
CHECK_TPL = ["check", str(CONTENT), "--templates", "tpl"]
NOT_UTF8 = b"x" + "\n「中文」\n".encode("big5")
CASES = [
    # --- numbering beyond 99, and the limits of a report ---
    Case("sections-101", [write(good(sections=[section()] * 101))], ["check", BAD], 0, "ok: 亞太政策報告系列 No. 107005 (101 topics)"),
    Case("topics-150", [write(good(sections=[section(150)]))], ["check", BAD], 0, "ok: 亞太政策報告系列 No. 107005 (150 topics)"),
    Case("sections-201", [write(good(sections=[section()] * 201))], BUILD, 1,
         f"{BAD}:7: sections: has 201 items; at most 200 are allowed — split the report."),
    Case("topics-201", [write(good(sections=[section(201)]))], BUILD, 1,
         f"{BAD}:9: sections[0].topics: has 201 items; at most 200 are allowed — split the report."),
    Case("points-1001", [write(good(sections=[section(1, 1001)]))], BUILD, 1,
         f"{BAD}:11: sections[0].topics[0].points: has 1,001 items; at most 1,000 are allowed — split the report."),
    Case("points-2001-in-all", [write(good(sections=[section(1, 667)] * 3))], BUILD, 1,
         f"{BAD}:7: sections: hold 2,001 points; a report may hold at most 2,000 — split it into several reports."),
    Case("sources-201", [write(good(sources=[{"url": "https://example.org/a"}] * 201))], BUILD, 1,
         f"{BAD}:14: sources: has 201 items; at most 200 are allowed — shorten the list."),
    Case("import-101-sections", [write(report_text([section_numeral(n) for n in range(1, 102)]), "r.txt")],
         ["import", "r.txt", "-o", "r.yaml"], 0, "wrote r.yaml (101 sections, 101 topics, 101 points, 0 warnings)"),
    Case("import-120-topics", [write(report_text([], [topic_numeral(n) for n in range(1, 121)]), "r.txt")],
         ["import", "r.txt", "-o", "r.yaml"], 0, "wrote r.yaml (1 sections, 120 topics, 120 points, 0 warnings)"),
    Case("import-201-sections", [write(report_text([section_numeral(n) for n in range(1, 202)]), "r.txt")],
         ["import", "r.txt", "-o", "r.yaml"], 1,
         "r.txt:807: could not place 「貳佰零壹、背景」: a report may hold at most 200 sections; split it into several reports; "
         "fix the report text and import again."),
    # --- dates and numbers ---
    Case("date-not-in-calendar", [write(GOOD.replace('date: "2018-07"', "date: 2018-02-30"))], BUILD, 1,
         f"{BAD}:6: date: 2018-02-30 is not a date in the calendar (day is out of range for month); write a date that exists."),
    Case("source-date-not-in-calendar", [write(GOOD + 'sources:\n  - url: https://example.org/a\n    date: "2018-02-30"\n')],
         BUILD, 1, f"{BAD}:16: sources[0].date: expected a date as YYYY-MM-DD or YYYY-MM, e.g. \"2018-06-11\"; "
         "2018-02-30 is not in the calendar."),
    Case("integer-5000-digits", [write(series_number(5000))], BUILD, 1,
         f"{BAD}:3: series.number: is 5,000 characters long; a one-line text such as a headline may hold at most 200 — shorten it."),
    Case("full-width-date", [write(GOOD.replace('date: "2018-07"', 'date: "２０１８-０７"'))], BUILD, 1,
         f"{BAD}:6: date: expected a month as YYYY-MM, e.g. \"2018-07\", not '２０１８-０７'."),
    Case("arabic-indic-date", [write(GOOD.replace('date: "2018-07"', 'date: "٢٠١٨-٠٧"'))], BUILD, 1,
         f"{BAD}:6: date: expected a month as YYYY-MM, e.g. \"2018-07\", not '٢٠١٨-٠٧'."),
    Case("full-width-length", [theme_replacing("margin_top: 22mm", "margin_top: ２２mm")], CHECK_TPL, 1,
         f"{THEME}:23: brief.page.margin_top: expected a length such as \"22mm\" or \"10.5pt\", not '２２mm'."),
    Case("epoch-huge", [], [str(CONTENT), "--out", "out"], 1,
         "SOURCE_DATE_EPOCH is '9999999999999999999999999999999999999999'; set it to a whole number of seconds since 1970 or unset it.",
         {"SOURCE_DATE_EPOCH": "9" * 5000}),
    Case("epoch-superscript", [], [str(CONTENT), "--out", "out"], 1,
         "SOURCE_DATE_EPOCH is '²'; set it to a whole number of seconds since 1970 or unset it.", {"SOURCE_DATE_EPOCH": "²"}),
    Case("epoch-letters-deck-only", [], ["slides", str(CONTENT), "--out", "out"], 1,
         "SOURCE_DATE_EPOCH is 'abc'; set it to a whole number of seconds since 1970 or unset it.", {"SOURCE_DATE_EPOCH": "abc"}),
    # --- options: refused by click before any work (exit 2) ---
    Case("pdf-variant-bogus", [], [str(CONTENT), "--out", "out", "--pdf-variant", "bogus"], 2,
         "Error: Invalid value for '--pdf-variant': 'bogus' is not one of 'pdf/ua-1', 'pdf/ua-2', 'pdf/a-1a', 'pdf/a-2a', "
         "'pdf/a-3a', 'pdf/a-1b', 'pdf/a-2b', 'pdf/a-3b', 'pdf/a-2u', 'pdf/a-3u', 'pdf/a-4u', 'pdf/a-4e', 'pdf/a-4f'."),
    Case("pdf-variant-upper-case", [], ["pdf", str(CONTENT), "--out", "out", "--pdf-variant", "PDF/UA-1"], 2,
         "Error: Invalid value for '--pdf-variant': 'PDF/UA-1' is not one of 'pdf/ua-1', 'pdf/ua-2', 'pdf/a-1a', 'pdf/a-2a', "
         "'pdf/a-3a', 'pdf/a-1b', 'pdf/a-2b', 'pdf/a-3b', 'pdf/a-2u', 'pdf/a-3u', 'pdf/a-4u', 'pdf/a-4e', 'pdf/a-4f'."),
    # --- templates ---
    Case("template-huge-range", [template("brief/brief.html", "<p>\n{% for i in range(10**9) %}x{% endfor %}</p>\n")], WITH_TPL, 1,
         "tpl/brief/brief.html:2: template stopped: the number 1000000000 passed to a call is larger than 1,000,000; "
         "use smaller numbers: templates loop over the template variables."),
    Case("template-huge-filter-argument", [template("brief/brief.html", "<p>\n{{ report.title | center(10**9) }}</p>\n")], WITH_TPL, 1,
         "tpl/brief/brief.html:2: template stopped: the number 1000000000 passed to a call is larger than 1,000,000; "
         "use smaller numbers: templates loop over the template variables."),
    Case("template-range-over-limit", [template("brief/brief.html", "<p>\n{% for i in range(20000) %}x{% endfor %}</p>\n")],
         WITH_TPL, 1, "tpl/brief/brief.html:2: template stopped: range() of 20,000 numbers is more than the 10,000 a template "
         "may loop over; loop over the template variables, not over large ranges."),
    Case("template-nested-loops", [template("brief/brief.html", "{% for i in range(10000) %}{% for j in range(10000) %}"
                                            "{% for k in range(10000) %}x{% endfor %}{% endfor %}{% endfor %}\n")], WITH_TPL, 1,
         "tpl/brief/brief.html:1: template stopped: the template takes more than 1,000,000 steps (loops inside loops?); "
         "loop over the template variables, not over large ranges."),
    Case("template-recursive-macro", [template("brief/brief.html", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(1) }}\n")],
         WITH_TPL, 1, "tpl/brief/brief.html:1: template stopped: macros or calls nested more than 50 deep (a macro that calls "
         "itself?); end the recursion: a macro may call itself only a few times."),
    Case("template-huge-text", [template("deck/deck.xml", "<deck>\n{{ 'x' * 1000000000 }}\n</deck>\n")],
         ["slides", *WITH_TPL], 1, "tpl/deck/deck.xml:2: template stopped: repeating a text or list to more than 1,000,000 "
         "items is too large for a template; loop over the template variables, not over large ranges."),
    Case("template-not-utf8", [template("brief/brief.html", NOT_UTF8)], WITH_TPL, 1,
         "tpl/brief/brief.html:2: is not UTF-8 text; save the template as UTF-8."),
    Case("template-division-by-zero", [template("brief/brief.html", "<p>\n{{ report.title }}{{ 1 / (point_count - point_count) }}</p>\n")],
         WITH_TPL, 1, "tpl/brief/brief.html:2: template error: ZeroDivisionError: division by zero; check the expression on that line."),
    # --- logos ---
    Case("logo-png-bomb", logo("logo.png", png_header(40_000, 40_000)), CHECK_TPL, 1,
         f"{THEME}:{LOGO_LINE}: logo 'logo.png' declares 40,000 × 40,000 pixels, more than the 40 million a logo may have; "
         "save it smaller (a few hundred pixels wide is plenty)."),
    Case("logo-broken-svg", logo("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5"'),
         CHECK_TPL, 1, f"{THEME}:{LOGO_LINE}: logo 'logo.svg' is not a valid SVG image (line 1: unclosed token); "
         "save it again from the drawing program."),
    Case("logo-svg-remote", logo("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                                 'viewBox="0 0 10 10"><image xlink:href="https://example.org/logo.png" width="9" height="9"/></svg>'),
         CHECK_TPL, 1, f"{THEME}:{LOGO_LINE}: logo 'logo.svg' refers to 'https://example.org/logo.png', which is not allowed: "
         "an SVG logo may use only itself, data: URLs and files next to it; copy the file next to the logo."),
    Case("logo-svg-outside-file", logo("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
                                       '<rect style="fill: url(../../secret.svg#x)" width="9" height="9"/></svg>'),
         CHECK_TPL, 1, f"{THEME}:{LOGO_LINE}: logo 'logo.svg' refers to '../../secret.svg#x', which is not allowed: "
         "an SVG logo may use only itself, data: URLs and files next to it; copy the file next to the logo."),
    Case("logo-svg-entities", logo("logo.svg", '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
                                   '<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>'),
         CHECK_TPL, 1, f"{THEME}:{LOGO_LINE}: logo 'logo.svg' is not a valid SVG image (it declares XML entities, which a logo "
         "must not); save it again from the drawing program."),
    # --- files ---
    Case("content-2-gb", [sparse(2_000_000_000)], BUILD, 1,
         f"{BAD}: is 2000.0 MB, more than the 1 MB a content file may hold; check it is the right file."),
    Case("content-fifo", [fifo], BUILD, 1, f"{BAD}: is not a regular file (a pipe, device or socket); name a saved .yaml file."),
    Case("alias-amplified-28kb", [write(alias_amplified())], BUILD, 1,
         f"{BAD}:13: the file holds more than 250,000 characters of text (YAML aliases counted each time they are used); "
         "a report needs far fewer — write the content out plainly or split it into several reports."),
    Case("import-over-existing-file", [write(report_text(["壹"]), "r.txt"), write("mine\n", "r.yaml")],
         ["import", "r.txt", "-o", "r.yaml"], 1, "r.yaml: already exists; add --force to replace it or choose another file with -o."),
    Case("cache-of-wrong-shape", [write('{"107005.pdf": "not a record", "107005.pptx": [1, 2]}', f"out/{CACHE_NAME}")],
         [str(CONTENT), "--out", "out"], 0, "wrote out/107005.pdf"),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(tmp_path, built, case):
    out = shutil.copytree(built, tmp_path / "out")
    for step in case.steps:
        step(tmp_path)
    before = snapshot(out)
    env = {**os.environ, **case.env} if case.env else None
    result = run_cli(*case.command, cwd=tmp_path, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == case.code, result.stderr
    if case.code == 0:
        assert case.message in result.stdout
        assert {name: data for name, (data, _) in snapshot(out).items() if name != CACHE_NAME} == \
            {name: data for name, (data, _) in before.items() if name != CACHE_NAME}
        return
    if case.code == 2:  # click's usage error: the usage, then the one line naming the option
        assert result.stderr.strip().splitlines()[-1] == case.message
    else:
        assert result.stderr.strip() == case.message
    assert snapshot(out) == before
    assert not list(tmp_path.rglob("*.part"))
    if case.command[0] == "import":
        assert not (tmp_path / "r.yaml").exists() or (tmp_path / "r.yaml").read_text(encoding="utf-8") == "mine\n"


def test_the_table_names_every_case_of_the_issue():
    """Issue 18's list of failing cases, each with its row."""
    named = {"sections-101", "topics-150", "import-101-sections", "date-not-in-calendar", "integer-5000-digits", "epoch-huge",
             "epoch-superscript", "pdf-variant-bogus", "pdf-variant-upper-case", "template-huge-range", "template-recursive-macro",
             "template-not-utf8", "template-nested-loops", "logo-png-bomb", "cache-of-wrong-shape", "content-2-gb", "content-fifo",
             "alias-amplified-28kb", "full-width-date", "arabic-indic-date", "full-width-length", "logo-broken-svg",
             "logo-svg-remote", "import-over-existing-file", "epoch-letters-deck-only"}
    assert named <= {case.name for case in CASES}


@pytest.mark.parametrize(("number", "section", "topic"), [
    (1, "壹", "一"), (10, "拾", "十"), (11, "拾壹", "十一"), (20, "貳拾", "二十"), (99, "玖拾玖", "九十九"),
    (100, "壹佰", "一百"), (101, "壹佰零壹", "一百零一"), (110, "壹佰壹拾", "一百一十"), (120, "壹佰貳拾", "一百二十"),
    (200, "貳佰", "二百"), (1001, "壹仟零壹", "一千零一"), (9999, "玖仟玖佰玖拾玖", "九千九百九十九"),
])
def test_numbering_keeps_working_beyond_99(number, section, topic):
    assert (section_numeral(number), topic_numeral(number)) == (section, topic)


def test_an_unbreakable_latin_word_is_cut_to_its_slide_box(tmp_path):
    """A 150-letter word in a headline: once written as one overlong line and 149 empty ones, now cut to lines that fit."""
    from pptx import Presentation

    from policybrief.compose.environment import search_path
    from policybrief.compose.theme import load_theme
    from policybrief.deck.fit import LATIN_ALLOWANCE

    word = "a" * 150
    text = CONTENT.read_text(encoding="utf-8").replace("headline: 北韓靠與中共經貿往來及輸出勞工挺過國際制裁", f"headline: {word}", 1)
    (tmp_path / BAD).write_text(text, encoding="utf-8")
    result = run_cli("slides", BAD, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    deck = Presentation(str(tmp_path / "out" / "107005.pptx"))
    shape = next(shape for slide in deck.slides for shape in slide.shapes if shape.has_text_frame and word[:40] in shape.text_frame.text)
    paragraph = next(p for p in shape.text_frame.paragraphs if word[:40] in "".join(r.text for r in p.runs) + p.text)
    lines = paragraph.text.split("\x0b")
    assert "".join(lines) == word and len(lines) > 1 and all(lines)
    measurer = load_theme(search_path()).fonts.slides.measurer(True, LATIN_ALLOWANCE)
    size = paragraph.runs[0].font.size.pt
    assert max(measurer.width(line, size) for line in lines) <= shape.width / 12700
