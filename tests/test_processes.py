"""A build's processes and files: none outlive it, whether it ends, fails or is killed.

Builds here run as real processes in a session of their own (so the whole
process group can be killed as a terminal would), with ``TMPDIR`` and the
user cache pointed into ``tmp_path``; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import CONTENT, ROOT, run_cli

BUILD = [sys.executable, str(ROOT / "build.py")]


def series(folder: Path, count: int) -> Path:
    """Return ``folder`` holding ``count`` copies of the 107005 content (a.yaml, b.yaml, …)."""
    folder.mkdir(parents=True, exist_ok=True)
    for letter in "abcdefgh"[:count]:
        shutil.copy(CONTENT, folder / f"{letter}.yaml")
    return folder


def isolated_env(tmp_path: Path) -> dict[str, str]:
    """Return an environment whose temporary folder and user cache are empty folders under ``tmp_path``."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def group_members(group: int) -> list[int]:
    """Return the ids of the live (not zombie) processes in process group ``group``."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "(command name)": state, ppid, pgrp, …
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(entry))
    return members


def leftovers(tmp_path: Path, out: Path) -> list[str]:
    """Return the temporary files and folders a build left: in TMPDIR, in the cache's tmp folder, .part files in ``out``."""
    found = [f"TMPDIR/{name}" for name in os.listdir(tmp_path / "tmp")]
    cache_tmp = tmp_path / "cache" / "policybrief" / "tmp"
    if cache_tmp.is_dir():
        found += [f"cache tmp/{name}" for name in os.listdir(cache_tmp)]
    if out.is_dir():
        found += [f"out/{name}" for name in os.listdir(out) if name.endswith(".part")]
    return found


def outputs(out: Path) -> list[str]:
    """Return the names of the PDFs and decks in ``out``."""
    return sorted(path.name for path in out.glob("*.p*") if not path.name.startswith("."))


def complete(path: Path) -> bool:
    """Return True when ``path`` is a whole PDF or PPTX (a truncated file lacks its end)."""
    data = path.read_bytes()
    return data.rstrip().endswith(b"%%EOF") if path.suffix == ".pdf" else b"PK\x05\x06" in data[-1024:]


