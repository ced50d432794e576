"""Series builds stream: each content file's outputs are written, and said so, as soon as they are made.

Also the font-subset cache shared by every output folder, and outputs that
stay byte-identical whichever way they were made.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import CONTENT, ROOT, assert_same_outputs, run_cli
from .test_processes import BUILD, complete, group_members, isolated_env, no_group_left, outputs, series


def test_each_output_is_on_disk_and_said_so_as_soon_as_its_file_is_made(tmp_path, built):
    content = series(tmp_path / "content", 3)
    out = tmp_path / "out"
    build = subprocess.Popen([*BUILD, *(str(content / f"{x}.yaml") for x in "abc"), "--out", str(out), "--jobs", "1"],
                             cwd=tmp_path, env=isolated_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    with no_group_left(build):
        lines = []
        for line in build.stdout:
            if not line.startswith("wrote "):  # what the deck says about itself ("  continued: …") follows its line
                continue
            lines.append(line.rstrip("\n"))
            written = out / Path(line.split()[1]).name
            assert complete(written), f"{written.name} said written but is not complete"
            if len(lines) == 2:  # a's PDF and deck: b and c are still to be made
                assert not (out / "c.pdf").exists() and not (out / "c.pptx").exists()
                assert build.poll() is None
        build.wait(timeout=60)
    assert build.returncode == 0
    assert [line.split(" (")[0] for line in lines] == [f"wrote out/{name}" for name in
                                                       ("a.pdf", "a.pptx", "b.pdf", "b.pptx", "c.pdf", "c.pptx")]
    for name in "abc":
        assert (out / f"{name}.pdf").read_bytes() == (built / "107005.pdf").read_bytes()
        assert (out / f"{name}.pptx").read_bytes() == (built / "107005.pptx").read_bytes()


def test_a_series_interrupted_after_its_first_files_keeps_them_complete(tmp_path, built):
    content = series(tmp_path / "content", 4)
    out = tmp_path / "out"
    build = subprocess.Popen([*BUILD, *(str(content / f"{x}.yaml") for x in "abcd"), "--out", str(out), "--jobs", "2"],
                             cwd=tmp_path, env=isolated_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    with no_group_left(build):
        said = [build.stdout.readline(), build.stdout.readline()]  # the first file's PDF and deck
        os.killpg(build.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches the whole group
        rest, errors = build.communicate(timeout=30)
        time.sleep(1)
        assert group_members(build.pid) == []
    assert build.returncode == 130, errors
    assert errors.splitlines()[-1] == "stopped: the outputs written so far are complete; build again to make the rest."
    assert "Traceback" not in errors
    kept = [Path(line.split()[1]).name for line in said + rest.splitlines() if line.startswith("wrote ")]
    assert kept[:2] == ["a.pdf", "a.pptx"]
    for name in kept:
        expected = built / ("107005" + Path(name).suffix)
        assert (out / name).read_bytes() == expected.read_bytes()
    assert outputs(out) == sorted(kept)  # nothing half-written, nothing unsaid
    again = run_cli(*(str(content / f"{x}.yaml") for x in "abcd"), "--out", str(out), env=isolated_env(tmp_path))
    assert again.returncode == 0, again.stderr
    assert [f"up to date: {out / name}" for name in kept] == [line for line in again.stdout.splitlines() if line.startswith("up to date")]



def test_outputs_are_byte_identical_with_a_cold_and_a_warm_font_cache_and_across_output_folders(tmp_path, built):
    env = isolated_env(tmp_path)
    fonts = tmp_path / "cache" / "policybrief" / "fonts"
    cold = run_cli(str(CONTENT), "--out", str(tmp_path / "cold"), env=env)
    assert cold.returncode == 0, cold.stderr
    cut = {path.name: path.stat().st_ino for path in fonts.glob("*.otf")}
    assert cut, "the cold build cut no subsets into the user cache"
    warm = run_cli(str(CONTENT), "--out", str(tmp_path / "warm"), env=env)
    assert warm.returncode == 0, warm.stderr
    assert {path.name: path.stat().st_ino for path in fonts.glob("*.otf")} == cut  # the second build cut nothing
    assert_same_outputs(tmp_path / "cold", built)
    assert_same_outputs(tmp_path / "warm", built)
    assert not list((tmp_path / "warm").glob(".policybrief-fonts"))


def test_a_series_with_one_bad_file_builds_the_others_and_names_the_problem(tmp_path, built):
    content = series(tmp_path / "content", 2)
    (content / "b.yaml").write_text(CONTENT.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    result = run_cli(str(content / "a.yaml"), str(content / "b.yaml"), "--out", str(tmp_path / "out"), "--jobs", "2")
    assert result.returncode == 1
    assert "b.yaml" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "out" / "a.pdf").read_bytes() == (built / "107005.pdf").read_bytes()
    assert not (tmp_path / "out" / "b.pdf").exists()


def test_the_jobs_option_is_checked(tmp_path):
    result = run_cli(str(CONTENT), "--out", str(tmp_path), "--jobs", "0")
    assert result.returncode == 2 and "--jobs" in result.stderr


def test_a_worker_keeps_its_compiled_templates(tmp_path):
    """Each worker reads and compiles a template once, however many briefs it makes (the environment survives the task)."""
    probe = """
import os, sys
from pathlib import Path
import jinja2
from policybrief import api
log = sys.argv[1]
real = jinja2.FileSystemLoader.get_source
def logged(self, environment, template):
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {template}\\n")
    return real(self, environment, template)
jinja2.FileSystemLoader.get_source = logged
api.build([Path(p) for p in sys.argv[3:]], out_dir=Path(sys.argv[2]), targets=["pdf"], jobs=2, force=True)
"""
    content = series(tmp_path / "content", 4)
    log = tmp_path / "reads.txt"
    result = subprocess.run([sys.executable, "-c", probe, str(log), str(tmp_path / "out"),
                             *(str(content / f"{x}.yaml") for x in "abcd")],
                            cwd=ROOT, env=isolated_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    reads = log.read_text(encoding="utf-8").splitlines()
    assert reads and len(reads) == len(set(reads)), "a worker read a template again for a later brief"


def test_on_a_terminal_a_progress_bar_names_the_files_being_made(tmp_path):
    import pty

    content = series(tmp_path / "content", 2)
    controller, terminal = pty.openpty()
    try:
        build = subprocess.Popen([*BUILD, str(content / "a.yaml"), str(content / "b.yaml"), "--out", str(tmp_path / "out"),
                                  "--jobs", "1"], cwd=tmp_path, env={**isolated_env(tmp_path), "COLUMNS": "200"},
                                 stdout=subprocess.PIPE, stderr=terminal, text=True)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the build closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        stdout, _ = build.communicate(timeout=300)
    finally:
        os.close(controller)
    assert build.returncode == 0
    bar = shown.decode()
    assert "0/2 a.yaml" in bar and "1/2 b.yaml" in bar and "2/2" in bar
    assert bar.endswith("\r\x1b[K")  # the bar is cleared at the end
    assert [line.split(" (")[0] for line in stdout.splitlines() if line.startswith("wrote ")] == [
        "wrote out/a.pdf", "wrote out/a.pptx", "wrote out/b.pdf", "wrote out/b.pptx"]
