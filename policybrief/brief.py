"""Steps 2–3 for the brief: render the HTML from templates, then typeset it to PDF.

Everything the PDF depends on comes from the content and the templates — the
document dates too (the content's month, or ``SOURCE_DATE_EPOCH``), so two
builds of the same input are byte-identical.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from policybrief.errors import BriefError
from policybrief.templating import render

BRIEF_TEMPLATE = "brief/brief.html"
DEFAULT_VARIANT = "pdf/ua-1"
# The cover title is 26 pt on a 150 mm line: at most 16 Han characters.
COVER_LINE_CHARS = 16

# Where a title line may end without splitting a phrase: after closing
# punctuation, or before a connective that starts the next phrase.
_GOOD_AFTER = "」』）》、，：；？！ "
_GOOD_BEFORE = "對與及暨和之"
# Never start a line with these, nor end one with the opening ones.
_CLOSING = "，。、；：！？」』）》…"
_OPENING = "「『（《"


def render_html(env: jinja2.Environment, context: dict[str, Any]) -> str:
    """Return the brief's HTML rendered from the templates.

    Adds what only the brief needs: the cover title split into balanced
    lines (``title_lines``), the document date (``pdf_date``) and the font
    lists (``font_body``, ``font_heading``).
    """
    from policybrief.fonts import families_css

    report, theme = context["report"], context["theme"]
    extra = {
        "title_lines": balanced_lines(report.title, COVER_LINE_CHARS),
        "pdf_date": document_date(report.date),
        # The font-family lists, each family's subset first (see fonts.py).
        "font_body": families_css(theme.fonts.body.families()),
        "font_heading": families_css(theme.fonts.heading.families()),
    }
    return render(env, BRIEF_TEMPLATE, {**context, **extra})


def balanced_lines(text: str, max_chars: int) -> list[str]:
    """Return ``text`` split into the fewest lines of at most ``max_chars`` ems, of near-equal width.

    WeasyPrint fills lines greedily, which leaves a title's last line with a
    character or two; this picks the breaks instead, preferring phrase
    boundaries and never breaking before closing or after opening punctuation.
    """
    count = math.ceil(_width(text) / max_chars)
    lines = _split(text, count, max_chars)
    while count < len(text) and max(map(_width, lines)) > max_chars:
        count += 1
        lines = _split(text, count, max_chars)
    return lines


def _split(text: str, count: int, max_chars: int) -> list[str]:
    """Return ``text`` cut into ``count`` lines, each break chosen by ``_best_break``."""
    lines: list[str] = []
    rest = text
    for left in range(count, 1, -1):
        cut = _best_break(rest, _width(rest) / left, max_chars)
        lines.append(rest[:cut].strip())
        rest = rest[cut:]
    return [*lines, rest.strip()]


def _width(text: str) -> float:
    """Return the width of ``text`` in ems: Han and full-width 1, Latin and digits about half."""
    return sum(0.55 if char.isascii() else 1.0 for char in text)


def _best_break(text: str, target: float, max_chars: int) -> int:
    """Return the index to break ``text`` at: allowed, near ``target``, at a phrase boundary if one is close."""
    allowed = [i for i in range(1, len(text)) if _width(text[:i]) <= max_chars and _may_break(text, i)]
    if not allowed:
        return len(text)
    return min(allowed, key=lambda i: abs(_width(text[:i]) - target) + (0 if _good_break(text, i) else 2.5))


def _may_break(text: str, i: int) -> bool:
    """Return True when a line may end before ``text[i]``."""
    before, after = text[i - 1], text[i]
    inside_word = before.isascii() and after.isascii() and not (before.isspace() or after.isspace())
    return after not in _CLOSING and before not in _OPENING and not inside_word


def _good_break(text: str, i: int) -> bool:
    """Return True when a break before ``text[i]`` falls between phrases."""
    return text[i - 1] in _GOOD_AFTER or text[i] in _GOOD_BEFORE


def document_date(month: str) -> str:
    """Return the PDF's creation date: ``SOURCE_DATE_EPOCH`` when set, else the content's month.

    Never the wall clock: the same input must give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return f"{month}-01T00:00:00+08:00"
    if not epoch.isdigit():
        raise BriefError(f"SOURCE_DATE_EPOCH is {epoch!r}; set it to a whole number of seconds since 1970 or unset it.")
    return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def write_pdf(html: str, folders: list[Path], base: Path, *, variant: str = DEFAULT_VARIANT,
              families: Iterable[str] = (), font_dir: Path | None = None) -> tuple[bytes, int]:
    """Return the PDF bytes of ``html`` and its page count (arguments as for ``typeset``)."""
    from policybrief.fetch import RefusedURL, refused_error  # imports WeasyPrint

    try:
        document = typeset(html, folders, base, variant=variant, families=families, font_dir=font_dir)
        return document.write_pdf(pdf_variant=variant), len(document.pages)
    except RefusedURL as error:
        raise refused_error(error, _template_naming(error.url, folders)) from None


def typeset(html: str, folders: list[Path], base: Path, *, variant: str = DEFAULT_VARIANT,
            families: Iterable[str] = (), font_dir: Path | None = None) -> Any:
    """Return the WeasyPrint document of ``html`` laid out in pages.

    Relative resources resolve against ``base``; only files inside ``folders`` can be read.
    With a ``font_dir``, the font ``families`` are offered as subsets holding
    just the characters of ``html``, kept in ``font_dir`` (see fonts.py).
    """
    import weasyprint  # imported here: `--help` and `check` must stay fast
    from weasyprint.text.fonts import FontConfiguration

    from policybrief.fetch import SandboxFetcher
    from policybrief.fonts import face_rules

    fetcher = SandboxFetcher([*folders, *([font_dir] if font_dir else [])])
    font_config, stylesheets = FontConfiguration(), []
    if font_dir is not None:
        rules = face_rules(families, html, font_dir)
        stylesheets.append(weasyprint.CSS(string=rules, url_fetcher=fetcher, font_config=font_config))
    document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
    return document.render(pdf_variant=variant, stylesheets=stylesheets, font_config=font_config)


def _template_naming(url: str, folders: list[Path]) -> str:
    """Return the brief template file that holds ``url`` (overrides first), else the top template's name.

    The HTML does not record which template wrote a URL, so look for its text.
    """
    from policybrief.content import shown_path

    for folder in folders:
        for path in sorted((folder / "brief").glob("*")):
            if path.is_file() and url in path.read_text(encoding="utf-8", errors="replace"):
                return shown_path(path)
    return BRIEF_TEMPLATE


def font_families(theme: Any) -> list[str]:
    """Return the font families the brief sets text in: the theme's body and heading faces."""
    return list(dict.fromkeys([*theme.fonts.body.families(), *theme.fonts.heading.families()]))
