"""Fuzzing the command line: whatever the content, theme, templates and arguments, a run ends cleanly.

Hypothesis makes variations of a small report (values replaced, keys
dropped, raw YAML lines swapped in), of the theme (a key given a wrong or odd
value), of a template (a fragment of Jinja, good or hostile) and of the
arguments. Each run must end with exit code 0, 1 or 2, print a message (what
it wrote, or what is wrong), never a traceback, and when it fails leave the
previous build's outputs byte-identical. The runs are in-process
(``run_cli``), bounded by a number of examples rather than a timer, and
derandomised: the same examples every time, so a failure reproduces.
"""

from __future__ import annotations

import itertools
import shutil
from datetime import date

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ROOT, run_cli
from .test_cli_errors import GOOD
from .test_robustness import snapshot

NAME = "107005.yaml"  # the name of yesterday's build: a run that fails must leave its outputs alone
THEME = (ROOT / "templates" / "theme.yaml").read_text(encoding="utf-8")
EXAMPLES = 50  # about 20 s on this 2-core machine

# Characters a careless paste or a hostile file brings: CJK and Latin, full-width and Arabic-Indic digits,
# punctuation that must not start or end a line, controls, direction marks, an emoji, YAML's own syntax.
ALPHABET = list("報告政策朝鮮半島美中關係abcXYZ 0123456789２０１٣٤。，、「」（）—…\n\t\x07\u200f😀-:#&*![]{}'\"%")
TEXT = st.text(alphabet=st.sampled_from(ALPHABET), max_size=40)
VALUE = st.one_of(
    TEXT, st.integers(min_value=-(10**9), max_value=10**9), st.booleans(), st.none(),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.floats(allow_nan=True),
    st.lists(TEXT, max_size=3), st.dictionaries(st.sampled_from(["headline", "body", "x"]), TEXT, max_size=2),
)
# Key paths of GOOD a variation may change or drop.
PATHS = [
    ("series", "name"), ("series", "number"), ("title",), ("publisher",), ("date",), ("short_title",), ("keywords",),
    ("sections", 0, "heading"), ("sections", 0, "topics"), ("sections", 0, "topics", 0, "heading"),
    ("sections", 0, "topics", 0, "points"), ("sections", 0, "topics", 0, "points", 0, "headline"),
    ("sections", 0, "topics", 0, "points", 0, "body"), ("sections", 0, "topics", 0, "points", 0, "on_slides"),
    ("sources",), ("preface",),
]
# Whole lines of raw YAML that a data structure cannot express.
RAW_LINES = [
    "date: 2018-02-30", "date: 2018-13-01", 'date: "２０１８-０７"', "number: " + "9" * 5000, "title: !!python/object:os.system x",
    "title: &a 報告", "publisher: *a", "publisher: *missing", "\ttitle: tab", "title: [", "title: '", "sections: {}",
    "title: " + "長" * 300, "? [a]\n: b", "title: 報告\ntitle: 重複", "\x85", "title: \ufeff報告",
]
THEME_KEYS = [
    ('accent: "#1F3864"', "accent"), ("margin_top: 22mm", "margin_top"), ("title_size: 36", "title_size"),
    ("max_points: 4", "max_points"), ("line_height: 1.8", "line_height"), ("size: A4", "size"), ("bodies: slides", "bodies"),
]
THEME_VALUES = st.one_of(
    st.sampled_from(['"#000000"', "navy", "２２mm", "22mm", "1e999", "-5", "0", "9" * 5000, "A4 landscape", "notes", '""',
                     "[1, 2]", "{a: b}", "~"]),
    st.integers(min_value=-100, max_value=10**6).map(str),
)
TEMPLATE_FRAGMENTS = [
    "{{ report.title }}", "{% for s in sections %}{{ s.label }}{{ s.heading }}{% endfor %}", "{{ 1 / 0 }}", "{% if %}",
    "{{ no_such }}", "{{ report.__class__ }}", "{% for i in range(10**9) %}x{% endfor %}", "{{ 'x' * 10**8 }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", '{% include "../../etc/passwd" %}', "{{ report.title | upper }}",
    "{{ roc_date }} {{ build_date.year }}", "{% for i in range(50) %}{% for j in range(50) %}{{ i * j }}{% endfor %}{% endfor %}",
    '<img src="https://example.org/x.png">', "{{ '%9999999999d' % 1 }}", "{{ 10 ** 10 ** 10 }}", "{{ report.sections[99] }}",
]
COMMANDS = st.sampled_from([["check"], ["check"], ["check"], ["slides"], ["pdf"], []])
OPTIONS = st.lists(st.sampled_from([["--force"], ["--pdf-variant", "pdf/a-3u"], ["--pdf-variant", "bogus"],
                                    ["--pdf-variant", "PDF/UA-1"], ["--bogus"], ["--out"], ["--templates", "nowhere"]]), max_size=2)


