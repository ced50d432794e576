"""Shared fixtures: the shipped content, built once per session under a temp folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content" / "107005.yaml"


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Return the finished ``python build.py ARGS`` process, as a user would run it (in ``env``, default ours)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def build_into(out: Path) -> Path:
    """Return ``out`` after building 107005.pdf and 107005.pptx into it with the CLI."""
    result = run_cli(str(CONTENT), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def assert_same_outputs(out: Path, reference: Path) -> None:
    """Fail unless 107005.pdf and 107005.pptx in ``out`` equal those in ``reference`` byte for byte."""
    for name in ("107005.pdf", "107005.pptx"):
        assert (out / name).read_bytes() == (reference / name).read_bytes(), name


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder holding 107005.pdf and 107005.pptx built by the CLI."""
    return build_into(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def report():
    """Return the shipped 107005 content, loaded and validated."""
    from policybrief.compose.environment import search_path
    from policybrief.compose.theme import load_theme
    from policybrief.load.content import load_report

    return load_report(CONTENT, load_theme(search_path()).font_roles())


SECOND_REPORT = ROOT / "tests" / "data" / "report-second.txt"


@pytest.fixture(scope="session")
def second_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return the second test report's content file, imported by the CLI, and a folder holding its PDF built by the CLI.

    A report of another shape than 107005: a section of eight topics, a topic
    of five long points, Latin words and digits in headlines, sources without
    publishers.
    """
    folder = tmp_path_factory.mktemp("second")
    content = folder / "second.yaml"
    imported = run_cli("import", str(SECOND_REPORT), "-o", str(content))
    assert imported.returncode == 0, imported.stderr
    built = run_cli("pdf", str(content), "--out", str(folder / "out"))
    assert built.returncode == 0, built.stderr
    return content, folder / "out" / "second.pdf"
