"""The web edition's HTML: the brief's templates for a screen, fonts and images inlined.

The page is one file a reader can save or mail: its stylesheet is inside
it, its fonts are the theme's faces cut down to the page's characters
(typography/subset.py) and embedded as WOFF ``data:`` URLs, and an image a
template names (the logo) is embedded too. Nothing is loaded from another
host: a template that refers to one is an error naming it.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup

from policybrief.compose.environment import render
from policybrief.errors import FetchError
from policybrief.typography.fonts import SUBSET, WEIGHTS, installed
from policybrief.typography.subset import codepoints, prune, subset_file

WEB_TEMPLATE = "web/web.html"
# What the page loads: src="…" of an element, url(…) inside a <style> element. Links (href) are not loads.
# Content text is escaped (a quote becomes &#34;), so it can match neither.
_SRC = re.compile(r'\bsrc="(?P<url>[^"]+)"')
_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
_CSS_URL = re.compile(r"""url\((?P<quote>["']?)(?P<url>[^"')]+)(?P=quote)\)""")


def render_draft(env: jinja2.Environment, context: dict[str, Any]) -> str:
    """Return the web edition's HTML without its fonts (what ``check`` renders to find template mistakes)."""
    return render(env, WEB_TEMPLATE, {**context, "web_fonts": Markup("")})


def render_web(env: jinja2.Environment, context: dict[str, Any], folders: list[Path], font_dir: Path) -> str:
    """Return the web edition's self-contained HTML for ``context``.

    Rendered twice: the fonts are cut to the characters of the first rendering
    (whose font rules are empty), then inlined into the second. Files the page
    refers to must lie inside ``folders`` (relative ones resolve against the
    last, the built-in templates, as for the PDF).
    """
    draft = render_draft(env, context)
    faces = Markup(face_rules(context["theme"], draft, font_dir))
    return inline_files(render(env, WEB_TEMPLATE, {**context, "web_fonts": faces}), folders)


def face_rules(theme: Any, text: str, folder: Path) -> str:
    """Return ``@font-face`` rules embedding the body faces (regular) and heading faces (bold), cut to ``text``.

    Named ``"<family> subset"`` like the brief's, so the template context's
    font lists (``font_body``, ``font_heading``) pick them first; a character
    they lack falls back to the installed family, then to the generic one.
    """
    points = codepoints(text)
    rules = []
    for families, weight in ((theme.fonts.body.families(), "normal"), (theme.fonts.heading.families(), "bold")):
        for family in families:
            face = installed(family, WEIGHTS[weight])
            if face is None or (weight == "bold" and face.weight < WEIGHTS["bold"]):
                continue  # not installed (the glyph check names it) or no real bold: the browser emboldens
            data = base64.b64encode(subset_file(face, points, folder, flavor="woff").read_bytes()).decode("ascii")
            rules.append(f'@font-face {{ font-family: "{family}{SUBSET}"; font-weight: {weight}; font-display: swap; '
                         f'src: url("data:font/woff;base64,{data}") format("woff"); }}')
    prune(folder)
    return "\n".join(rules)


def inline_files(html: str, folders: list[Path]) -> str:
    """Return ``html`` with every file it loads (``src="…"``, ``url(…)``) replaced by a ``data:`` URL.

    Raise FetchError for a network URL or a file outside ``folders``.
    """
    roots = [folder.resolve() for folder in folders]

    def inline(template: str):
        def replace(match: re.Match) -> str:
            url = match["url"]
            return match[0] if url.startswith(("data:", "#")) else template.format(_data_url(url, roots))
        return replace

    def style(match: re.Match) -> str:
        return match[1] + _CSS_URL.sub(inline('url("{}")'), match[2]) + match[3]

    return _STYLE.sub(style, _SRC.sub(inline('src="{}"'), html))


def _data_url(url: str, roots: list[Path]) -> str:
    """Return the file ``url`` names (inside ``roots``) as a ``data:`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "file"):
        raise FetchError(f"web/web.html: refers to {url}, which is not allowed: the web edition never loads anything "
                         "from another host; copy the file into the template folder.")
    path = Path(unquote(parts.path)) if parts.scheme == "file" else roots[-1] / unquote(parts.path)
    real = path.resolve()
    if not real.is_file() or not any(real == root or root in real.parents for root in roots):
        raise FetchError(f"web/web.html: refers to {url}, which is not a file inside the template folders; "
                         "copy the file into your templates folder.")
    kind = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(real.read_bytes()).decode('ascii')}"
