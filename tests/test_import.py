"""The importer: report texts (the real 107005 and two of the tests' own) into content YAML."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from policybrief.importer.report import import_report, to_yaml
from policybrief.typography.text import normalise
from tests.conftest import CONTENT, run_cli

REPORT = Path(__file__).parent / "data" / "107005-report.txt"  # a copy of ../shared/reports/: tests need no sibling folder
DATA = REPORT.parent


def tree(data: dict) -> list:
    """Return the 提要 as nested tuples: (heading, [(heading, [(headline, body)])])."""
    return [
        (s["heading"], [(t["heading"], [(p["headline"], normalise(p["body"])) for p in t["points"]]) for t in s["topics"]])
        for s in data["sections"]
    ]


def test_107005_matches_the_shipped_content():
    imported = import_report(REPORT)
    shipped = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    assert imported.counts == (4, 16, 26)
    assert tree(imported.data) == tree(shipped)
    assert imported.warnings == []
    for key in ("series", "title", "subtitle", "publisher", "date", "editor", "contributors", "preface", "series_list"):
        assert imported.data[key] == shipped[key], key
    assert [s["url"] for s in imported.data["sources"]] == [s["url"] for s in shipped["sources"]]
    cited = {s["url"]: s for s in shipped["sources"] if "title" in s}
    assert [s for s in imported.data["sources"] if "title" in s] == list(cited.values())


def summary_characters(path: Path) -> Counter:
    """Return the non-space characters of the 提要 region, less page furniture and numbering labels."""
    text = path.read_text(encoding="utf-8")
    running_title = re.search(r"《(.+?)》", text.replace("\n", ""))[1]
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "提要")
    end = next(i for i, line in enumerate(lines) if i > start and re.match(r"\s*(壹、\s*前言|【)", line))
    kept = []
    for line in lines[start + 1 : end]:
        text = line.strip()
        if re.fullmatch(r"(\d{1,3}|[ivxIVX]{1,6})?", text) or text == running_title:
            continue
        kept.append(re.sub(r"^([壹貳參肆伍]|[一二三四五六七八九十]+)、|^[●\uf06c]", "", text))
    return Counter("".join(kept).replace(" ", ""))


@pytest.mark.parametrize("path", [REPORT, DATA / "report-a.txt", DATA / "report-b.txt"], ids=["107005", "report-a", "report-b"])
def test_nothing_of_the_summary_is_lost(path):
    imported = import_report(path)
    fields = [s["heading"] for s in imported.data["sections"]]
    for section in imported.data["sections"]:
        for topic in section["topics"]:
            fields.append(topic["heading"])
            fields.extend(p["headline"] + p["body"] for p in topic["points"])
    assert Counter("".join(fields).replace(" ", "")) == summary_characters(path)


def test_report_a_tree():
    imported = import_report(DATA / "report-a.txt")
    assert imported.warnings == []
    assert tree(imported.data) == [
        ("供應鏈重組的背景", [
            ("美「中」科技競爭加劇", [
                ("美國推動5G與AI出口管制", "美國商務部於2019年將多家中國大陸企業列入實體清單，限制其取得美國技術。"),
                ("中共加速自主研發", "中共提出「中國製造2025」，投入大量資金扶植半導體產業。"),
            ]),
        ]),
        ("主要國家的因應", [
            ("日本、韓國與歐盟調整產業政策並強化與美國在關鍵技術上的合作", [
                ("日本補助企業回流", "日本政府編列預算補助企業將生產線移回日本或分散至東南亞。"),
                ("韓國力保記憶體優勢", "韓國政府宣示將持續投資記憶體產業，維持其全球領先地位。"),
                ("歐盟推動晶片法案", "歐盟規劃以公私協力方式，提高其在全球晶片生產的占比，並吸引台灣積體電路製造公司（Taiwan Semiconductor Manufacturing Company）赴歐設廠。"),
                ("印度提出生產連結獎勵計畫", "印度以生產連結獎勵計畫吸引電子大廠赴印投資，成效逐漸顯現，惟基礎設施仍待改善。"),
            ]),
        ]),
        ("東南亞的角色", [
            ("越南成為主要受惠國", [
                ("外資大舉進駐北部工業區", "越南憑藉低廉勞動成本與多項自由貿易協定，吸引大量外資進駐，出口持續成長，但電力供應與技術人才不足的問題亦逐漸浮現，未來能否持續承接產能仍有待觀察。"),
            ]),
        ]),
        ("對我之影響", [
            ("產業外移與回流並存", [("台商回台投資金額創新高", "政府推動「歡迎台商回台投資行動方案」，帶動大量資金回流。")]),
            ("人才與能源成為瓶頸", [("科技人才供不應求", "半導體產業擴張迅速，工程人才明顯不足。")]),
        ]),
        ("政策建議", [
            ("深化與理念相近國家合作", [("與美日建立供應鏈韌性夥伴關係", "我國應積極參與美日主導的供應鏈倡議，確保關鍵產業的地位。")]),
        ]),
    ]
    assert imported.data["series"] == {"name": "亞太政策報告系列", "number": "108001"}
    assert imported.data["date"] == "2019-03"
    assert imported.data["editor"] == {"name": "王大明", "role": "本會經濟研究小組召集人", "affiliation": "政治大學國際經營與貿易學系教授"}
    assert imported.data["contributors"] == [
        {"name": "李小華", "affiliation": "中央研究院經濟研究所研究員", "subject": "印太供應鏈重組"},
        {"name": "陳志遠", "affiliation": "清華大學科技管理研究所副教授", "subject": "「新南向」與我因應之道"},
    ]


def test_report_b_tree_and_warning():
    imported = import_report(DATA / "report-b.txt")
    assert tree(imported.data) == [
        ("數位貿易規則的演進", [
            ("WTO電子商務談判進展緩慢", [
                ("97個會員參與聯合聲明倡議", "截至2020年，共有97個WTO會員參與電子商務聯合聲明倡議，涵蓋全球貿易九成以上。"),
                ("關稅暫停措施延長", "各會員同意延長電子傳輸免徵關稅的暫停措施，但部分開發中國家仍有保留。"),
            ]),
            ("區域協定成為主要平臺", [
                ("CPTPP第14章規範跨境資料流通", "CPTPP要求締約方允許跨境傳輸資訊，並禁止強制要求設施在地化。"),
                ("DEPA採模組化設計", "新加坡、智利與紐西蘭簽署的DEPA（Digital Economy Partnership Agreement）採模組化設計，便於其他國家加入。"),
                ("RCEP納入電子商務專章", "RCEP的電子商務專章首次將中國大陸納入區域性數位規則。"),
            ]),
        ]),
        ("我國參與策略", [
            ("以CPTPP為優先目標", [("調整國內法規與國際接軌", "我國應檢視個人資料保護法等相關法規，以符合高標準協定的要求。")]),
        ]),
    ]
    assert {k: imported.data[k] for k in ("series", "title", "publisher", "date", "preface")} == {
        "series": {"name": "亞太政策報告系列", "number": "109010"},
        "title": "數位貿易規則與我國參與策略",
        "publisher": "台灣政策研究基金會",
        "date": "2020-11",
        "preface": ["本報告探討數位貿易規則的最新發展，供各界參考。"],
    }
    assert "editor" not in imported.data and "contributors" not in imported.data
    name = str(DATA / "report-b.txt")
    assert imported.warnings == [
        f"{name}:20: warning: the paragraph here ends without a final space; the next line is read as a new heading or point."
    ]


def test_yaml_is_readable_and_loads_back():
    imported = import_report(REPORT)
    text = to_yaml(imported)
    assert text.startswith("# 亞太政策報告系列 No. 107005 — imported from 107005-report.txt.\n")
    assert yaml.safe_load(text) == imported.data
    assert list(yaml.safe_load(text)) == ["series", "title", "subtitle", "publisher", "date", "editor", "contributors", "preface", "sections", "sources", "series_list"]
    body = imported.data["sections"][2]["topics"][1]["points"][2]["body"]
    assert f"      body: {body}\n" in text


def test_cli_import_prints_warnings_with_line_numbers(tmp_path):
    out = tmp_path / "imported.yaml"
    result = run_cli("import", str(DATA / "report-b.txt"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out} (2 sections, 3 topics, 6 points, 1 warning)\n"
    assert result.stderr == f"{DATA / 'report-b.txt'}:20: warning: the paragraph here ends without a final space; the next line is read as a new heading or point.\n"


@pytest.mark.parametrize("report", [REPORT, DATA / "report-a.txt", DATA / "report-b.txt"], ids=["107005", "report-a", "report-b"])
def test_imported_yaml_checks_and_builds_unchanged(tmp_path, report):
    out = tmp_path / "imported.yaml"
    assert run_cli("import", str(report), "-o", str(out)).returncode == 0
    first = out.read_bytes()
    assert run_cli("import", str(report), "-o", str(out), "--force").returncode == 0  # -o never replaces a file unasked
    assert out.read_bytes() == first, "the same report must give the same YAML"
    assert run_cli("check", str(out)).returncode == 0
    result = run_cli(str(out), "--out", str(tmp_path / "build"))
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", str(tmp_path / "build" / "imported.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    headline = yaml.safe_load(first)["sections"][-1]["topics"][-1]["points"][-1]["headline"]
    assert headline in text.replace("\n", "")
    from pptx import Presentation

    assert len(Presentation(tmp_path / "build" / "imported.pptx").slides) > 0


def test_cli_default_output_refuses_to_overwrite(tmp_path):
    (tmp_path / "content").mkdir()
    first = run_cli("import", str(DATA / "report-a.txt"), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "content" / "108001.yaml").is_file()
    again = run_cli("import", str(DATA / "report-a.txt"), cwd=tmp_path)
    assert (again.returncode, again.stderr) == (1, f"{Path('content') / '108001.yaml'}: already exists; add --force to replace it or choose another file with -o.\n")
    forced = run_cli("import", str(DATA / "report-a.txt"), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr


HEAD = "序 \n謹此。 \n亞太和平研究基金會 謹誌 \n中華民國 110年 1月 \n《題目》 \n提要 \n壹、背景 \n一、 緣起 \n 標題一 \n"
TAIL = "【亞太政策報告系列】 \nNo. 110001 題目 \n"


@pytest.mark.parametrize(
    ("middle", "expected", "warning"),
    [
        (
            "各國已開始部署5G \n 標題二 \n內文二。 \n",
            [("標題一", "各國已開始部署5G"), ("標題二", "內文二。")],
            "11: warning: the paragraph above ends in a Latin word; this line is read as a new heading or point.",
        ),
        (
            "美國與日本\n二、 將持續合作。 \n",
            [("標題一", "美國與日本二、將持續合作。")],
            "11: warning: looks like a heading but the line above is unfinished; read as its continuation.",
        ),
    ],
    ids=["latin-end", "unfinished-line"],
)
def test_uncertain_decisions_warn_with_line_numbers(tmp_path, middle, expected, warning):
    path = tmp_path / "r.txt"
    path.write_text(HEAD + middle + TAIL, encoding="utf-8")
    imported = import_report(path)
    assert [(p["headline"], p["body"]) for p in imported.data["sections"][0]["topics"][0]["points"]] == expected
    assert imported.warnings == [f"{path}:{warning}"]


def test_trimmed_final_spaces_are_guessed_from_line_lengths(tmp_path):
    trimmed = tmp_path / "trimmed.txt"
    trimmed.write_text("\n".join(line.rstrip() for line in REPORT.read_text(encoding="utf-8").splitlines()), encoding="utf-8")
    imported = import_report(trimmed)
    assert tree(imported.data) == tree(yaml.safe_load(CONTENT.read_text(encoding="utf-8")))
    assert imported.warnings[0] == f"{trimmed}:52: warning: no line ends with a space (were they trimmed?); paragraph ends are guessed from line lengths, check every point."
    assert all(": warning: " in warning for warning in imported.warnings)
    assert imported.data["sources"] == import_report(REPORT).data["sources"]


def test_numeral_or_bullet_alone_on_its_line(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(HEAD.replace("一、 緣起 \n 標題一 \n", "一、 \n緣起 \n(cid:108) \n標題一 \n") + "內文。 \n" + TAIL, encoding="utf-8")
    topic = import_report(path).data["sections"][0]["topics"][0]
    assert (topic["heading"], topic["points"]) == ("緣起", [{"headline": "標題一", "body": "內文。"}])


def test_contributors_that_cannot_all_be_read_warn(tmp_path):
    path = tmp_path / "r.txt"
    preface = "本報告由本會召集人暨甲大學教授王大明綜整，邀請乙大學教授李小華、丙先生及丁大學副教授陳志遠，分別就「議題一」、「議題二」等子議題進行座談。 \n"
    path.write_text(HEAD.replace("謹此。 \n", preface) + "內文。 \n" + TAIL, encoding="utf-8")
    imported = import_report(path)
    assert imported.data["contributors"] == [
        {"name": "李小華", "affiliation": "乙大學教授"},
        {"name": "陳志遠", "affiliation": "丁大學副教授"},
    ]
    assert imported.warnings == [f"{path}:1: warning: the 序 invites about 3 contributors but 2 could be read; add the others and the subjects by hand."]
