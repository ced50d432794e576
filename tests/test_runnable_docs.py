"""Every command of a block marked runnable in the README and docs/ works as written, in a fresh copy of the checkout.

A block is runnable when its fence says so (```` ```sh runnable ````). Its lines
run in order, in one copy of the checkout (what ``git ls-files`` lists, as the
working tree has it) that shares the checkout's ``.venv`` (made by ``make``,
which is left out): each must exit 0 without a traceback. ``serve`` and
``watch`` run until they say they are ready, then get Ctrl-C (SIGINT) and
must stop cleanly. ``serve`` runs in a network namespace of its own when the
machine allows one, so its port 8000 as written never meets another server.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from .conftest import ROOT

RUNNABLE = re.compile(r"^```sh runnable\n(.*?)^```", re.M | re.S)
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
READY = {"serve": "serving the preview at", "watch": "watching "}
SLOW = 600  # seconds for one command: a first build makes fonts, LibreOffice starts


def runnable_commands() -> list[tuple[str, str]]:
    """Return (document, command line) for every line of every runnable block, in order; ``make`` left out."""
    found = []
    for doc in DOCS:
        for block in RUNNABLE.findall(doc.read_text(encoding="utf-8")):
            for line in block.splitlines():
                command = line.split("  #")[0].strip()
                if command and not command.startswith("#") and not re.match(r"make\b", command):
                    found.append((doc.relative_to(ROOT).as_posix(), command))
    return found


def fresh_copy(target: Path) -> Path:
    """Return ``target`` holding the checkout's files as ``git ls-files`` lists them, with the checkout's .venv."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    return target


def isolated_network() -> list[str]:
    """Return the command prefix that runs a server in a network namespace of its own ([] when not allowed)."""
    probe = ["unshare", "--net", "ip", "link", "set", "lo", "up"]
    if shutil.which("unshare") and subprocess.run(probe, capture_output=True).returncode == 0:
        return ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
    return []


def run_until_ready(command: str, folder: Path, ready: str) -> tuple[int, str]:
    """Return (exit code, output) of long-running ``command``, started, awaited until it prints ``ready``, then stopped with SIGINT."""
    prefix = isolated_network() if command.split()[2:3] == ["serve"] else []
    process = subprocess.Popen([*prefix, "bash", "-c", f"exec {command}"], cwd=folder, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines = []
    deadline = time.monotonic() + SLOW
    try:
        for line in process.stdout:
            lines.append(line)
            if ready in line or time.monotonic() > deadline:
                break
        assert any(ready in line for line in lines), "".join(lines)
        os.killpg(process.pid, signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
        return process.returncode, "".join(lines) + rest
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_there_are_runnable_blocks_in_the_readme_and_docs():
    documents = {doc for doc, _ in runnable_commands()}
    assert {"README.md", "docs/customising.md", "docs/importing.md"} <= documents


def test_every_runnable_command_works_as_written(tmp_path):
    folder = fresh_copy(tmp_path / "checkout")
    failed = []
    for doc, command in runnable_commands():
        word = next((w for w in READY if re.search(rf"build\.py {w}\b", command)), None)
        if word:
            code, output = run_until_ready(command, folder, READY[word])
        else:
            result = subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True, timeout=SLOW)
            code, output = result.returncode, result.stdout + result.stderr
        if code != 0 or "Traceback" in output:
            failed.append(f"{doc}: {command} → exit {code}\n{output[-2000:]}")
    assert failed == []
