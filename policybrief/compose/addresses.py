"""Relative addresses in templates, resolved where the template that names them lies.

A template may name a file beside it (``<img src="logo.svg">`` in a user's
``brief/brief.html``, ``url(texture.png)`` in a stylesheet). The address is
looked up in the folder of the template that names it first, then along the
search path (each templates folder: beside a template of the same name, then
at the folder's top), and written into the template as the file's ``file:``
URL, so the PDF and the web edition find the same file. An address that finds
nothing stops the build with the template's file and line.

Only literal addresses are resolved: one built with ``{{ … }}`` is the
template's to make whole (the theme's logo is given as ``theme.logo_uri()``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import jinja2

from policybrief.errors import Problem, TemplateError, shown_path

# Templates whose addresses are files to load: the brief's and the web edition's HTML and CSS.
RESOLVED_SUFFIXES = (".html", ".css")
# A file address: src="…" of an element, url(…) and @import "…" in CSS.
_ADDRESS = re.compile(r"""(?P<lead>\bsrc=(?P<q1>["'])|url\(\s*(?P<q2>["']?)|@import\s+(?P<q3>["']))(?P<url>[^"'()\s{}]+)""")
# Text that is not markup: Jinja and HTML comments.
_COMMENT = re.compile(r"\{#.*?#\}|<!--.*?-->", re.S)


def is_relative(url: str) -> bool:
    """Return whether ``url`` is a relative file address (no scheme, host, absolute path or fragment only)."""
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("/", "#")) or not parts.path)


def resolve(url: str, template: Path, name: str, folders: list[Path]) -> Path | None:
    """Return the file relative ``url`` names from template ``name`` (found at ``template``), or None.

    Looked up beside the template first, then in each of ``folders`` beside
    the template's name, then at the folder's top.
    """
    relative = unquote(urlsplit(url).path)
    subfolder = Path(name).parent
    candidates = [template.parent / relative]
    for folder in folders:
        candidates += [folder / subfolder / relative, folder / relative]
    return next((path.resolve() for path in candidates if path.is_file()), None)


def resolved_source(source: str, template: Path, name: str, folders: list[Path]) -> tuple[str, list[Path]]:
    """Return ``source`` with every literal relative address made a ``file:`` URL, and the files it names.

    Raise TemplateError at the address's line when it finds no file.
    """
    comments = [match.span() for match in _COMMENT.finditer(source)]
    found: list[Path] = []

    def replace(match: re.Match) -> str:
        url = match["url"]
        if not is_relative(url) or any(start <= match.start() < end for start, end in comments):
            return match[0]
        path = resolve(url, template, name, folders)
        if path is None:
            line = source.count("\n", 0, match.start()) + 1
            looked = ", ".join(shown_path(folder) for folder in [template.parent, *folders])
            raise TemplateError(Problem(shown_path(template), f"refers to {url}, which is in none of the template folders "
                                        f"(looked in {looked})", line,
                                        hint="put the file beside the template or correct the name"))
        found.append(path)
        fragment = urlsplit(url).fragment
        return match["lead"] + quote(path.as_uri(), safe=":/%") + (f"#{fragment}" if fragment else "")

    return _ADDRESS.sub(replace, source), found


class ResolvingLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that resolves the relative addresses of HTML and CSS templates (see the module docstring)."""

    def __init__(self, folders: list[Path]) -> None:
        super().__init__([str(folder) for folder in folders])
        self.folders = [Path(folder) for folder in folders]

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if filename is None or not template.endswith(RESOLVED_SUFFIXES):
            return source, filename, uptodate
        text, files = resolved_source(source, Path(filename), template, self.folders)
        # Stale when the template changes or a file it names is gone (a new one beside it is found on its next change).
        return text, filename, lambda: uptodate() and all(path.is_file() for path in files)
