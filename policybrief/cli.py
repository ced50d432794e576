"""The command line: parse arguments, call the API, turn errors into messages.

Kept free of heavy imports so that ``--help`` and ``check`` stay fast.
"""

from __future__ import annotations

import difflib
import os
import shutil
import signal
import sys
from pathlib import Path

import click

from policybrief import __version__
from policybrief.brief.variants import ARCHIVE_VARIANT, DEFAULT_VARIANT, VARIANTS
from policybrief.errors import BriefError

DEFAULT_COMMAND = "all"


class FullHelpCommand(click.Command):
    """A command whose line in the command list is its whole first paragraph, never cut short with ``...``."""

    def get_short_help_str(self, limit: int = 45) -> str:
        return (self.short_help or self.help or "").split("\n\n")[0].replace("\n", " ").strip()


class DefaultGroup(click.Group):
    """A group that runs ``all`` when no command is named (``build.py content/x.yaml``)."""

    command_class = FullHelpCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            if args and _looks_like_a_command(args[0]):
                _no_such_command(args[0], sorted(self.commands))
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


def _looks_like_a_command(word: str) -> bool:
    """Return whether ``word``, in a command's place, is meant as a command: a bare word that names no file."""
    return bool(word) and not word.startswith("-") and "/" not in word and "." not in word and not Path(word).exists()


def _no_such_command(word: str, commands: list[str]) -> None:
    """Print that ``word`` is no command (with the command it most likely means) and exit 1."""
    close = difflib.get_close_matches(word, commands, n=1, cutoff=0.6)
    if close:
        advice = f"did you mean '{close[0]}'? (commands: {', '.join(commands)})"
    else:
        advice = f"name a content file (e.g. content/107005.yaml) or a command: {', '.join(commands)}"
    click.echo(f"{word}: no such command or file; {advice}.", err=True)
    sys.exit(1)


content_argument = click.argument("content", nargs=-1, type=click.Path(path_type=Path))
out_option = click.option("-o", "--out", "out_dir", default=Path("build"), show_default=True, type=click.Path(path_type=Path), help="Folder the outputs are written to.")
templates_option = click.option("--templates", "templates", multiple=True, type=click.Path(path_type=Path), help="Folder of template overrides, searched before the built-in templates (repeatable).")
debug_option = click.option("--debug", is_flag=True, help="Show the Python traceback of an error.")
force_option = click.option("--force", is_flag=True, help="Rebuild even the outputs that are up to date.")
variant_option = click.option(
    "--pdf-variant", default=DEFAULT_VARIANT, show_default=True, type=click.Choice(VARIANTS),
    help=f"PDF flavour: {DEFAULT_VARIANT} (tagged, accessible), or {ARCHIVE_VARIANT} for archives (archival and tagged).")


EXAMPLES = """Examples:

\b
  {prog}                                  every content/*.yaml -> build/<name>.pdf and .pptx
  {prog} pdf content/107005.yaml -o out   only the PDF brief, into out/
  {prog} html                             the web edition, build/<name>.html
  {prog} check                            validate content and templates, write nothing
  {prog} serve                            live preview at http://127.0.0.1:8000/
  {prog} --templates my-templates         build with your own templates and theme
  {prog} import report.pdf -o content/draft.yaml

Each command has --help. Docs: README.md and docs/ in the project folder."""


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
             epilog=EXAMPLES.format(prog="python3 build.py"))
@click.version_option(__version__, prog_name="policybrief")
def cli() -> None:
    """Build policy briefs (PDF), briefing decks (PPTX) and web editions from content YAML.

    With no command, builds every content/*.yaml into build/ (the command `all`).
    """


