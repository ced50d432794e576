"""The brief's PDF: WeasyPrint typesets the HTML, reading only files the sandbox allows.

Everything the PDF depends on comes from the content and the templates — the
document dates too (``compose.dates``), so two builds of the same input are
byte-identical.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from policybrief.brief.html import BRIEF_TEMPLATE
from policybrief.brief.variants import DEFAULT_VARIANT
from policybrief.errors import shown_path
from policybrief.typography.native import import_weasyprint


def write_pdf(html: str, folders: list[Path], base: Path, *, variant: str = DEFAULT_VARIANT,
              families: Iterable[str] = (), font_dir: Path | None = None, seconds: float = 60.0) -> tuple[bytes, int]:
    """Return the PDF bytes of ``html`` and its page count (arguments as for ``typeset``).

    The layout may take ``seconds``; past them it stops with LayoutTimeout
    (the caller names the content file and the setting).
    """
    font_config = _font_configuration()  # imports WeasyPrint first, through native.py's library lookup
    from policybrief.brief.metadata import archival_metadata
    from policybrief.brief.tags import tagging
    from policybrief.compose.fetch import RefusedURL, refused_error

    try:
        with layout_budget(seconds):
            document = typeset(html, folders, base, variant=variant, families=families, font_dir=font_dir, font_config=font_config)
        archival_metadata(document, variant)  # uncompressed XMP, PDF/UA declared too (see metadata.py)
        with tagging():  # our structure tree instead of WeasyPrint's page-by-page one (see tags.py)
            return document.write_pdf(pdf_variant=variant), len(document.pages)
    except RefusedURL as error:
        raise refused_error(error, _template_naming(error.url, folders)) from None
    finally:
        remove_font_folder(font_config)


class LayoutTimeout(Exception):
    """Raised inside WeasyPrint's layout once it has run past its time budget (see ``layout_budget``)."""


@contextmanager
def layout_budget(seconds: float) -> Iterator[None]:
    """Run the block with WeasyPrint's layout stopped by LayoutTimeout once it has run ``seconds``.

    The check sits where the layout spends its time, at every page and every
    line it splits (a 100,000-character URL is one line split again and
    again): raised there, between two steps, it leaves nothing half-done, as
    an exception thrown into the thread at a random moment from a timer
    would (inside a finalizer or a cache being filled).
    """
    from weasyprint.layout import inline, page, preferred
    from weasyprint.text import line_break

    deadline = time.monotonic() + seconds

    def checked(function: Callable) -> Callable:
        def call(*args: Any, **kwargs: Any) -> Any:
            if time.monotonic() > deadline:
                raise LayoutTimeout
            return function(*args, **kwargs)

        return call

    patched = [(module, name, getattr(module, name)) for module, name in
               ((line_break, "split_first_line"), (inline, "split_first_line"), (preferred, "split_first_line"), (page, "make_page"))]
    for module, name, original in patched:
        setattr(module, name, checked(original))
    try:
        yield
    finally:
        for module, name, original in patched:
            setattr(module, name, original)


def _font_configuration() -> Any:
    """Return a new WeasyPrint FontConfiguration (WeasyPrint imported through native.py first)."""
    import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def remove_font_folder(font_config: Any) -> None:
    """Remove the ``weasyprint-*`` folder of font files ``font_config`` made, now the PDF is written.

    WeasyPrint removes it only when the configuration is garbage-collected,
    which a process may never do before it exits: every build left 2.4 MB.
    """
    import shutil

    folder = getattr(font_config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        font_config._folder = None


def typeset(html: str, folders: list[Path], base: Path, *, variant: str = DEFAULT_VARIANT,
            families: Iterable[str] = (), font_dir: Path | None = None, font_config: Any = None) -> Any:
    """Return the WeasyPrint document of ``html`` laid out in pages.

    Relative resources resolve against ``base``; only files inside ``folders`` can be read.
    With a ``font_dir``, the font ``families`` are offered as subsets holding
    just the characters of ``html``, kept in ``font_dir`` (see subset.py).
    The caller owns ``font_config`` (made here when None) and removes its
    font folder when done (``remove_font_folder``).
    """
    from policybrief.brief.subset import face_rules
    from policybrief.compose.fetch import (  # imports WeasyPrint (here: `--help` and `check` stay fast)
        SandboxFetcher,
        refuse_imports,
    )

    weasyprint = import_weasyprint()
    fetcher = SandboxFetcher([*folders, *([font_dir] if font_dir else [])])
    refuse_imports(html, base.as_uri() + "/", fetcher)
    font_config, stylesheets = font_config or _font_configuration(), []
    if font_dir is not None:
        rules = face_rules(families, html, font_dir)
        stylesheets.append(weasyprint.CSS(string=rules, url_fetcher=fetcher, font_config=font_config))
    document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
    return document.render(pdf_variant=variant, stylesheets=stylesheets, font_config=font_config)


def _template_naming(url: str, folders: list[Path]) -> str:
    """Return the brief template file that holds ``url`` (overrides first), else the top template's name.

    The HTML does not record which template wrote a URL, so look for its text.
    """
    for folder in folders:
        for path in sorted((folder / "brief").glob("*")):
            if path.is_file() and url in path.read_text(encoding="utf-8", errors="replace"):
                return shown_path(path)
    return BRIEF_TEMPLATE