def changed(data: dict, path: tuple, value: object) -> dict:
    """Return ``data`` with the value at ``path`` replaced by ``value`` (dropped when it is the marker ``...``)."""
    data = yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))  # a deep copy
    holder = data
    for part in path[:-1]:
        try:
            holder = holder[part]
        except (KeyError, IndexError, TypeError):
            return data
    if not isinstance(holder, (dict, list)):
        return data
    if value is ...:
        if isinstance(holder, dict):
            holder.pop(path[-1], None)
    elif isinstance(holder, dict) or (isinstance(holder, list) and path[-1] < len(holder)):
        holder[path[-1]] = value
    return data


@st.composite
def content(draw) -> str:
    """Return the text of a content file: GOOD with a few values changed or dropped, and maybe a raw YAML line."""
    data = yaml.safe_load(GOOD)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
        data = changed(data, draw(st.sampled_from(PATHS)), draw(st.one_of(VALUE, st.just(...))))
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if not draw(st.integers(0, 3)):
        lines = text.splitlines()
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(RAW_LINES)))
        text = "\n".join(lines) + "\n"
    return text


@st.composite
def theme(draw) -> str | None:
    """Return a theme.yaml (the built-in one with a key changed), or None to keep the built-in theme."""
    if draw(st.integers(0, 3)):
        return None
    line, key = draw(st.sampled_from(THEME_KEYS))
    return THEME.replace(line, f"{key}: {draw(THEME_VALUES)}", 1)


@st.composite
def template(draw) -> tuple[str, str] | None:
    """Return (name, source) of a template override made of fragments, or None to keep the built-in templates."""
    if draw(st.integers(0, 2)):
        return None
    fragments = draw(st.lists(st.sampled_from(TEMPLATE_FRAGMENTS), min_size=1, max_size=3))
    name = draw(st.sampled_from(["brief/brief.html", "deck/deck.xml"]))
    if name == "deck/deck.xml":
        return name, "<deck>\n<slide layout=\"closing\"><title>" + "\n".join(fragments) + "</title></slide>\n</deck>\n"
    return name, '{% extends "brief/base.html" %}\n{% block cover %}\n' + "\n".join(fragments) + "\n{% endblock %}\n"


_runs = itertools.count()


@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=content(), theme_text=theme(), override=template(), command=COMMANDS, options=OPTIONS)
def test_any_run_ends_with_a_message_and_no_traceback(tmp_path, built, text, theme_text, override, command, options):
    folder = tmp_path / f"run-{next(_runs)}"
    out = shutil.copytree(built, folder / "out")
    (folder / NAME).write_text(text, encoding="utf-8")
    arguments = [*command, NAME]
    if theme_text is not None or override is not None:
        (folder / "tpl").mkdir()
        if theme_text is not None:
            (folder / "tpl" / "theme.yaml").write_text(theme_text, encoding="utf-8")
        if override is not None:
            (folder / "tpl" / override[0]).parent.mkdir(parents=True, exist_ok=True)
            (folder / "tpl" / override[0]).write_text(override[1], encoding="utf-8")
        arguments += ["--templates", "tpl"]
    if command != ["check"]:
        arguments += ["--out", "out"]
        arguments += [part for option in options for part in option]
    before = snapshot(out)

    result = run_cli(*arguments, cwd=folder)

    assert "Traceback" not in result.stderr, f"{arguments}\n{result.stderr}"
    assert result.returncode in (0, 1, 2), f"{arguments}\n{result.stderr}"
    if result.returncode == 0:
        assert result.stdout.strip(), arguments
    else:
        assert result.stderr.strip(), arguments
        assert snapshot(out) == before, f"a failed run changed the earlier outputs: {arguments}\n{result.stderr}"
        assert not list(folder.rglob("*.part"))
    shutil.rmtree(folder)


@pytest.mark.parametrize("line", RAW_LINES)
def test_raw_yaml_lines_of_the_fuzzer_end_cleanly(tmp_path, line):
    """Each raw line once, in `check`: the fuzzer's rarest inputs are not left to chance."""
    (tmp_path / NAME).write_text(GOOD.replace("publisher:", line + "\npublisher:", 1), encoding="utf-8")
    result = run_cli("check", NAME, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1) and (result.stdout if result.returncode == 0 else result.stderr).strip()
