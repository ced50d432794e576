"""The plain Python API the CLI wraps: find content, check it, build outputs.

A build plans first (which outputs are out of date), then streams: each
content file is validated and its outputs handed to worker processes (one
task per output, so a brief's PDF and deck are made side by side), and as
soon as every output of a file is made they are written together,
atomically, all or none. A build stopped half-way (Ctrl-C, SIGTERM) stops its
workers and keeps every file it finished; its temporary files are removed.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.brief.html import font_families, render_html
from policybrief.brief.subset import OLD_FONT_FOLDER
from policybrief.brief.variants import DEFAULT_VARIANT, VARIANTS
from policybrief.cache import BuildCache, fingerprint
from policybrief.compose.context import template_context
from policybrief.compose.environment import builtin_templates, make_environment, search_path
from policybrief.deck.fit import fit_deck
from policybrief.deck.plan import render_plan
from policybrief.errors import BriefError, ContentError, OutputError, TemplateError, shown_path
from policybrief.load.content import load_report
from policybrief.output import cache_folder, ensure_folder, private_temp, remove_stale_parts, write_all
from policybrief.typography.fonts import installed_family
from policybrief.typography.native import import_weasyprint

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


@dataclass
class Settings:
    """What every job of one build shares (sent to worker processes)."""

    folders: list[Path]
    pdf_variant: str
    font_dir: Path  # font subsets, in the user's cache folder (see brief/subset.py)
    theme: Theme | None = None  # loaded once the plan says something must be made
    pdf_seconds: tuple[float, str] = (60.0, "pdf_seconds in policybrief.yaml")  # the PDF's time budget and where it is set

    def env(self):
        """Return the Jinja environment over the template folders (made once per process, see ``environment``)."""
        return environment(self.folders)


_ENVIRONMENTS: dict[tuple, object] = {}  # the template folders' files → Jinja environment (see ``environment``)


def environment(folders: list[Path]):
    """Return the Jinja environment over ``folders``, made once per process and kept with its compiled templates.

    Settings travel to a worker pickled, without an environment; a worker
    finds the one it inherited from the parent (or made for its first task)
    here, so a series compiles each template once per process, not per output.
    Jinja checks each template file's time before using a compiled template,
    so an edited template (``watch``) is compiled again.
    """
    # Keyed by every file of the folders (path, time, size): a template added to an override folder
    # shadows a built-in one, which Jinja's own per-template check would not notice.
    key = tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size)
                for folder in folders for path in sorted(Path(folder).rglob("*")) if path.is_file())
    if key not in _ENVIRONMENTS:
        if len(_ENVIRONMENTS) >= 4:
            _ENVIRONMENTS.clear()
        _ENVIRONMENTS[key] = make_environment(list(folders))
    return _ENVIRONMENTS[key]


def find_content(paths: Iterable[Path], default_folder: Path = Path("content")) -> list[Path]:
    """Return the content files to build: ``paths``, or every ``*.yaml`` in ``default_folder``."""
    found = [Path(p) for p in paths]
    if found:
        return found
    if not default_folder.is_dir():
        raise BriefError(f"{default_folder}: no such folder; name a content file, e.g. python3 build.py content/107005.yaml.")
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
    env, theme = environment(folders), load_theme(folders)
    master = None
    reports = []
    for _, report in load_all(find_content(paths), theme):
        context = template_context(report, theme)
        render_html(env, context)
        render_draft(env, context)
        master = master or geometry(find_master(folders, theme.deck.master))
        fit_deck(render_plan(env, context, folders), master, theme, context["terms"])
        reports.append(report)
    return reports


def brief_html(content: Path, templates: Iterable[Path] = ()) -> str:
    """Return the brief's HTML for ``content``, as a build renders it (benchmarks and outside checks use it)."""
    from policybrief.compose.theme import load_theme

    folders = template_folders(templates)
    theme = load_theme(folders)
    return render_html(environment(folders), template_context(load_report(content, theme.font_roles()), theme))


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
    on_progress: Callable[[int, int, str], None] = lambda done, total, current: None,
) -> list[Written]:
    """Build the out-of-date outputs of every content file into ``out_dir``; return what was written.

    An output is skipped (and ``on_current`` called) when nothing it is made
    from changed since it was written, unless ``force``. Each content file's
    outputs are written, all together, as soon as they are made, and
    ``on_written`` is called for each right then; ``on_progress(done, total,
    current)`` tells how many of the content files to make are done and which
    are being made. ``jobs`` worker processes make the outputs (default: the
    cores free now). A content file with problems is not built; the problems
    of all of them are raised together, as one ContentError, once the other
    files are written. Ctrl-C (KeyboardInterrupt) or SIGTERM stops the
    workers; the files finished by then are complete and recorded as current.
    """
    if pdf_variant not in VARIANTS:
        raise BriefError(f"{pdf_variant}: is not a PDF variant the brief can be written as; use one of {', '.join(VARIANTS)}.")
    folders = template_folders(templates)
    from policybrief.load.project import project_pdf_seconds

    settings = Settings(folders, pdf_variant, cache_folder("fonts"), pdf_seconds=project_pdf_seconds())
    targets = tuple(t for t in ALL_TARGETS if t in tuple(targets))
    files = _distinct_names(find_content(paths))
    ensure_folder(out_dir)
    remove_stale_parts(out_dir)  # left by a killed build
    cache = BuildCache(out_dir)
    plan = _plan(files, out_dir, targets, settings, cache, force, on_current)
    if not plan:
        return []
    from policybrief.compose.theme import load_theme

    # The theme is read only now: its file is part of every fingerprint, so a no-change rebuild needs no YAML.
    settings.theme = load_theme(folders)
    for message in settings.theme.warnings():
        on_warning(message)
    # The first file is validated before WeasyPrint is imported (for the HarfBuzz check) and workers
    # start: a refused file (a 100,000-character URL) costs no more than a check.
    problems: list = []
    first = _validated(plan[0], settings, problems)
    plan = [first, *plan[1:]] if first is not None else plan[1:]
    if not plan:
        raise ContentError(problems)
    if any(target == "pdf" for job in plan for target, _, _ in job.outputs) and not _harfbuzz_subset():
        on_warning(HARFBUZZ_WARNING)
    shutil.rmtree(out_dir / OLD_FONT_FOLDER, ignore_errors=True)  # subsets now live in the user's cache
    written = []
    with _stopped_by_signals(), private_temp():  # signals first: a SIGTERM then never skips removing the folder
        try:
            for job, made in _make_all(plan, settings, jobs, problems, on_progress):
                write_all([(output, data) for (_, output, _), (_, data) in zip(job.outputs, made, strict=True)])
                for (_, output, inputs), (record, data) in zip(job.outputs, made, strict=True):
                    cache.record(output, inputs, data)
                    written.append(record)
                    on_written(record)
        finally:
            if written:
                cache.save()  # what was written is current, even when the build stops half-way
    if problems:
        raise ContentError(problems)
    return written


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Make SIGTERM (and SIGINT, even where a shell ignored it) raise KeyboardInterrupt while the block runs.

    The build then stops its workers and removes its temporary files before
    the process ends, instead of dying with workers still running.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    for number in before:
        signal.signal(number, signal.default_int_handler)
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


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


