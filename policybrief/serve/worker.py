"""The preview server's one warm build worker: rebuild on save, make page and slide images, remember the state.

One thread with WeasyPrint, python-pptx and the fonts loaded builds each
content file in the order a designer looks: the web edition first, then the
PDF and its page images, then the deck and its slide images. ``api.build``
skips outputs whose inputs did not change (a CSS edit does not rebuild the
deck), and a save that arrives mid-way starts the round again from the web
edition. A build error leaves the last good outputs in place and is kept,
located, in the state every page shows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from policybrief.errors import BriefError, ContentError
from policybrief.preview import pdf_pages_to_png

PAGE_WIDTH = 900  # px of a PDF page or slide image
STEPS = (("html", "web edition"), ("pdf", "PDF pages"), ("slides", "slide images"))  # target, what the page waits for
BUILT = {"html": "web edition", "pdf": "PDF", "slides": "deck"}  # target, what its build time is called


@dataclass
class Edition:
    """What the server knows about one content file: its outputs, images, timings and problems."""

    name: str
    content: Path
    versions: dict[str, int] = field(default_factory=lambda: {"html": 0, "pdf": 0, "slides": 0})
    pages: list[str] = field(default_factory=list)  # image file names in the preview folder
    slides: list[str] = field(default_factory=list)
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
            "pages": [f"{page}?v={self.versions['pdf']}" for page in self.pages],
            "slides": [f"{slide}?v={self.versions['slides']}" for slide in self.slides],
            "seconds": {BUILT[target]: round(self.seconds[target], 2) for target, _ in STEPS if target in self.seconds},
            "errors": self.errors, "warnings": self.warnings, "pending": self.pending, "built": self.built_at,
        }

    def served(self) -> set[str]:
        """Return the file names under /<name>/ the server may send: the outputs and the images."""
        return {f"{self.name}.html", f"{self.name}.pdf", f"{self.name}.pptx", *self.pages, *self.slides}


class Worker:
    """Builds on request in one thread; calls ``notify(name)`` whenever an edition's state changed."""

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
        """Stop after the current step and wait for that."""
        self.stop_soon()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        import pptx  # noqa: F401  (imported once: every rebuild is warm)
        import weasyprint  # noqa: F401

        while True:
            self._wake.wait()
            if self._stopping.is_set():
                return
            self._wake.clear()
            changed, self._changed = sorted(set(self._changed)), []
            for edition in self.editions.values():
                if not self._round(edition, changed):
                    break  # a newer save: start again from the web edition

    def _round(self, edition: Edition, changed: list[str]) -> bool:
        """Bring ``edition`` up to date; return False when a newer save (or stop) cut it short."""
        errors: list[str] = []
        warnings: list[str] = [self.office_warning] if self.office_warning else []
        edition.pending = [label for _, label in STEPS]
        self.notify(edition.name)
        for target, label in STEPS:
            if self._wake.is_set() or self._stopping.is_set():
                return False
            try:
                self._step(edition, target, changed, warnings)
            except BriefError as error:
                errors.extend(error.lines())
                for line in error.lines():
                    self.log(line, True)
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

    def _step(self, edition: Edition, target: str, changed: list[str], warnings: list[str]) -> None:
        """Build ``target`` of ``edition`` if out of date, then its images if they show an older output."""
        from policybrief.api import SUFFIXES, build

        start = time.perf_counter()
        written = build([edition.content], out_dir=self.out_dir, targets=(target,), templates=self.templates,
                        jobs=1, on_warning=warnings.append)
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
            self._images(edition, target, output)

    def _images(self, edition: Edition, target: str, output: Path) -> None:
        """Write the page or slide images of ``output`` and record which output they show."""
        mtime = output.stat().st_mtime_ns
        kind = "page" if target == "pdf" else "slide"
        start = time.perf_counter()
        self.images.mkdir(parents=True, exist_ok=True)
        pdf = output if target == "pdf" else self.office.to_pdf(output)
        made = pdf_pages_to_png(pdf, self.images, f"{edition.name}-{kind}", width=PAGE_WIDTH)
        names = [path.name for path in made]
        for old in self.images.glob(f"{edition.name}-{kind}-*.png"):
            if old.name not in names:
                old.unlink(missing_ok=True)
        if target == "pdf":
            edition.pages = names
        else:
            edition.slides = names
        edition.versions[target] += 1
        edition.image_sources[target] = mtime
        self.log(f"made {len(names)} {kind} images in {time.perf_counter() - start:.2f} s", False)
