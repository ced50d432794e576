"""Watch mode: build once, then rebuild whenever content, templates or the theme change.

The process keeps WeasyPrint and python-pptx imported, and ``api.build``
skips outputs whose inputs did not change, so an edit to the brief's CSS
rebuilds only the PDF, in well under a second for a typical brief.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from policybrief.errors import BriefError


def watched_folders(files: list[Path], folders: list[Path]) -> list[Path]:
    """Return the folders to watch: every content file's folder and every template folder, each once."""
    found = [path.resolve().parent for path in files] + [Path(f).resolve() for f in folders]
    return list(dict.fromkeys(found))


def watch(paths: Iterable[Path] = (), *, out_dir: Path = Path("build"), templates: Iterable[Path] = (),
          on_build: Callable[[list, float, list[str]], None], on_error: Callable[[BriefError], None],
          on_start: Callable[[list[Path]], None] = lambda folders: None) -> None:
    """Build, then rebuild on every change until interrupted (Ctrl-C raises KeyboardInterrupt).

    ``on_build(written, seconds, changed)`` reports each build; a BriefError is
    passed to ``on_error`` and watching goes on, so a typo never ends the session.
    """
    import pptx  # noqa: F401  (imported once, so rebuilds do not pay for it)
    import watchfiles

    from policybrief.typography.native import import_weasyprint

    import_weasyprint()

    from policybrief.api import build, find_content, template_folders

    templates = list(templates)
    files = find_content(paths)
    folders = watched_folders(files, template_folders(templates))
    out = out_dir.resolve()

    def outside_output(change: watchfiles.Change, path: str) -> bool:
        return not Path(path).resolve().is_relative_to(out) and not Path(path).name.startswith((".", "~"))

    def once(changed: list[str]) -> None:
        start = time.perf_counter()
        try:
            written = build(files, out_dir=out_dir, templates=templates)
        except BriefError as error:
            on_error(error)
            return
        on_build(written, time.perf_counter() - start, changed)

    once([])
    on_start(folders)
    for changes in watchfiles.watch(*folders, watch_filter=outside_output, debounce=200, step=50):
        names = {Path(path).name for _, path in changes}
        # Editors save through temporary files; name those that are still there.
        once(sorted({Path(path).name for _, path in changes if Path(path).exists()} or names))