def _make_all(plan: list[Job], settings: Settings, jobs: int | None, problems: list,
              on_progress: Callable[[int, int, str], None]) -> Iterator[tuple[Job, list[tuple[Written, bytes]]]]:
    """Yield each job (validated) with its made outputs, as soon as all its outputs are made.

    Each output is its own task on a worker process, so one brief's PDF and
    deck are made side by side and a series keeps every free core busy; the
    parent validates the next content file while the workers make the
    previous ones. A job whose content has problems adds them to
    ``problems`` and is not made.
    """
    total, done, making = len(plan), 0, {}
    workers = min(sum(len(job.outputs) for job in plan), jobs or free_cores())
    if workers <= 1:
        for job in plan:
            on_progress(done, total, job.content.name)
            job = _validated(job, settings, problems)
            if job is not None:
                yield job, _make(job, settings)
            done += 1
            on_progress(done, total, "")
        return
    # Imported here, not at the top: the quick paths (check, no-change rebuild) never need them.
    import gc
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    # WeasyPrint is imported and the templates compiled once here, so forked workers inherit them;
    # python-pptx (0.06 s) is left to the workers, so a deck worker imports it while a PDF is made.
    import_weasyprint()
    settings.env()
    gc.freeze()  # objects made so far stay out of the workers' collections: fewer copied pages after the fork
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_started, initargs=(os.getpid(),))
    pending: dict = {}  # future → (job index, target)
    made: dict[int, dict[str, tuple[Written, bytes]]] = {}
    jobs_by_index: dict[int, Job] = {}

    def finished(block: bool) -> Iterator[tuple[Job, list[tuple[Written, bytes]]]]:
        nonlocal done
        ready, _ = wait(list(pending), timeout=None if block else 0, return_when=FIRST_COMPLETED)
        for future in ready:
            index, target = pending.pop(future)
            try:
                made.setdefault(index, {})[target] = future.result()[0]
            except BrokenProcessPool:
                raise OutputError("a worker process of the build stopped unexpectedly (killed, or out of memory); "
                                  "build again.") from None
            job = jobs_by_index[index]
            if len(made[index]) == len(job.outputs):
                outputs = made.pop(index)
                done += 1
                making.pop(index, None)
                on_progress(done, total, ", ".join(making.values()))
                yield job, [outputs[target] for target, _, _ in job.outputs]

    try:
        for index, job in enumerate(plan):
            making[index] = job.content.name
            on_progress(done, total, ", ".join(making.values()))
            job = _validated(job, settings, problems)
            if job is None:
                making.pop(index)
                done += 1
                continue
            jobs_by_index[index] = job
            for output in job.outputs:  # the PDF first: it takes longest
                pending[pool.submit(_make, replace(job, outputs=(output,)), settings)] = (index, output[0])
            yield from finished(block=False)
        while pending:
            yield from finished(block=True)
    except BaseException:  # an error, Ctrl-C, SIGTERM, or the caller stopping: no worker outlives the build
        _stop(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        gc.unfreeze()


def _validated(job: Job, settings: Settings, problems: list) -> Job | None:
    """Return ``job`` with its content loaded and checked; None (its problems added to ``problems``) when it has any."""
    if job.report is not None:  # checked already (the first file of a build)
        return job
    try:
        return replace(job, report=load_report(job.content, settings.theme.font_roles()))
    except ContentError as error:
        problems.extend(error.problems)
        return None


def free_cores() -> int:
    """Return how many of the cores this process may use are free now (at least 1).

    The cores it may run on (``sched_getaffinity``) less those busy: the
    smaller of the last minute's load average and the processes running
    right now, other than this one. On a 2-core machine with one core busy
    elsewhere a single process is faster than two competing workers.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            fields = handle.read().split()
        busy = min(float(fields[0]), max(0, int(fields[3].split("/")[0]) - 1))
    except (OSError, ValueError, IndexError):
        try:
            busy = os.getloadavg()[0]
        except OSError:
            busy = 0.0
    return max(1, min(cores, int(cores - busy + 0.5)))


def _worker_started(parent: int) -> None:
    """Set up a worker process: it dies with its parent, and leaves Ctrl-C to the parent, which stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """Make this (forked) process be killed when ``parent``, which forked it from its main thread, ends — even by SIGKILL.

    Linux's parent-death signal is sent when the forking *thread* ends, so
    only a process forked by the parent's main thread may use it.
    """
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed when the parent ends
    except (OSError, AttributeError):  # not Linux: the parent's signal handler still stops the workers
        pass
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)


