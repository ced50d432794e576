"""The plain Python API the CLI wraps: find content, check it, build outputs.

A build plans first (which outputs are out of date), validates every content
file it will use, makes each file's outputs in memory, and only then writes
them atomically; several content files are built in parallel processes.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.brief.html import font_families, render_html
from policybrief.brief.subset import FONT_FOLDER
from policybrief.brief.variants import DEFAULT_VARIANT, VARIANTS
from policybrief.cache import BuildCache, fingerprint
from policybrief.compose.context import template_context
from policybrief.compose.environment import builtin_templates, make_environment, search_path
from policybrief.deck.fit import fit_deck
from policybrief.deck.plan import render_plan
from policybrief.errors import BriefError, ContentError, OutputError, TemplateError, shown_path
from policybrief.load.content import load_report
from policybrief.output import ensure_folder, write_atomic
from policybrief.typography.fonts import installed_family

if TYPE_CHECKING:  # pydantic is imported only once content is read: a no-change rebuild skips it
    from policybrief.compose.theme import Theme
    from policybrief.load.schema import Report

TARGETS = ("pdf", "slides")  # what a build makes unless told otherwise
ALL_TARGETS = (*TARGETS, "html")  # the web edition is made only on request (build.py html, serve)
SUFFIXES = {"pdf": ".pdf", "slides": ".pptx", "html": ".html"}
HARFBUZZ_WARNING = (
    "HarfBuzz font subsetting is not installed, so every PDF takes about 40 times longer to write; "
    "install it: sudo apt-get install libharfbuzz-subset0."
)


@dataclass(frozen=True)
class Written:
    """One output written by a build."""

    path: Path
    seconds: float
    size: int
    detail: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Job:
    """The outputs of one content file that a build must make."""

    content: Path
    outputs: tuple[tuple[str, Path, str], ...]  # (target, output path, input fingerprint)
    report: Report | None = None


_ENVIRONMENTS: dict[tuple, object] = {}  # template folders and their files → Jinja environment (see Settings.env)


@dataclass
class Settings:
    """What every job of one build shares (sent to worker processes)."""

    folders: list[Path]
    pdf_variant: str
    font_dir: Path  # font subsets, kept next to the outputs (see fonts.py)
    theme: Theme | None = None  # loaded once the plan says something must be made
    _env: object = field(default=None, repr=False)

    def env(self):
        """Return the Jinja environment over the template folders, shared by every build of this process.

        It is made anew when any file in the folders is added, removed or
        changed (its size or time), so a content edit reuses the compiled
        templates and a template edit never meets a stale one.
        """
        if self._env is None:
            key = tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size)
                        for folder in self.folders for path in sorted(folder.rglob("*")) if path.is_file())
            if key not in _ENVIRONMENTS:
                if len(_ENVIRONMENTS) >= 4:
                    _ENVIRONMENTS.clear()
                _ENVIRONMENTS[key] = make_environment(self.folders)
            self._env = _ENVIRONMENTS[key]
        return self._env

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_env": None}


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
    """Return the template search path: ``templates``, then policybrief.yaml's folders, then the built-ins.

    Raise TemplateError for an override folder that does not exist.
    """
    from policybrief.load.project import project_templates

    for folder in map(Path, templates):
        if not folder.is_dir():
            raise TemplateError(f"{folder}: no such template folder; check the path given to --templates.")
    return search_path([*templates, *project_templates()])


def load_all(paths: list[Path], theme: Theme) -> list[tuple[Path, Report]]:
    """Return every content file loaded (glyphs checked in ``theme``'s fonts); raise one ContentError listing all their problems."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append((path, load_report(path, theme.font_roles())))
        except ContentError as error:
            problems.extend(error.problems)
    if problems:
        raise ContentError(problems)
    return loaded


def check(paths: Iterable[Path] = (), *, templates: Iterable[Path] = ()) -> list[Report]:
    """Return the validated reports after rendering every template (brief, web edition, deck) with them and fitting their slides; write nothing."""
    from policybrief.compose.theme import load_theme
    from policybrief.deck.master import find_master, geometry
    from policybrief.web.page import render_draft

    folders = template_folders(templates)
    env, theme = make_environment(folders), load_theme(folders)
    master = None
    reports = []
    for _, report in load_all(find_content(paths), theme):
        context = template_context(report, theme)
        render_html(env, context)
        render_draft(env, context)
        master = master or geometry(find_master(folders, theme.deck.master))
        fit_deck(render_plan(env, context, folders), master, theme)
        reports.append(report)
    return reports


def brief_html(content: Path, templates: Iterable[Path] = ()) -> str:
    """Return the brief's HTML for ``content``, as a build renders it (benchmarks and outside checks use it)."""
    from policybrief.compose.theme import load_theme

    folders = template_folders(templates)
    theme = load_theme(folders)
    return render_html(make_environment(folders), template_context(load_report(content, theme.font_roles()), theme))


def build(
    paths: Iterable[Path] = (),
    *,
    out_dir: Path = Path("build"),
    targets: Iterable[str] = TARGETS,
    templates: Iterable[Path] = (),
    pdf_variant: str = DEFAULT_VARIANT,
    force: bool = False,
    jobs: int | None = None,
    on_written: Callable[[Written], None] = lambda written: None,
    on_current: Callable[[Path], None] = lambda path: None,
    on_warning: Callable[[str], None] = lambda message: None,
) -> list[Written]:
    """Build the out-of-date outputs of every content file into ``out_dir``; return what was written.

    An output is skipped (and ``on_current`` called) when nothing it is made
    from changed since it was written, unless ``force``.
    """
    if pdf_variant not in VARIANTS:
        raise BriefError(f"{pdf_variant}: is not a PDF variant the brief can be written as; use one of {', '.join(VARIANTS)}.")
    folders = template_folders(templates)
    settings = Settings(folders, pdf_variant, out_dir / FONT_FOLDER)
    targets = tuple(t for t in ALL_TARGETS if t in tuple(targets))
    files = _distinct_names(find_content(paths))
    ensure_folder(out_dir)
    cache = BuildCache(out_dir)
    plan = _plan(files, out_dir, targets, settings, cache, force, on_current)
    if not plan:
        return []
    from policybrief.compose.theme import load_theme

    # The theme is read only now: its file is part of every fingerprint, so a no-change rebuild needs no YAML.
    settings.theme = load_theme(folders)
    # Every content problem is reported before anything is made.
    loaded = load_all([job.content for job in plan], settings.theme)
    plan = [replace(job, report=report) for job, (_, report) in zip(plan, loaded, strict=True)]
    if any(target == "pdf" for job in plan for target, _, _ in job.outputs) and not _harfbuzz_subset():
        on_warning(HARFBUZZ_WARNING)
    written = []
    for job, made in zip(plan, _make_all(plan, settings, jobs), strict=True):
        for (_, output, inputs), (record, data) in zip(job.outputs, made, strict=True):
            write_atomic(output, data)
            cache.record(output, inputs, data)
            written.append(record)
            on_written(record)
    cache.save()
    return written


def _plan(files, out_dir, targets, settings, cache, force, on_current) -> list[Job]:
    """Return the jobs of outputs that are out of date (all of them when ``force``)."""
    plan = []
    from policybrief.load.files import check_size

    for path in files:
        # By stat, before the fingerprint reads it: a missing file, a folder, a FIFO or 2 GB is one clear message.
        check_size(path, shown_path(path))
        outputs = []
        for target in targets:
            output = out_dir / f"{path.stem}{SUFFIXES[target]}"
            inputs = fingerprint(path, settings.folders, kind=target, options=settings.pdf_variant if target == "pdf" else "")
            if not force and cache.is_current(output, inputs):
                on_current(Path(shown_path(output)))
            else:
                outputs.append((target, output, inputs))
        if outputs:
            plan.append(Job(path, tuple(outputs)))
    return plan


def _make_all(plan: list[Job], settings: Settings, jobs: int | None) -> list[list[tuple[Written, bytes]]]:
    """Return the made outputs of every job, in worker processes when there is more than one output.

    Each output is its own task, so one brief's PDF and deck are made side by
    side on two cores, and a series keeps every core busy to the end.
    """
    tasks = [(index, replace(job, outputs=(output,))) for index, job in enumerate(plan) for output in job.outputs]
    workers = min(len(tasks), jobs or os.cpu_count() or 1)
    if workers <= 1:
        return [_make(job, settings) for job in plan]
    # Imported here, not at the top: the quick paths (check, no-change rebuild) never need them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # WeasyPrint is imported once here, so forked workers inherit it for free; python-pptx
    # (0.06 s) is left to the workers, so a deck worker imports it while a PDF is made.
    import weasyprint  # noqa: F401

    tasks.sort(key=lambda task: task[1].outputs[0][0] != "pdf")  # the slowest (PDFs) first
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        made = pool.map(_make, [job for _, job in tasks], [settings] * len(tasks))
        by_output = {(index, job.outputs[0][0]): outputs[0] for (index, job), outputs in zip(tasks, made, strict=True)}
    return [[by_output[index, target] for target, _, _ in job.outputs] for index, job in enumerate(plan)]


def _make(job: Job, settings: Settings) -> list[tuple[Written, bytes]]:
    """Return every output of ``job`` made in memory (nothing is written yet).

    Everything is made before anything is written: a deck template error must
    not leave a new PDF next to yesterday's deck.
    """
    context = template_context(job.report, settings.theme)
    makers = {
        "pdf": lambda: _pdf(context, settings, job.content.resolve().parent),
        "slides": lambda: _pptx(context, settings),
        "html": lambda: _web(context, settings, job.content.resolve().parent),
    }
    made = []
    for target, output, _ in job.outputs:
        start = time.perf_counter()
        data, detail, notes = makers[target]()
        record = Written(Path(shown_path(output)), time.perf_counter() - start, len(data), detail, notes)
        made.append((record, data))
    return made


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


def _pdf(context: dict, settings: Settings, content_folder: Path) -> tuple[bytes, str, tuple[str, ...]]:
    """Return the brief's PDF bytes, a short description and no notes (only template and content files are read)."""
    from policybrief.brief.pdf import write_pdf

    data, pages = write_pdf(render_html(settings.env(), context), [*settings.folders, content_folder], settings.folders[-1],
                            variant=settings.pdf_variant, families=font_families(settings.theme), font_dir=settings.font_dir)
    return data, f"{pages} pages", ()


def _web(context: dict, settings: Settings, content_folder: Path) -> tuple[bytes, str, tuple[str, ...]]:
    """Return the web edition's HTML bytes, a short description and no notes."""
    from policybrief.web.page import render_web

    html = render_web(settings.env(), context, [content_folder, *settings.folders], settings.font_dir)
    return html.encode("utf-8"), "web edition, fonts inlined", ()


def _pptx(context: dict, settings: Settings) -> tuple[bytes, str, tuple[str, ...]]:
    """Return the deck's PPTX bytes, a short description and what the build should say about it."""
    from policybrief.deck.master import Master, find_master
    from policybrief.deck.writer import deck_info, logo_picture, write_deck

    theme = settings.theme
    master = Master(find_master(settings.folders, theme.deck.master))
    fitted = fit_deck(render_plan(settings.env(), context, settings.folders), master.geometry, theme)
    logo = logo_picture(theme, alt=f"{context['report'].publisher} 標誌")
    data = write_deck(fitted.slides, master, deck_info(context), theme, logo)
    messages = list(fitted.messages)
    if theme.deck.east_asian_font and not installed_family(theme.deck.east_asian_font):
        messages.append(f"note: the deck names {theme.deck.east_asian_font} for Chinese text, which is not installed here; "
                        f"it was measured in {theme.fonts.slides.east_asian}, with room for the difference")
    return data, f"{len(fitted.slides)} slides", tuple(messages)


def _harfbuzz_subset() -> bool:
    """Return True when WeasyPrint can subset fonts with HarfBuzz (the fast path)."""
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None


TEMPLATES_README = """\
# Your templates

This folder was made by `python build.py init-templates`. Use it with
`python build.py --templates {folder}` (or list it under `templates:` in a
policybrief.yaml next to your content folder). Each file here overrides the
built-in file of the same name; a file you delete falls back to the built-in,
so keep only the files you change:

- theme.yaml            colours, fonts, sizes, page margins, logo and the deck's
                        master and layout names: the one file for both outputs;
                        it may hold only the keys you change
- brief/base.html       the brief's HTML; better: keep brief/brief.html and
                        replace one block, e.g. {{% block cover %}}
- brief/brief.html      the file the build renders; extends brief/base.html
- brief/brief.css       the brief's stylesheet (its colours come from theme.yaml)
- deck/base.xml         the slide plan; deck/deck.xml extends it
- deck/master.pptx      the slide master: its layouts and placeholders
- web/web.html          the web edition (build.py html); extends brief/base.html
- web/web.css           the web edition's screen stylesheet

See docs/customising.md for three worked examples.
"""


def init_templates(target: Path) -> list[Path]:
    """Return the files written after copying the built-in templates and a README into ``target``."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"{target}: is not an empty folder; name a new folder for the templates.")
    try:
        shutil.copytree(builtin_templates(), target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        (target / "README.md").write_text(TEMPLATES_README.format(folder=target), encoding="utf-8")
    except OSError as error:  # e.g. a file in the way of a parent folder, no permission, disk full
        reason = error.strerror or "a file could not be copied"  # shutil.Error collects several, without a strerror
        raise OutputError(f"{target}: cannot create the templates folder ({reason}); name another folder.") from None
    return sorted(p for p in target.rglob("*") if p.is_file())
