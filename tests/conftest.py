"""Shared fixtures: the shipped content, built once per session under a temp folder.

The CLI runs in-process (``run_cli``): the same ``cli`` a user's ``python
build.py`` runs, without a fresh interpreter per call. Tests about the process
itself (imports of a fresh interpreter, signals, memory limits, packaging)
start their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content" / "107005.yaml"


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Return the finished ``python build.py ARGS`` as a user would run it in ``cwd`` (in ``env``, default ours).

    It runs in this process through click's CliRunner, which keeps stdout and
    stderr apart and catches the output of C libraries and child processes
    too. As from a real process: exit code 1 and the traceback on stderr for
    an uncaught exception. The working folder and the environment are
    restored afterwards. Warnings stay errors, except ResourceWarning, which
    an interpreter ignores by default (WeasyPrint leaves the PDF/A colour
    profile open).
    """
    from click.testing import CliRunner

    from policybrief.cli import cli

    before = os.getcwd()
    os.chdir(cwd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            result = CliRunner(capture="fd").invoke(cli, list(args), prog_name="build.py", env=_env_changes(env))
    finally:
        os.chdir(before)
    stderr, code = result.stderr, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
        code = 1
    return subprocess.CompletedProcess(["build.py", *args], code, result.stdout, stderr)


def run_process(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Return the finished ``python build.py ARGS`` run in a fresh interpreter, for what only a new process shows
    (e.g. a build reproducible across interpreters, each with its own string hash seed)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def _env_changes(env: dict[str, str] | None) -> dict[str, str | None] | None:
    """Return the changes to os.environ that make it ``env`` (None: unset), or None to keep it as it is."""
    if env is None:
        return None
    changes: dict[str, str | None] = {name: value for name, value in env.items() if os.environ.get(name) != value}
    changes.update({name: None for name in os.environ if name not in env})
    return changes


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
