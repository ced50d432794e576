"""The wheel ships the package with every built-in template and the master."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from .conftest import ROOT


def test_wheel_ships_every_template(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    [wheel] = tmp_path.glob("policybrief-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = [p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()]
    assert templates, "no built-in templates found"
    missing = [t for t in templates if f"policybrief/{t}" not in names]
    assert not missing
    assert "policybrief/cli.py" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "policybrief = policybrief.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