jobs_option = click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                           help="Worker processes making outputs [default: the cores free now].")


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal; other lines are printed above it."""

    WIDTH = 24

    def __init__(self) -> None:
        self.line = ""
        self.enabled = sys.stderr.isatty()

    def update(self, done: int, total: int, current: str) -> None:
        if not self.enabled:
            return
        filled = self.WIDTH * done // max(total, 1)
        self.line = f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {done}/{total} {current}".rstrip()
        self.draw()

    def draw(self) -> None:
        if self.enabled and self.line:
            columns = max(20, shutil.get_terminal_size().columns - 1)
            click.echo(f"\r\x1b[K{self.line[:columns]}", nl=False, err=True)

    def clear(self) -> None:
        if self.enabled and self.line:
            click.echo("\r\x1b[K", nl=False, err=True)

    def above(self, text: str, err: bool = False) -> None:
        """Print ``text`` as a line of its own, then the bar again under it."""
        self.clear()
        click.echo(text, err=err)
        self.draw()

    def done(self) -> None:
        self.clear()
        self.line = ""


def _reporters(progress: Progress | None = None):
    """Return the callbacks that print what a build wrote, what was current, and its warnings."""
    progress = progress or Progress()

    def written(record) -> None:
        progress.above(f"wrote {record.path} ({record.detail}, {record.size / 1024:.0f} KB) in {record.seconds:.2f} s")
        for note in record.notes:
            progress.above(f"  {note}")

    def current(path) -> None:
        progress.above(f"up to date: {path}")

    def warning(message) -> None:
        progress.above(f"warning: {message}", err=True)

    return written, current, warning


def _build(targets: tuple[str, ...], content, out_dir, templates, debug, force, pdf_variant=DEFAULT_VARIANT, jobs=None) -> None:
    from policybrief.api import build

    progress = Progress()
    written, current, warning = _reporters(progress)
    try:
        _run(debug, lambda: build(content, out_dir=out_dir, targets=targets, templates=templates, pdf_variant=pdf_variant,
                                  force=force, jobs=jobs, on_written=written, on_current=current, on_warning=warning,
                                  on_progress=progress.update))
    except KeyboardInterrupt:
        progress.done()
        click.echo("stopped: the outputs written so far are complete; build again to make the rest.", err=True)
        sys.exit(130)
    finally:
        progress.done()


@cli.command("all")
@content_argument
@out_option
@templates_option
@variant_option
@force_option
@jobs_option
@debug_option
def all_command(content, out_dir, templates, pdf_variant, force, jobs, debug) -> None:
    """Build the PDF brief and the slide deck of each CONTENT file (default: content/*.yaml)."""
    _build(("pdf", "slides"), content, out_dir, templates, debug, force, pdf_variant, jobs)


@cli.command("pdf")
@content_argument
@out_option
@templates_option
@variant_option
@force_option
@jobs_option
@debug_option
def pdf_command(content, out_dir, templates, pdf_variant, force, jobs, debug) -> None:
    """Build only the PDF brief of each CONTENT file."""
    _build(("pdf",), content, out_dir, templates, debug, force, pdf_variant, jobs)


@cli.command("slides")
@content_argument
@out_option
@templates_option
@click.option("--pdf", "handout", is_flag=True, help="Also write <name>-slides.pdf, one slide per page, for handouts (needs LibreOffice).")
@force_option
@jobs_option
@debug_option
def slides_command(content, out_dir, templates, handout, force, jobs, debug) -> None:
    """Build only the slide deck of each CONTENT file."""
    if not handout:
        _build(("slides",), content, out_dir, templates, debug, force, jobs=jobs)
        return
    from policybrief.preview import slides_pdf

    written, current, _ = _reporters()
    pdfs = _run(debug, lambda: slides_pdf(content, out_dir=out_dir, templates=templates, force=force,
                                          on_written=written, on_current=current))
    for pdf in pdfs:
        click.echo(f"wrote {pdf} (slides as PDF, {pdf.stat().st_size / 1024:.0f} KB)")


@cli.command("html")
@content_argument
@out_option
@templates_option
@force_option
@debug_option
def html_command(content, out_dir, templates, force, debug) -> None:
    """Build only the web edition of each CONTENT file: one self-contained <name>.html."""
    _build(("html",), content, out_dir, templates, debug, force)


@cli.command("check")
@content_argument
@templates_option
@debug_option
def check_command(content, templates, debug) -> None:
    """Validate CONTENT files and templates; write nothing."""
    from policybrief.api import check

    reports = _run(debug, lambda: check(content, templates=templates))
    for report in reports:
        click.echo(f"ok: {report.series.name} No. {report.series.number} ({sum(len(s.topics) for s in report.sections)} topics)")


@cli.command("import")
@click.argument("report", type=click.Path(path_type=Path))
@click.option("-o", "--output", "--out", "output", type=click.Path(path_type=Path), help="Content file to write (default: content/<series number>.yaml).")
@click.option("--force", is_flag=True, help="Replace the content file (content/<series number>.yaml or -o FILE) if it exists.")
@debug_option
def import_command(report, output, force, debug) -> None:
    """Import REPORT (.txt or .pdf): write its metadata and 提要 as content YAML.

    The text a report must hold, with a minimal example: docs/importing.md.
    """
    from policybrief.importer.report import import_to_file

    progress = Progress()  # pages read, on a terminal: a long PDF takes seconds
    try:
        path, imported = _run(debug, lambda: import_to_file(report, output, force=force, on_progress=progress.update))
    finally:
        progress.done()
    for warning in imported.warnings:
        click.echo(warning, err=True)
    sections, topics, points = imported.counts
    warnings = len(imported.warnings)
    click.echo(f"wrote {path} ({sections} sections, {topics} topics, {points} points, {warnings} warning{'' if warnings == 1 else 's'})")


@cli.command("init-templates")
@click.argument("folder", type=click.Path(path_type=Path))
@debug_option
def init_templates_command(folder, debug) -> None:
    """Copy the built-in templates and theme into FOLDER (new or empty) to customise them."""
    from policybrief.api import init_templates

    files = _run(debug, lambda: init_templates(folder))
    click.echo(f"wrote {len(files)} files to {folder}; read {folder / 'README.md'}, keep only the files you change, "
               f"and build with --templates {folder}")


preview_out_option = click.option("-o", "--out", "out_dir", default=Path("build/preview"), show_default=True,
                                  type=click.Path(path_type=Path), help="Folder the outputs and PNGs are written to.")


@cli.command("preview")
@content_argument
@preview_out_option
@templates_option
@debug_option
def preview_command(content, out_dir, templates, debug) -> None:
    """Build, then write every PDF page and slide of each CONTENT file as PNG, plus one contact sheet."""
    from policybrief.preview import preview

    made = _run(debug, lambda: preview(content, out_dir=out_dir, templates=templates))
    click.echo(f"wrote {len(made.pages)} page and {len(made.slides)} slide images to {out_dir}")
    click.echo(f"contact sheet: {made.sheet}")


@cli.command("watch")
@content_argument
@out_option
@templates_option
@debug_option
def watch_command(content, out_dir, templates, debug) -> None:
    """Build, then rebuild whenever content, templates or the theme change (Ctrl-C stops)."""
    from policybrief.watch import watch

    def built(written, seconds, changed) -> None:
        what = ", ".join(str(record.path) for record in written) or "nothing (all up to date)"
        cause = f" after a change to {', '.join(changed)}" if changed else ""
        click.echo(f"{'rebuilt' if changed else 'built'} {what}{cause} in {seconds:.2f} s", color=False)

    def failed(error) -> None:
        for line in error.lines():
            click.echo(line, err=True)
        click.echo("waiting for the next change…", err=True)

    def started(folders) -> None:
        click.echo(f"watching {', '.join(str(f) for f in folders)} (Ctrl-C stops)")

    _interrupt_on(signal.SIGINT, signal.SIGTERM)
    try:
        _run(debug, lambda: watch(content, out_dir=out_dir, templates=templates, on_build=built, on_error=failed, on_start=started))
    except KeyboardInterrupt:
        click.echo("stopped watching")


@cli.command("serve")
@content_argument
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 to serve the preview on (0: any free port).")
@out_option
@templates_option
@debug_option
def serve_command(content, port, out_dir, templates, debug) -> None:
    """Preview each CONTENT file in the browser: web edition, PDF pages and slides, updated on every save (Ctrl-C stops)."""
    from policybrief.serve.server import serve

    def ready(url) -> None:
        click.echo(f"serving the preview at {url} (Ctrl-C stops)")

    def log(line, problem) -> None:
        click.echo(line, err=problem)

    _interrupt_on(signal.SIGINT, signal.SIGTERM)
    try:
        _run(debug, lambda: serve(content, out_dir=out_dir, templates=templates, port=port, on_ready=ready, log=log))
    except KeyboardInterrupt:
        click.echo("stopped the preview server")


def _interrupt_on(*signals: signal.Signals) -> None:
    """Make each of ``signals`` raise KeyboardInterrupt, even where the parent shell ignored them."""
    for number in signals:
        signal.signal(number, signal.default_int_handler)


def _run(debug: bool, action):
    """Return ``action()``; on a BriefError print its message and exit 1 (traceback only with --debug)."""
    try:
        return action()
    except BriefError as error:
        if debug:
            raise
        for line in error.lines():
            click.echo(line, err=True)
        sys.exit(1)


COMMAND_EXAMPLES = {
    "all": ["{prog} all", "{prog} content/107005.yaml -o out --templates my-templates"],
    "pdf": ["{prog} pdf content/107005.yaml", "{prog} pdf -o out --pdf-variant pdf/a-3a"],
    "slides": ["{prog} slides content/107005.yaml", "{prog} slides --pdf -o out"],
    "html": ["{prog} html content/107005.yaml -o site"],
    "check": ["{prog} check", "{prog} check content/107005.yaml --templates my-templates"],
    "import": ["{prog} import report.pdf", "{prog} import report.txt -o content/draft.yaml --force",
],
    "init-templates": ["{prog} init-templates my-templates", "{prog} --templates my-templates"],
    "preview": ["{prog} preview content/107005.yaml -o build/preview"],
    "watch": ["{prog} watch content/107005.yaml --templates my-templates"],
    "serve": ["{prog} serve", "{prog} serve content/107005.yaml --port 8001 --templates my-templates"],
}


def set_examples(prog: str) -> None:
    """Write the examples of every ``--help`` for the program as called (``prog``)."""
    cli.epilog = EXAMPLES.format(prog=prog)
    for name, lines in COMMAND_EXAMPLES.items():
        cli.commands[name].epilog = "Examples:\n\n\b\n" + "\n".join(f"  {line.format(prog=prog)}" for line in lines)


set_examples("python3 build.py")


def program_name(argv0: str) -> str:
    """Return the program as the user called it, for usage lines and examples (``python3 build.py``, ``policybrief``)."""
    name = Path(argv0).name
    if name == "build.py":
        return "python3 build.py"
    if name == "__main__.py":
        return "python3 -m policybrief"
    return name or "policybrief"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return its exit code (the process ends at once after a build stopped its workers half-way)."""
    prog = program_name(sys.argv[0] if sys.argv else "")
    set_examples(prog)
    try:
        cli.main(args=argv, prog_name=prog, standalone_mode=True)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    api = sys.modules.get("policybrief.api")
    if api is not None and api.stopped_workers:
        # A worker killed while it held one of the pool's queue locks can leave the pool's manager
        # thread waiting forever, and Python joins that thread before it exits. Everything the build
        # owns is already cleaned up (temporary folder, partial files) and every output is whole.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
