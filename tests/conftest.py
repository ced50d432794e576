"""Shared fixtures: the shipped content, built once per session under a temp folder.

The CLI runs in-process (``run_cli``): the same ``cli`` a user's ``python
build.py`` runs, without a fresh interpreter per call. Tests about the process
itself (imports of a fresh interpreter, signals, memory limits, packaging)
start their own. Under pytest-xdist, what the whole session shares (the
107005 builds, LibreOffice's rendering of its deck) is made once, by the first
worker that needs it, and read by the others.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content" / "107005.yaml"


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the cache folder every test's builds use: under the session's temp folder, never the user's ~/.cache."""
    folder = tmp_path_factory.getbasetemp() / "user-cache"
    os.environ["XDG_CACHE_HOME"] = str(folder)  # inherited by the processes tests start
    return folder


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Return the finished ``python3 build.py ARGS`` as a user would run it in ``cwd`` (in ``env``, default ours).

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
    """Return the finished ``python3 build.py ARGS`` run in a fresh interpreter, for what only a new process shows
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


def to_pdf(pptx: Path, out: Path) -> Path:
    """Return the PDF LibreOffice makes of ``pptx`` in ``out`` (own user profile there, so parallel runs do not clash)."""
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(out / 'lo-profile').as_uri()}", "--convert-to", "pdf",
         "--outdir", str(out), str(pptx)],
        check=True, capture_output=True, timeout=240,
    )
    return out / f"{pptx.stem}.pdf"


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """Return a folder filled by ``make(folder)`` once per test session, whichever xdist workers ask for it.

    The first worker makes it under a file lock in the session's temporary
    root; the others wait for it and reuse it. Without xdist it is simply made.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp().parent  # shared by this session's workers
    folder, done = root / f"shared-{name}", root / f"shared-{name}.done"
    with FileLock(str(root / f"shared-{name}.lock"), timeout=600):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # left by a worker that failed half-way
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def built_session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Return (the folder holding 107005.pdf and 107005.pptx built by the CLI, what that build printed)."""

    def make(folder: Path) -> None:
        result = run_cli(str(CONTENT), "--out", str(folder / "out"))
        assert result.returncode == 0, result.stderr
        (folder / "stdout.txt").write_text(result.stdout, encoding="utf-8")

    folder = made_once(tmp_path_factory, "build", make)
    return folder / "out", (folder / "stdout.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built(built_session: tuple[Path, str]) -> Path:
    """Return a folder holding 107005.pdf and 107005.pptx built by the CLI (read it, never write into it)."""
    return built_session[0]


@pytest.fixture(scope="session")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a second folder of 107005 outputs, built one output at a time (``pdf``, then ``slides``), each in a
    fresh interpreter: compared with ``built``, any output that depends on the process (hash seed, caches) shows."""

    def make(folder: Path) -> None:
        for command in ("pdf", "slides"):
            result = run_process(command, str(CONTENT), "--out", str(folder))
            assert result.returncode == 0, result.stderr

    return made_once(tmp_path_factory, "rebuild", make)


@pytest.fixture(scope="session")
def built_deck_pdf(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return LibreOffice's PDF of the built 107005.pptx, converted once per session."""
    return made_once(tmp_path_factory, "deck-pdf", lambda folder: to_pdf(built / "107005.pptx", folder)) / "107005.pdf"


def copy_of(built: Path, target: Path) -> Path:
    """Return ``target`` holding a copy of the built 107005 outputs, with their build cache and font subsets."""
    shutil.copytree(built, target, dirs_exist_ok=True)
    return target


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


PRINT_MARKS_THEME = "brief:\n  print_marks: true\n"  # a theme override for a print shop (see test_print_ready.py)


@pytest.fixture(scope="session")
def variant_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return the PDFs built once per session beyond the default ones, by name: 107005 and the second report as
    ``pdf/a-3a`` (``107005-a3a``, ``second-a3a``), and 107005 with ``print_marks: true`` in its default variant and as
    ``pdf/a-3a`` (``print``, ``print-a3a``)."""
    variants = {"107005-a3a": (CONTENT, False, "pdf/a-3a"), "second-a3a": ("second.yaml", False, "pdf/a-3a"),
                "print": (CONTENT, True, "pdf/ua-1"), "print-a3a": (CONTENT, True, "pdf/a-3a")}

    def make(folder: Path) -> None:
        imported = run_cli("import", str(SECOND_REPORT), "-o", str(folder / "second.yaml"))
        assert imported.returncode == 0, imported.stderr
        (folder / "print-theme").mkdir()
        (folder / "print-theme" / "theme.yaml").write_text(PRINT_MARKS_THEME, encoding="utf-8")
        for name, (content, print_marks, variant) in variants.items():
            theme = ["--templates", str(folder / "print-theme")] if print_marks else []
            result = run_cli("pdf", str(folder / content), *theme, "--out", str(folder / name), "--pdf-variant", variant)
            assert result.returncode == 0, result.stderr

    folder = made_once(tmp_path_factory, "variants", make)
    return {name: next((folder / name).glob("*.pdf")) for name in variants}


CORPUS = ROOT / "tests" / "data" / "corpus"


def corpus_contents(folder: Path) -> dict[str, Path]:
    """Return {name: content file} of the report corpus: 107005, the second report imported into ``folder``, and
    every tests/data/corpus/*.yaml (reports of other shapes; see its README)."""
    imported = folder / "second.yaml"
    if not imported.exists():
        result = run_cli("import", str(SECOND_REPORT), "-o", str(imported))
        assert result.returncode == 0, result.stderr
    return {"107005": CONTENT, "second": imported, **{path.stem: path for path in sorted(CORPUS.glob("*.yaml"))}}


def convert_all(decks: list[Path], out: Path, env: dict[str, str] | None = None) -> None:
    """Convert every deck of ``decks`` to PDF in ``out`` with one LibreOffice run (own profile, removed after)."""
    profile = out / "lo-profile"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, decks)], check=True, capture_output=True, timeout=600, env=env)
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Path]]:
    """Return {name: (content, deck, LibreOffice's PDF of the deck)} of every corpus report, built and rendered once per session."""

    def make(folder: Path) -> None:
        for name, content in corpus_contents(folder).items():
            result = run_cli("slides", str(content), "--out", str(folder))
            assert result.returncode == 0, (name, result.stderr)
        convert_all(sorted(folder.glob("*.pptx")), folder)

    folder = made_once(tmp_path_factory, "corpus", make)
    return {name: (content, folder / f"{content.stem}.pptx", folder / f"{content.stem}.pdf")
            for name, content in corpus_contents(folder).items()}


def without_noto_env(folder: Path) -> dict[str, str]:
    """Return an environment whose fontconfig hides the Noto CJK faces, so LibreOffice substitutes WenQuanYi Zen Hei."""
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<include>/etc/fonts/fonts.conf</include>"
        "<selectfont><rejectfont><glob>*NotoSansCJK*</glob><glob>*NotoSerifCJK*</glob></rejectfont></selectfont>"
        f"<cachedir>{folder}/fc-cache</cachedir></fontconfig>", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="session")
def corpus_substituted(corpus, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return {name: PDF} of every corpus deck rendered by LibreOffice with Noto CJK hidden (WenQuanYi substituted), once per session."""

    def make(folder: Path) -> None:
        convert_all([deck for _, deck, _ in corpus.values()], folder, without_noto_env(folder))

    folder = made_once(tmp_path_factory, "corpus-substituted", make)
    return {name: folder / f"{deck.stem}.pdf" for name, (_, deck, _) in corpus.items()}
