"""The preview server's one warm build worker: rebuild on save, make page and slide images, remember the state.

One worker process with WeasyPrint, python-pptx and the fonts loaded (so
its builds never slow the server's answers down: they hold no lock the
server needs) builds each content file, directed by one thread of the server
process, in the order a designer looks: the web edition first, then the
PDF and its page images, then the deck and its slide images. ``api.build``
skips outputs whose inputs did not change (a CSS edit does not rebuild the
deck), and a save that arrives mid-way starts the round again from the web
edition. A build error leaves the last good outputs in place and is kept,
located, in the state every page shows.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from policybrief.errors import BriefError, ContentError
from policybrief.output import write_atomic

PAGE_WIDTH = 700  # px of a PDF page or slide image: sharp in a third of a desktop screen
PNG_LEVEL = 1  # fast zlib: the images are made on every save
STEPS = (("html", "web edition"), ("pdf", "PDF pages"), ("slides", "slide images"))  # target, what the page waits for
BUILT = {"html": "web edition", "pdf": "PDF", "slides": "deck"}  # target, what its build time is called


@dataclass
class Edition:
    """What the server knows about one content file: its outputs, images, timings and problems."""

    name: str
    content: Path
    versions: dict[str, int] = field(default_factory=lambda: {"html": 0, "pdf": 0, "slides": 0})
    pages: list[tuple[str, str]] = field(default_factory=list)  # (image file name in the preview folder, pixel digest)
    slides: list[tuple[str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    built_at: str = ""
    image_sources: dict[str, int] = field(default_factory=dict)  # target → mtime of the output its images show

    def snapshot(self) -> dict:
        """Return the state the preview page shows, as JSON-ready data with versioned URLs."""
        return {
            "name": self.name,
            "web": f"{self.name}.html?v={self.versions['html']}" if self.versions["html"] else "",
            "pages": [f"{name}?v={digest}" for name, digest in self.pages],
            "slides": [f"{name}?v={digest}" for name, digest in self.slides],
            "seconds": {BUILT[target]: round(self.seconds[target], 2) for target, _ in STEPS if target in self.seconds},
            "errors": self.errors, "warnings": self.warnings, "pending": self.pending, "built": self.built_at,
        }

    def served(self) -> set[str]:
        """Return the file names under /<name>/ the server may send: the outputs and the images."""
        return {f"{self.name}.html", f"{self.name}.pdf", f"{self.name}.pptx", *(name for name, _ in self.pages + self.slides)}


def _warm(inherited_fd: int, scratch: str, server: int) -> None:
    """Start the worker process: die with the ``server`` process, ignore Ctrl-C (the server stops it), close the server's socket, import the heavy parts.

    Its temporary files (WeasyPrint's font folders, removed only when their
    objects are collected) go to ``scratch``, which the server removes at the
    end (or the next server, when this one was killed).
    """
    import tempfile

    from policybrief.api import die_with_parent

    die_with_parent(server)  # a kill -9 of the server leaves no warm worker behind
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if inherited_fd >= 0:
        os.close(inherited_fd)
    tempfile.tempdir = scratch
    import pptx  # noqa: F401
    import weasyprint  # noqa: F401


def _build(content: Path, out_dir: Path, target: str, templates: list[Path]) -> tuple[list, list[str]]:
    """Return what a build of ``target`` wrote and its warnings (run in the worker process)."""
    from policybrief.api import build

    warnings: list[str] = []
    written = build([content], out_dir=out_dir, targets=(target,), templates=templates, jobs=1, on_warning=warnings.append)
    return written, warnings


WORKER_PREFIX = "policybrief-worker-"  # + the server's process id: a later server removes it when that process is gone
_DRAWN: dict[str, str] = {}  # image file name → digest of the pixels last written there (in the worker process)


def _pictures(pdf: Path, folder: Path, stem: str) -> list[tuple[str, str]]:
    """Return (file name, pixel digest) of a PNG for every page of ``pdf``, writing only the pages whose pixels changed.

    Run in the worker process. An edit changes a few pages: the others are
    neither encoded nor written again, and their URLs (which carry the
    digest) stay the same, so the browser keeps them.
    """
    import hashlib
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    made = []
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=PAGE_WIDTH / page.get_width())
            name = f"{stem}-{index + 1:02d}.png"
            digest = hashlib.blake2b(bitmap.buffer, digest_size=8).hexdigest()
            if _DRAWN.get(name) != digest or not (folder / name).is_file():
                buffer = io.BytesIO()
                bitmap.to_pil().save(buffer, format="PNG", compress_level=PNG_LEVEL)
                write_atomic(folder / name, buffer.getvalue())
                _DRAWN[name] = digest
            made.append((name, digest))
    finally:
        document.close()
    return made


class Worker:
    """Builds on request (directed by one thread, done in one warm process); calls ``notify(name)`` on every change of state."""

    def __init__(self, files: list[Path], out_dir: Path, templates: list[Path], office, *,
                 notify: Callable[[str], None], log: Callable[[str, bool], None]) -> None:
        self.editions = {path.stem: Edition(path.stem, path) for path in files}
        self.out_dir, self.templates, self.office = out_dir, templates, office
        self.images = out_dir / "preview"
        self.notify, self.log = notify, log
        self._wake, self._stopping = threading.Event(), threading.Event()
        self._changed: list[str] = []
        self._thread = threading.Thread(target=self._loop, name="policybrief-build", daemon=True)
        self.office_warning = ""
        self._pool: ProcessPoolExecutor | None = None
        self._scratch = Path(tempfile.mkdtemp(prefix=f"{WORKER_PREFIX}{os.getpid()}-"))  # the worker process's temporary files

    def fork(self, inherited_fd: int = -1) -> None:
        """Start the warm worker process now (before any other thread starts: it is forked), closing ``inherited_fd`` in it."""
        import multiprocessing

        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=_warm,
                                         initargs=(inherited_fd, str(self._scratch), os.getpid()))
        self._pool.submit(int).result()

    def _call(self, function, *args):
        """Return ``function(*args)`` run in the worker process."""
        try:
            return self._pool.submit(function, *args).result()
        except BrokenProcessPool:
            raise BriefError("the build worker process ended unexpectedly; stop build.py serve (Ctrl-C) and start it again.") from None

    def start(self) -> None:
        """Start the thread, which builds everything once."""
        self.request([])
        self._thread.start()

    def request(self, changed: list[str]) -> None:
        """Ask for a rebuild after saves of the files named in ``changed``."""
        self._changed.extend(changed)
        self._wake.set()

    def stop_soon(self) -> None:
        """Ask the thread to stop after the current step."""
        self._stopping.set()
        self._wake.set()

    def stop(self, timeout: float = 15) -> None:
        """Stop after the current step, wait for that, and end the worker process."""
        self.stop_soon()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            if self._stopping.is_set():
                return
            self._wake.clear()
            changed, self._changed = sorted(set(self._changed)), []
            for edition in self.editions.values():
                try:
                    if not self._round(edition, changed):
                        break  # a newer save: start again from the web edition
                except Exception as error:  # noqa: BLE001 - the server must outlive any one build
                    edition.errors, edition.pending = [f"{edition.content}: the preview could not be updated ({error!r}); "
                                                       "save again, or run the build to see the whole error."], []
                    self.log(edition.errors[0], True)
                    self.notify(edition.name)

    def _round(self, edition: Edition, changed: list[str]) -> bool:
        """Bring ``edition`` up to date; return False when a newer save (or stop) cut it short.

        The order serves the page: the web edition first (the quickest to see),
        then the PDF and its page images, then the deck and its slide images.
        """
        errors: list[str] = []
        warnings: list[str] = [self.office_warning] if self.office_warning else []
        edition.pending = [label for _, label in STEPS]
        self.notify(edition.name)
        for target, label in STEPS:
            if self._wake.is_set() or self._stopping.is_set():
                return False
            try:
                output = self._step(edition, target, changed, warnings)
                if output is not None:
                    self._images(edition, target, output, output if target == "pdf" else self.office.to_pdf(output))
            except BriefError as error:
                self._failed(error, errors)
                if isinstance(error, ContentError) or target == "html":
                    break  # the other outputs would report the same problem
            finally:
                edition.pending = [name for name in edition.pending if name != label]
                edition.errors, edition.warnings = errors[:], warnings[:]
                self.notify(edition.name)
        edition.pending = []
        edition.errors, edition.warnings = errors, warnings
        self.notify(edition.name)
        return True

    def _failed(self, error: BriefError, errors: list[str]) -> None:
        """Keep ``error``'s lines for the page and write them to the log."""
        errors.extend(error.lines())
        for line in error.lines():
            self.log(line, True)

    def _step(self, edition: Edition, target: str, changed: list[str], warnings: list[str]) -> Path | None:
        """Build ``target`` of ``edition`` if out of date; return the output when its images show an older one."""
        from policybrief.api import SUFFIXES

        start = time.perf_counter()
        written, said = self._call(_build, edition.content, self.out_dir, target, self.templates)
        warnings.extend(said)
        for record in written:
            warnings.extend(record.notes)
            edition.seconds[target] = record.seconds
            cause = f" after a change to {', '.join(changed)}" if changed else ""
            self.log(f"wrote {record.path} ({record.detail}) in {time.perf_counter() - start:.2f} s{cause}", False)
        output = self.out_dir / f"{edition.name}{SUFFIXES[target]}"
        if written:
            edition.built_at = time.strftime("%H:%M:%S")
        if target == "html" and (written or not edition.versions["html"]):
            edition.versions["html"] += 1  # PDF and deck versions count their images instead
        if target != "html" and output.is_file() and edition.image_sources.get(target) != output.stat().st_mtime_ns:
            return output
        return None

    def _images(self, edition: Edition, target: str, output: Path, pdf: Path) -> None:
        """Write the page or slide images of ``pdf`` (made from ``output``) and record which output they show."""
        mtime = output.stat().st_mtime_ns
        kind = "page" if target == "pdf" else "slide"
        start = time.perf_counter()
        self.images.mkdir(parents=True, exist_ok=True)
        made = self._call(_pictures, pdf, self.images, f"{edition.name}-{kind}")
        names = {name for name, _ in made}
        for old in self.images.glob(f"{edition.name}-{kind}-*.png"):
            if old.name not in names:
                old.unlink(missing_ok=True)
        if target == "pdf":
            edition.pages = made
        else:
            edition.slides = made
        edition.versions[target] += 1
        edition.image_sources[target] = mtime
        self.log(f"made {len(made)} {kind} images in {time.perf_counter() - start:.2f} s", False)
