"""A long unbroken string (a pasted URL, a code) never runs past the page's text area."""

from __future__ import annotations

import pdfplumber

from .conftest import CONTENT, run_cli

MM = 72 / 25.4


def test_long_unbroken_string_stays_inside_the_margins(tmp_path):
    text = CONTENT.read_text(encoding="utf-8").replace("body: 如果中共想對", "body: " + "W" * 300 + "如果中共想對", 1)
    (tmp_path / "long.yaml").write_text(text, encoding="utf-8")
    result = run_cli("pdf", "long.yaml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(tmp_path / "out" / "long.pdf") as pdf:
        pages = [page for page in pdf.pages if any(c["text"] == "W" for c in page.chars)]
        assert pages, "the long string is missing"
        for page in pages:
            # The mirrored margins are at least 20 mm on either side.
            xs = [c["x1"] for c in page.chars if c["text"] == "W"]
            assert max(xs) <= page.width - 20 * MM + 0.5
            assert min(c["x0"] for c in page.chars if c["text"] == "W") >= 20 * MM - 0.5
