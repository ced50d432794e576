"""Bad input to ``build.py import``: one exact message, exit code 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli


def _blank_pdf(path: Path) -> None:
    """Write a PDF page that holds a coloured box and no text."""
    from weasyprint import HTML

    HTML(string='<html lang="zh-TW"><body><div style="height:5cm;background:#345"></div></body></html>').write_pdf(path)


BAD = [
    ("missing.txt", None, "missing.txt: no such file; name a report as a .txt or .pdf file."),
    ("folder", lambda path: path.mkdir(), "folder: is a folder; name a report as a .txt or .pdf file."),
    ("no-summary.txt", "序 \n本報告探討數位貿易。 \n壹、 前言 \n", "no-summary.txt: no 提要 found (a line reading 提要 followed by sections 壹、貳…); import needs a report of the series."),
    ("garbage.bin", bytes(range(256)) * 4, "garbage.bin: is neither a UTF-8 text nor a PDF; give the report as a .txt (UTF-8) or .pdf file."),
    ("broken.pdf", b"%PDF-1.7\n\x00\x01 this is not a pdf", "broken.pdf: cannot be read as a PDF (PDFSyntaxError); give the report's PDF or its text."),
    ("scan.pdf", _blank_pdf, "scan.pdf: the PDF holds no text (a scan?); give a PDF with a text layer or the report's text."),
    ("orphan.txt", "《題目》 \n提要 \n壹、背景 \n一、 緣起 \n 標題 \n內文。 \n貳、建議 \n", "orphan.txt:7: could not place 「貳、建議」: the section has no topic (一、…); fix the report text and import again."),
    ("order.txt", "《題目》 \n提要 \n壹、背景 \n一、 緣起 \n 標題 \n內文。 \n參、建議 \n", "order.txt:7: could not place 「參、建議」: section 參、 is out of order (expected 貳、); fix the report text and import again."),
    ("stray.txt", "《題目》 \n提要 \n壹、背景 \n說明文字。 \n", "stray.txt:4: could not place 「說明文字。」: it is neither a heading, a point's headline nor part of a body; fix the report text and import again."),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[row[0] for row in BAD])
def test_bad_report(tmp_path, name, content, message):
    path = tmp_path / name
    if callable(content):
        content(path)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif content is not None:
        path.write_bytes(content)
    result = run_cli("import", name, "-o", str(tmp_path / "out.yaml"), cwd=tmp_path)
    assert (result.returncode, result.stderr, result.stdout) == (1, message + "\n", "")
    assert not (tmp_path / "out.yaml").exists()
