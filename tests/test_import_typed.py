"""Importing text typed by hand (the format of docs/importing.md), and a brief this tool made, back to its content."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from policybrief.importer.report import import_report

from .conftest import CONTENT, ROOT, run_cli

FRONT = textwrap.dedent("""\
    《臺灣離岸風電的機會與挑戰》
    政策報告

    序

    本報告綜整本會研究小組的討論，供各界參考。

    亞太和平研究基金會 謹誌
    中華民國113年5月

    提要
    """)
BACK = textwrap.dedent("""\
    【亞太政策報告系列】
    No. 113001 印太經濟架構的進展
    No. 113002 臺灣離岸風電的機會與挑戰
    """)
EXPECTED = [
    {"heading": "發展現況", "topics": [{"heading": "裝置容量快速成長", "points": [
        {"headline": "第一階段目標如期達成", "body": "2025年累計裝置容量已逾三吉瓦，較五年前成長十倍。"},
        {"headline": "在地供應鏈逐步成形", "body": "水下基礎與海纜已有國內廠商投入生產。"},
    ]}]},
    {"heading": "未來挑戰", "topics": [{"heading": "併網與儲能", "points": [
        {"headline": "電網強化須加速", "body": "離岸風電集中於中部外海，輸電線路需及早規劃。"},
    ]}]},
]

STYLES = {
    # ● headlines, blank lines between paragraphs, a body wrapped by hand, no final spaces, 貳、 after blank lines
    "bullets-blank-lines": """\
壹、發展現況

一、裝置容量快速成長

● 第一階段目標如期達成
2025年累計裝置容量已逾三吉瓦，
較五年前成長十倍。


● 在地供應鏈逐步成形
水下基礎與海纜已有國內廠商投入生產。



貳、未來挑戰
一、併網與儲能
● 電網強化須加速
離岸風電集中於中部外海，輸電線路需及早規劃。
""",
    # numbered headlines, bodies indented with full-width spaces, no blank lines at all
    "numbered-indented": """\
壹、發展現況
一、裝置容量快速成長
1. 第一階段目標如期達成
　　2025年累計裝置容量已逾三吉瓦，
較五年前成長十倍。
2. 在地供應鏈逐步成形
　　水下基礎與海纜已有國內廠商投入生產。
貳、未來挑戰
一、併網與儲能
（1）電網強化須加速
　　離岸風電集中於中部外海，輸電線路需及早規劃。
""",
    # ■ and • headlines, a trailing space (written $ here) at the end of each paragraph (the extracted convention),
    # blank lines here and there
    "trailing-spaces": """\
壹、發展現況$
一、裝置容量快速成長$
■ 第一階段目標如期達成$
2025年累計裝置容量已逾三吉瓦，
較五年前成長十倍。$

• 在地供應鏈逐步成形$
水下基礎與海纜已有國內廠商投入生產。$

貳、未來挑戰$
一、併網與儲能$
■ 電網強化須加速$
離岸風電集中於中部外海，輸電線路需及早規劃。$
""",
}


@pytest.mark.parametrize("style", list(STYLES))
def test_hand_typed_text_imports_to_the_expected_structure(tmp_path, style):
    report = tmp_path / "report.txt"
    report.write_text(FRONT + "\n" + STYLES[style].replace("$\n", " \n") + "\n" + BACK, encoding="utf-8")
    imported = import_report(report, "report.txt")
    assert imported.data["sections"] == EXPECTED
    assert imported.data["series"] == {"name": "亞太政策報告系列", "number": "113002"}
    assert imported.data["series_list"][-1] == {"number": "113002", "title": "臺灣離岸風電的機會與挑戰"}
    assert (imported.data["title"], imported.data["subtitle"], imported.data["date"]) == ("臺灣離岸風電的機會與挑戰", "政策報告", "2024-05")
    assert imported.data["publisher"] == "亞太和平研究基金會"
    assert imported.warnings == []


def test_the_documented_example_imports_as_written():
    imported = import_report(ROOT / "examples" / "import" / "report.txt", "report.txt")
    assert imported.data["sections"] == EXPECTED and imported.warnings == []


@pytest.mark.parametrize(("summary", "message"), [
    ("壹、發展現況\n一、裝置容量快速成長\n● 第一階段目標如期達成\n● 在地供應鏈逐步成形\n水下基礎。\n",
     "report.txt:14: could not place 「● 第一階段目標如期達成」: the headline is not followed by its body"),
    ("壹、發展現況\n一、裝置容量快速成長\n第一階段目標如期達成\n水下基礎。\n",
     "report.txt:14: could not place 「第一階段目標如期達成」: it is neither a heading, a point's headline nor part of a body"),
    ("壹、發展現況\n參、未來挑戰\n",
     "report.txt:13: could not place 「參、未來挑戰」: section 參、 is out of order (expected 貳、)"),
], ids=["headline-without-body", "no-headline-marks", "section-out-of-order"])
def test_text_whose_structure_cannot_be_read_stops_at_its_line(tmp_path, summary, message):
    (tmp_path / "report.txt").write_text(FRONT + summary + "\n" + BACK, encoding="utf-8")
    result = run_cli("import", "report.txt", "-o", "draft.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(message), result.stderr
    assert not (tmp_path / "draft.yaml").exists()


def test_a_brief_made_by_this_tool_imports_back_to_the_same_content(built, tmp_path):
    result = run_cli("import", str(built / "107005.pdf"), "-o", "back.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    back = yaml.safe_load((tmp_path / "back.yaml").read_text(encoding="utf-8"))
    original = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    for key in ("series", "title", "subtitle", "date", "publisher", "series_list"):
        assert back[key] == original[key], key
    assert [s["heading"] for s in back["sections"]] == [s["heading"] for s in original["sections"]]
    for mine, theirs in zip(back["sections"], original["sections"], strict=True):
        assert [t["heading"] for t in mine["topics"]] == [t["heading"] for t in theirs["topics"]]
        for topic, source in zip(mine["topics"], theirs["topics"], strict=True):
            assert [(p["headline"], p["body"]) for p in topic["points"]] == [(p["headline"], p["body"]) for p in source["points"]]
    # and it checks: the imported file is content this tool builds
    assert run_cli("check", "back.yaml", cwd=tmp_path).returncode == 0