@contextmanager
def no_group_left(build: subprocess.Popen) -> Iterator[None]:
    """Run the block, then SIGKILL ``build``'s whole process group and close its pipes, whatever failed inside.

    No test leaves a process behind.
    """
    try:
        yield
    finally:
        try:
            os.killpg(build.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for stream in (build.stdout, build.stderr):
            if hasattr(stream, "close"):  # a test may have kept the text it read in place of the pipe
                stream.close()
        build.wait(timeout=30)


def start_build(tmp_path: Path, *args: str) -> subprocess.Popen:
    """Return a started ``build.py`` over a series of three copies of 107005, in a session of its own."""
    content = series(tmp_path / "content", 3)
    return subprocess.Popen([*BUILD, str(content / "a.yaml"), str(content / "b.yaml"), str(content / "c.yaml"),
                             "--out", str(tmp_path / "out"), "--force", "--jobs", "2", *args],
                            cwd=tmp_path, env=isolated_env(tmp_path), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# Several moments: while Python imports (0.5 s), while workers make the first files (2 s), later in the series (3.5 s).
@pytest.mark.parametrize(("how", "after"), [("SIGTERM", 0.5), ("SIGTERM", 3.5), ("SIGINT", 2.0), ("SIGKILL group", 2.0),
                                            ("SIGKILL group", 3.5)])
def test_a_killed_build_leaves_no_process_and_no_temporary_file(tmp_path, how, after):
    build = start_build(tmp_path)
    with no_group_left(build):
        time.sleep(after)
        if how == "SIGKILL group":
            os.killpg(build.pid, signal.SIGKILL)
        else:
            build.send_signal(getattr(signal, how))
        _, build.stderr = build.communicate(timeout=30)
        time.sleep(2)
        assert group_members(build.pid) == [], "a process of the killed build is still running"
    out = tmp_path / "out"
    if how != "SIGKILL group":  # the build cleaned up after itself; a SIGKILL leaves that to the next build
        # 130: stopped by the build's handler; -SIGTERM or -SIGINT: stopped before the build began (still
        # importing, on a loaded machine), with nothing made yet
        assert build.returncode in (130, 0, -signal.SIGTERM, -signal.SIGINT), (build.returncode, build.stderr)
        assert leftovers(tmp_path, out) == []
    for output in outputs(out):
        assert complete(out / output), f"{output} is incomplete"
    again = subprocess.run([*BUILD, *(str(p) for p in sorted((tmp_path / "content").glob("*.yaml"))), "--out", str(out),
                            "--jobs", "2"], cwd=tmp_path, env=isolated_env(tmp_path), capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert leftovers(tmp_path, out) == []  # stale .part files and temporary folders gone after the next build
    assert outputs(out) == ["a.pdf", "a.pptx", "b.pdf", "b.pptx", "c.pdf", "c.pptx"]


def test_workers_die_with_their_parent(tmp_path):
    """A SIGKILL of the parent alone (no handler runs) still takes its workers with it."""
    build = start_build(tmp_path)
    with no_group_left(build):
        deadline = time.monotonic() + 60
        while len(group_members(build.pid)) < 3 and time.monotonic() < deadline:  # the parent and its two workers
            time.sleep(0.05)
        assert len(group_members(build.pid)) >= 3, "the build never started its workers"
        build.kill()
        build.communicate(timeout=30)
        time.sleep(2)
        assert group_members(build.pid) == []


def test_a_build_leaves_its_temporary_folder_as_it_found_it(tmp_path):
    env = isolated_env(tmp_path)
    result = subprocess.run([*BUILD, str(CONTENT), "--out", str(tmp_path / "out"), "--jobs", "2"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert os.listdir(tmp_path / "tmp") == []  # WeasyPrint's weasyprint-* font folder too
    assert leftovers(tmp_path, tmp_path / "out") == []


def test_a_failed_build_leaves_no_temporary_folder(tmp_path):
    env = isolated_env(tmp_path)
    (tmp_path / "out" / "107005.pptx").mkdir(parents=True)
    result = subprocess.run([*BUILD, str(CONTENT), "--out", str(tmp_path / "out"), "--jobs", "2"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert leftovers(tmp_path, tmp_path / "out") == []


def test_when_the_deck_cannot_be_written_the_pdf_is_not_replaced(tmp_path):
    out = tmp_path / "D"
    (out / "107005.pptx").mkdir(parents=True)
    (out / "107005.pdf").write_bytes(b"yesterday's brief")
    result = run_cli(str(CONTENT), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"{out / '107005.pptx'}: is a folder; remove it or choose another --out."]
    assert (out / "107005.pdf").read_bytes() == b"yesterday's brief"
    assert sorted(os.listdir(out)) == ["107005.pdf", "107005.pptx"]


def test_stale_part_files_are_removed_and_live_ones_kept(tmp_path, built):
    out = shutil.copytree(built, tmp_path / "out")
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = out / f".107005.pdf.{dead.pid}.x1y2z3ab.part"
    live = out / f".107005.pdf.{os.getpid()}.x1y2z3ab.part"  # a concurrent build writing right now
    stale.write_bytes(b"half a PDF")
    live.write_bytes(b"half a PDF")
    result = run_cli(str(CONTENT), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert not stale.exists() and live.exists()


def test_weasyprint_is_imported_without_probing_for_libraries_with_gcc_or_ld(tmp_path):
    probe = """
import ctypes.util, json, sys
probes = []
for name in ("_findLib_gcc", "_findLib_ld"):
    original = getattr(ctypes.util, name)
    setattr(ctypes.util, name, lambda lib, original=original, name=name: probes.append((name, lib)) or original(lib))
from policybrief.cli import main
code = main(sys.argv[1:])
from weasyprint.text.ffi import harfbuzz_subset
print(json.dumps({"code": code, "probes": probes, "subset": harfbuzz_subset is not None}))
"""
    result = subprocess.run([sys.executable, "-c", probe, "pdf", str(CONTENT), "--out", str(tmp_path / "out")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found == {"code": 0, "probes": [], "subset": True}


def test_the_loader_cache_lookup_finds_what_the_standard_lookup_finds():
    import ctypes.util

    from policybrief.typography.native import from_loader_cache

    for name in ("pango-1.0", "gobject-2.0", "harfbuzz", "fontconfig", "pangoft2-1.0"):
        assert from_loader_cache(name) == ctypes.util.find_library(name)
    assert from_loader_cache("libpango-1.0-0") is None  # a Windows name: not found, and fast


def test_the_number_of_workers_follows_the_free_cores():
    from policybrief.api import free_cores

    assert 1 <= free_cores() <= len(os.sched_getaffinity(0))


def test_the_tests_browser_keeps_its_files_in_a_folder_of_its_own_removed_when_it_quits():
    """Chromium's org.chromium.Chromium.* folders once stayed in the system's temporary folder after every run."""
    from .browser import chromium

    driver = chromium()
    folder = driver.temporary_folder
    try:
        driver.get("data:text/html,<p>x</p>")
        assert any(path.name.startswith("org.chromium.Chromium.") for path in folder.iterdir())
    finally:
        driver.quit()
    assert not folder.exists()
