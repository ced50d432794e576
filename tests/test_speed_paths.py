"""The quick paths stay quick: what `--help`, `check` and a no-change rebuild import.

No timings are asserted (the machine is shared); instead each path is run in
a fresh interpreter and the heavy libraries it loaded are listed.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import pytest
from fontTools.ttLib import TTFont

from policybrief.compose.environment import search_path
from policybrief.compose.theme import load_theme
from policybrief.errors import ContentError, TemplateError
from policybrief.load.glyphs import font_codepoints

from .conftest import CONTENT, ROOT

HEAVY = ("weasyprint", "pptx", "pydantic", "fontTools", "yaml")

PROBE = """
import json, sys
from policybrief.cli import main
main(sys.argv[1:])
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(%r))))
"""


def heavy_imports(*args: str, env: dict[str, str] | None = None) -> list[str]:
    """Return the heavy top-level packages a fresh interpreter imported to run ``build.py ARGS`` (in ``env``, default ours)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *args], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_help_imports_nothing_heavy():
    assert heavy_imports("--help") == []


def test_check_imports_only_what_validation_and_slide_fitting_need(tmp_path):
    # check fits every slide (python-pptx reads the master) but never typesets: no WeasyPrint. With a cold cache:
    # once another test has cached the master's geometry, check needs no python-pptx at all.
    cold = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert heavy_imports("check", str(CONTENT), env=cold) == ["pptx", "pydantic", "yaml"]


def test_no_change_rebuild_reads_no_yaml_and_imports_nothing_heavy(tmp_path):
    assert {"pydantic", "weasyprint", "yaml"} <= set(heavy_imports(str(CONTENT), "--out", str(tmp_path)))
    assert heavy_imports(str(CONTENT), "--out", str(tmp_path)) == []


@pytest.mark.parametrize("family", sorted({f for role in load_theme(search_path()).font_roles() for f in role}))
def test_glyph_check_reads_the_same_code_points_as_fonttools(family):
    found = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", family], capture_output=True, text=True, check=True)
    path, index = found.stdout.split("\n")
    with TTFont(path, fontNumber=int(index), lazy=True) as font:
        expected = set(font.getBestCmap())
    codepoints = font_codepoints(family)
    assert {code for code in range(0x110000) if code in codepoints} == expected


@pytest.mark.parametrize(
    "error",
    [ContentError(["a.yaml:3: title: is empty; write the title.", "a.yaml:9: date: ..."]), TemplateError("brief/x.html:2: ...")],
    ids=["content", "template"],
)
def test_errors_cross_from_a_worker_process_intact(error):
    """Outputs are made in forked workers; an error raised there is printed by the parent."""
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and again.lines() == error.lines()
