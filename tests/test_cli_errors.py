"""Bad content gives exit 1 and one exact message per problem, with file and line."""

from __future__ import annotations

import textwrap

import pytest

from .conftest import run_cli

GOOD = textwrap.dedent(
    """\
    series:
      name: 亞太政策報告系列
      number: "107005"
    title: 測試報告
    publisher: 亞太和平研究基金會
    date: "2018-07"
    sections:
      - heading: 第一部分
        topics:
          - heading: 主題
            points:
              - headline: 標題
                body: 內文。
    """
)

CASES = [
    ("syntax-error", "title: [unclosed\n", "bad.yaml:2: YAML syntax error: expected ',' or ']', but got '<stream end>'."),
    ("unknown-key", GOOD + "colour: red\n",
     "bad.yaml:14: colour: unknown key; allowed here: series, title, short_title, subtitle, publisher, date, "
     "keywords, editor, contributors, preface, sections, sources, series_list, extra."),
    ("missing-field", GOOD.replace("            body: 內文。\n", ""),
     "bad.yaml:12: sections[0].topics[0].points[0].body: field required."),
    ("wrong-type", GOOD.replace("title: 測試報告", "title: 42"), "bad.yaml:4: title: expected text, got the number 42."),
    ("wrong-type-list", GOOD.replace("    topics:\n", "    topics: 主題\n").split("      - heading: 主題")[0],
     "bad.yaml:9: sections[0].topics: expected a list (lines starting with '- '), got text."),
    ("empty-file", "", "bad.yaml:1: the file is empty; it must hold a mapping of keys such as 'title:'."),
    ("only-comments", "# nothing yet\n", "bad.yaml:1: the file is empty; it must hold a mapping of keys such as 'title:'."),
    ("top-level-list", "- title: x\n", "bad.yaml:1: the top level is a list; it must be a mapping of keys such as 'title:'."),
    ("top-level-scalar", "just text\n", "bad.yaml:1: the top level is a single value; it must be a mapping of keys such as 'title:'."),
    ("empty-headline", GOOD.replace("headline: 標題", 'headline: ""'),
     "bad.yaml:12: sections[0].topics[0].points[0].headline: must not be empty."),
    ("duplicate-key", GOOD.replace("title: 測試報告\n", "title: 測試報告\ntitle: 又一個\n"),
     "bad.yaml:5: title: duplicate key (first at line 4); keep only one."),
    ("bad-date", GOOD.replace('date: "2018-07"', "date: 2018-07-01"),
     'bad.yaml:6: date: expected a month as YYYY-MM, e.g. "2018-07" (without the day).'),
    ("no-topics", GOOD.split("    topics:")[0] + "    topics: []\n",
     "bad.yaml:9: sections[0].topics: must have at least one item."),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_content_is_one_clear_message(tmp_path, name, text, expected):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run_cli("check", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == expected
    assert "Traceback" not in result.stderr


def test_every_problem_is_reported_at_once(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("title: 測試報告", "title: 42").replace("headline: 標題", "headline: ''") + "x: 1\n", encoding="utf-8")
    result = run_cli("check", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert [line.split(":")[1] for line in result.stderr.splitlines()] == ["4", "12", "14"]


def test_build_stops_before_writing_anything(tmp_path):
    (tmp_path / "bad.yaml").write_text("title: 42\n", encoding="utf-8")
    result = run_cli("bad.yaml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_missing_file(tmp_path):
    result = run_cli("check", "nope.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (1, "nope.yaml: no such file; check the path.")


def test_debug_shows_the_traceback(tmp_path):
    (tmp_path / "bad.yaml").write_text("title: 42\n", encoding="utf-8")
    result = run_cli("check", "bad.yaml", "--debug", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" in result.stderr


def test_check_passes_on_shipped_content():
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok: 亞太政策報告系列 No. 107005 (16 topics)"


@pytest.mark.parametrize("args", [["--help"], ["all", "--help"], ["pdf", "--help"], ["slides", "--help"], ["check", "--help"]])
def test_help(args):
    result = run_cli(*args)
    assert result.returncode == 0 and "Usage: build.py" in result.stdout
