"""Slides as PDF through a LibreOffice kept running between builds.

LibreOffice takes seconds to start; the server starts it once (through
``unoconvert.py``, run by the system Python that has LibreOffice's ``uno``
bridge) and sends it every deck to convert. Without that bridge it falls back
to a fresh ``soffice --convert-to`` per deck, and says so.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from policybrief.errors import BriefError
from policybrief.preview import deck_to_pdf, find_soffice

UNO_SCRIPT = Path(__file__).with_name("unoconvert.py")
START_TIMEOUT = 90
CONVERT_TIMEOUT = 120
OFFICE_PREFIX = "policybrief-office-"  # + the server's process id: a later server removes it when that process is gone
SYSTEM_PYTHONS = ("/usr/bin/python3", "python3")
NO_BRIDGE = ("LibreOffice's Python bridge is not installed, so every slide image waits for LibreOffice to start; "
             "install it: sudo apt-get install python3-uno.")


def uno_python() -> str | None:
    """Return a Python that can import LibreOffice's ``uno`` module, or None."""
    for candidate in SYSTEM_PYTHONS:
        found = shutil.which(candidate)
        if found and subprocess.run([found, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0:
            return found
    return None


class Office:
    """One LibreOffice for the server's lifetime: ``to_pdf`` converts, ``close`` ends it and its files."""

    def __init__(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix=f"{OFFICE_PREFIX}{os.getpid()}-"))
        self.kept_running = False  # True once the kept-running LibreOffice answered
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._started = threading.Event()  # start() has finished, one way or the other

    def start(self) -> str | None:
        """Start LibreOffice; return a warning when it cannot be kept running (conversions then start it each time)."""
        try:
            return self._start()
        finally:
            self._started.set()

    def _start(self) -> str | None:
        python = uno_python()
        if python is None:
            return NO_BRIDGE
        with self._lock:
            if self._closed:
                return None
            self._process = subprocess.Popen(
                [python, str(UNO_SCRIPT), str(self.work / "profile")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, start_new_session=True,
                env={**os.environ, "TMPDIR": str(self.work)})  # LibreOffice's lu*.tmp files too: one folder to remove  # its own group: close() ends soffice too,
            # and the helper ends that group itself when the server is gone (see unoconvert.watch_parent)
            if self._read_line(START_TIMEOUT) == "ready":
                self.kept_running = True
                return None
        self._end()
        return "LibreOffice could not be started and kept running; every slide image waits for it to start."

    def to_pdf(self, pptx: Path) -> Path:
        """Return the PDF LibreOffice makes of ``pptx`` (in this object's work folder)."""
        target = self.work / f"{pptx.stem}-slides.pdf"
        self._started.wait(START_TIMEOUT)
        with self._lock:
            if self._closed:
                raise BriefError("the preview server is stopping.")
            if not self.kept_running:
                return deck_to_pdf(pptx, self.work, find_soffice())
            self._process.stdin.write(json.dumps({"in": str(pptx.resolve()), "out": str(target)}) + "\n")
            self._process.stdin.flush()
            answer = self._read_line(CONVERT_TIMEOUT)
        reply = json.loads(answer) if answer.startswith("{") else {"error": "LibreOffice stopped"}
        if "error" in reply:
            raise BriefError(f"{pptx}: LibreOffice could not convert the deck ({reply['error']}); "
                             "open it in LibreOffice Impress to see why.")
        return target

    def _read_line(self, timeout: float) -> str:
        """Return the next line LibreOffice's helper prints ('' when it stopped or took longer than ``timeout``)."""
        process = self._process
        if process is None or process.stdout is None:
            return ""
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        return process.stdout.readline().strip() if ready else ""

    def close(self) -> None:
        """End LibreOffice (politely, then by its process group) and remove the work folder."""
        self._closed = True
        self._end()
        with self._lock:  # a conversion in progress has ended with LibreOffice
            shutil.rmtree(self.work, ignore_errors=True)

    def _end(self) -> None:
        """Stop the helper and the LibreOffice it started."""
        process, self._process, self.kept_running = self._process, None, False
        if process is None:
            return
        try:
            process.stdin.close()  # the helper closes LibreOffice at the end of its input
            process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever of that group is left (soffice.bin)
        except ProcessLookupError:
            pass
        process.wait()


def remove_stale_folders(folder: Path, prefixes: tuple[str, ...]) -> list[Path]:
    """Remove the folders in ``folder`` named ``<prefix><pid>-…`` whose server process no longer runs; return them.

    A server killed with SIGKILL cannot remove its LibreOffice profile and
    worker folder; the next server does, at its start.
    """
    from policybrief.output import process_alive

    removed = []
    for entry in os.scandir(folder):
        prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
        pid = entry.name[len(prefix):].split("-", 1)[0] if prefix else ""
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed
