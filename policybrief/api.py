"""The plain Python API the CLI wraps: find content, check it, build outputs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from policybrief import brief, deck
from policybrief.content import load_report, shown_path
from policybrief.context import template_context
from policybrief.errors import BriefError, ContentError, OutputError, TemplateError
from policybrief.output import ensure_folder, write_atomic
from policybrief.schema import Report
from policybrief.templating import make_environment, search_path

TARGETS = ("pdf", "slides")


@dataclass(frozen=True)
class Written:
    """One output written by a build."""

    path: Path
    kind: str
    seconds: float
    size: int
    detail: str


def find_content(paths: Iterable[Path], default_folder: Path = Path("content")) -> list[Path]:
    """Return the content files to build: ``paths``, or every ``*.yaml`` in ``default_folder``."""
    found = [Path(p) for p in paths]
    if found:
        return found
    if not default_folder.is_dir():
        raise BriefError(f"{default_folder}: no such folder; name a content file, e.g. python build.py content/107005.yaml.")
    found = sorted(default_folder.glob("*.yaml"))
    if not found:
        raise BriefError(f"{default_folder}: holds no .yaml content file; add one or name a file.")
    return found


def template_folders(templates: Iterable[Path]) -> list[Path]:
    """Return the template search path; raise TemplateError for an override folder that does not exist."""
    for folder in map(Path, templates):
        if not folder.is_dir():
            raise TemplateError(f"{folder}: no such template folder; check the path given to --templates.")
    return search_path(list(templates))


def load_all(paths: list[Path]) -> list[tuple[Path, Report]]:
    """Return every content file loaded; raise one ContentError listing all their problems."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append((path, load_report(path)))
        except ContentError as error:
            problems.extend(error.problems)
    if problems:
        raise ContentError(problems)
    return loaded


def check(paths: Iterable[Path] = (), *, templates: Iterable[Path] = ()) -> list[Report]:
    """Return the validated reports after rendering every template with them; write nothing."""
    env = make_environment(template_folders(templates))
    reports = []
    for _, report in load_all(find_content(paths)):
        context = template_context(report)
        brief.render_html(env, context)
        deck.render_plan(env, context)
        reports.append(report)
    return reports


def build(
    paths: Iterable[Path] = (),
    *,
    out_dir: Path = Path("build"),
    targets: Iterable[str] = TARGETS,
    templates: Iterable[Path] = (),
    pdf_variant: str = brief.DEFAULT_VARIANT,
    on_written: Callable[[Written], None] = lambda written: None,
) -> list[Written]:
    """Build the requested outputs of every content file into ``out_dir``; return what was written."""
    folders = template_folders(templates)
    env = make_environment(folders)
    targets = tuple(targets)
    ensure_folder(out_dir)
    written: list[Written] = []
    for path, report in load_all(_distinct_names(find_content(paths))):
        context = template_context(report)
        allowed = [*folders, path.resolve().parent]
        makers = {
            "pdf": (f"{path.stem}.pdf", "PDF", partial(_pdf, env, context, allowed, folders[-1], pdf_variant)),
            "slides": (f"{path.stem}.pptx", "deck", partial(_pptx, env, context, report)),
        }
        # Everything is made before anything is written: a deck template error
        # must not leave a new PDF next to yesterday's deck.
        made = [_timed(out_dir / name, kind, make) for target, (name, kind, make) in makers.items() if target in targets]
        for record, data in made:
            write_atomic(out_dir / record.path.name, data)
            written.append(record)
            on_written(record)
    return written


def _distinct_names(paths: list[Path]) -> list[Path]:
    """Return ``paths``; raise OutputError when two would write the same output file."""
    seen: dict[str, Path] = {}
    for path in paths:
        first = seen.setdefault(path.stem, path)
        if first.resolve() != path.resolve():
            raise OutputError(
                f"{shown_path(first)} and {shown_path(path)}: both would be written as {path.stem}.pdf/.pptx; "
                "rename one or build them one at a time."
            )
    return paths


def _pdf(env, context, allowed: list[Path], base: Path, variant: str) -> tuple[bytes, str]:
    """Return the brief's PDF bytes and a short description."""
    data, pages = brief.write_pdf(brief.render_html(env, context), allowed, base, variant=variant)
    return data, f"{pages} pages"


def _pptx(env, context, report: Report) -> tuple[bytes, str]:
    """Return the deck's PPTX bytes and a short description."""
    slides = deck.render_plan(env, context)
    return deck.build_pptx(slides, title=report.title, author=report.publisher), f"{len(slides)} slides"


def _timed(path: Path, kind: str, make: Callable[[], tuple[bytes, str]]) -> tuple[Written, bytes]:
    """Return the record of making ``path`` (not yet written) and its bytes."""
    start = time.perf_counter()
    data, detail = make()
    return Written(Path(shown_path(path)), kind, time.perf_counter() - start, len(data), detail), data
