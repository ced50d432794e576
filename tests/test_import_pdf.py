"""Importing a report PDF: one rendered by WeasyPrint (Noto CJK TC, zh-TW, A4, running title, page numbers)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from policybrief.importer.report import import_report
from tests.conftest import run_cli
from tests.test_import import tree

LONG = "本段說明各國政策調整的背景與影響，" * 45 + "並提出具體建議。"
STYLE = """
@page { size: A4; margin: 25mm 25mm 30mm; @top-center { content: "印太供應鏈重組對我之影響" } @bottom-center { content: counter(page); } }
html { font-family: "Noto Sans CJK TC"; font-size: 12pt; line-height: 1.8 }
p { margin: 0 0 6pt; orphans: 1; widows: 1; text-align: justify }
.headline { padding-left: 2em; font-weight: bold }
.flat { font-weight: bold }
.bullet::before { content: "●"; margin-right: .5em }
.date { text-align: right }
"""
BODY = f"""
<p>序</p><p>本報告探討供應鏈重組，供各界參考。</p><p>亞太和平研究基金會 謹誌</p><p class="date">中華民國 108年 3月</p>
<p>《印太供應鏈重組對我之影響》</p><p>政策報告</p><p>提要</p>
<p>壹、供應鏈重組的背景</p><p>一、美「中」科技競爭加劇</p>
<p class="headline">美國推動5G與AI出口管制</p>
<p>美國商務部於2019年將多家企業列入實體清單，限制其取得美國技術，並與荷蘭（Netherlands）協調管制。</p>
<p class="headline bullet">中共加速自主研發</p><p>{LONG}</p>
<p class="flat">貳、主要國家的因應</p><p class="flat">一、日本、韓國與歐盟調整產業政策並強化與美國在關鍵技術上的合作以確保供應鏈安全</p>
<p class="flat">日本補助企業回流</p><p>國務卿蓬佩奧（Mike Pompeo）訪日後，日本政府編列預算補助企業將生產線移回日本。</p>
<p>【亞太政策報告系列】</p><p>No. 108001 印太供應鏈重組對我之影響</p>
"""


def render(path: Path) -> Path:
    """Return ``path`` after writing the report-like page to it as a PDF."""
    from weasyprint import HTML

    HTML(string=f'<!doctype html><html lang="zh-TW"><head><meta charset="utf-8"><style>{STYLE}</style></head><body>{BODY}</body></html>').write_pdf(path)
    return path


def test_pdf_report_imports_its_tree(tmp_path):
    pdf = render(tmp_path / "report.pdf")
    first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "本段說明" in first_page and "並提出具體建議" not in first_page, "the long body must cross a page break"
    imported = import_report(pdf)
    assert imported.warnings == []
    assert tree(imported.data) == [
        ("供應鏈重組的背景", [
            ("美「中」科技競爭加劇", [
                ("美國推動5G與AI出口管制", "美國商務部於2019年將多家企業列入實體清單，限制其取得美國技術，並與荷蘭（Netherlands）協調管制。"),
                ("中共加速自主研發", LONG),
            ]),
        ]),
        ("主要國家的因應", [
            ("日本、韓國與歐盟調整產業政策並強化與美國在關鍵技術上的合作以確保供應鏈安全", [
                ("日本補助企業回流", "國務卿蓬佩奧（Mike Pompeo）訪日後，日本政府編列預算補助企業將生產線移回日本。"),
            ]),
        ]),
    ]
    assert {k: imported.data[k] for k in ("series", "title", "publisher", "date", "preface")} == {
        "series": {"name": "亞太政策報告系列", "number": "108001"},
        "title": "印太供應鏈重組對我之影響",
        "publisher": "亞太和平研究基金會",
        "date": "2019-03",
        "preface": ["本報告探討供應鏈重組，供各界參考。"],
    }


def test_pdf_import_through_the_cli_builds(tmp_path):
    pdf = render(tmp_path / "report.pdf")
    out = tmp_path / "content" / "report.yaml"
    result = run_cli("import", str(pdf), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["series"]["number"] == "108001"
    built = run_cli(str(out), "--out", str(tmp_path / "build"))
    assert built.returncode == 0, built.stderr
