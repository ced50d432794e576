"""``watch``: builds once, rebuilds on a template change, stops cleanly on Ctrl-C.

Run as a user runs it: a subprocess on a copy of the content, with a CSS
override that the test edits; every wait is bounded.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .conftest import CONTENT, ROOT

WAIT = 120  # seconds: generous, the machine is shared; never a timing assertion


def lines_of(process: subprocess.Popen) -> queue.Queue:
    """Return a queue receiving ``process``'s stdout lines as they come."""
    found: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [found.put(line) for line in process.stdout], daemon=True).start()
    return found


def wait_for(found: queue.Queue, start: str, poke=lambda: None) -> str:
    """Return the next line starting with ``start``, calling ``poke`` every 3 s meanwhile; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            line = found.get(timeout=3)
        except queue.Empty:
            poke()
            continue
        if line.startswith(start):
            return line.rstrip("\n")
    raise AssertionError(f"no line starting with {start!r} within {WAIT} s")


def test_watch_rebuilds_only_the_pdf_after_a_css_edit_and_stops_on_ctrl_c(tmp_path):
    shutil.copy(CONTENT, tmp_path / "107005.yaml")
    (tmp_path / "tpl" / "brief").mkdir(parents=True)
    css = tmp_path / "tpl" / "brief" / "brief.css"
    shutil.copy(ROOT / "templates" / "brief" / "brief.css", css)
    command = [sys.executable, "-u", str(ROOT / "build.py"), "watch", "107005.yaml", "--out", "out", "--templates", "tpl"]
    with subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"}) as process:
        try:
            check_session(process, tmp_path, css)
        finally:
            if process.poll() is None:
                process.kill()


def check_session(process: subprocess.Popen, tmp_path: Path, css: Path) -> None:
    """Check the watch session in ``process``: first build, rebuild after a CSS edit, clean stop."""
    found = lines_of(process)
    assert wait_for(found, "built ").startswith("built out/107005.pdf, out/107005.pptx in ")
    wait_for(found, "watching ")
    before = (tmp_path / "out" / "107005.pdf").read_bytes()

    def edit() -> None:  # the watcher starts just after "watching": edit again until it has seen one
        css.write_text(css.read_text(encoding="utf-8") + "\n.cover .band { letter-spacing: 0.2em; }\n", encoding="utf-8")

    edit()
    line = wait_for(found, "rebuilt ", poke=edit)
    assert line.startswith("rebuilt out/107005.pdf after a change to brief.css in "), line
    assert (tmp_path / "out" / "107005.pdf").read_bytes() != before
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=WAIT) == 0
    assert wait_for(found, "stopped") == "stopped watching"
    assert "Traceback" not in process.stderr.read()