# True once a build stopped its worker processes half-way: see ``cli.main``, which then ends the process
# without waiting for the pool's manager thread.
stopped_workers = False


def _stop(pool) -> None:
    """Stop ``pool``'s worker processes now (each within a second) and drop its pending tasks."""
    global stopped_workers
    stopped_workers = True
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(1)
        if process.is_alive():
            process.kill()
            process.join(1)
    pool.shutdown(wait=False, cancel_futures=True)


def _make(job: Job, settings: Settings) -> list[tuple[Written, bytes]]:
    """Return every output of ``job`` made in memory (nothing is written yet).

    Everything is made before anything is written: a deck template error must
    not leave a new PDF next to yesterday's deck.
    """
    context = template_context(job.report, settings.theme)
    makers = {
        "pdf": lambda: _pdf(context, settings, job.content),
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


def _pdf(context: dict, settings: Settings, content: Path) -> tuple[bytes, str, tuple[str, ...]]:
    """Return the brief's PDF bytes of ``content``, a short description and no notes (only template and content files are read)."""
    from policybrief.brief.pdf import LayoutTimeout, write_pdf

    seconds, where = settings.pdf_seconds
    try:
        data, pages = write_pdf(render_html(settings.env(), context), [*settings.folders, content.resolve().parent],
                                settings.folders[-1], variant=settings.pdf_variant, families=font_families(settings.theme),
                                font_dir=settings.font_dir, seconds=seconds)
    except LayoutTimeout:
        raise BriefError(f"{shown_path(content)}: the PDF took more than {seconds:g} seconds to lay out and was stopped; "
                         f"shorten its longest texts, or give it more time ({where}).") from None
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
    fitted = fit_deck(render_plan(settings.env(), context, settings.folders), master.geometry, theme, context["terms"])
    logo = logo_picture(theme, alt=f"{context['report'].publisher} 標誌")
    data = write_deck(fitted.slides, master, deck_info(context), theme, logo)
    messages = list(fitted.messages)
    if theme.deck.east_asian_font and not installed_family(theme.deck.east_asian_font):
        messages.append(f"note: the deck names {theme.deck.east_asian_font} for Chinese text, which is not installed here; "
                        f"it was measured in {theme.fonts.slides.east_asian}, with room for the difference")
    return data, f"{len(fitted.slides)} slides", tuple(messages)


def _harfbuzz_subset() -> bool:
    """Return True when WeasyPrint can subset fonts with HarfBuzz (the fast path)."""
    import_weasyprint()
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None


TEMPLATES_README = """\
# Your templates

This folder was made by `python3 build.py init-templates`. Use it with
`python3 build.py --templates {folder}` (or list it under `templates:` in a
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
