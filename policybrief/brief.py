"""Steps 2–3 for the brief: render the HTML from templates, then typeset it to PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from policybrief.fetch import RefusedURL, SandboxFetcher, refused_error
from policybrief.templating import render

BRIEF_TEMPLATE = "brief/brief.html"
DEFAULT_VARIANT = "pdf/ua-1"


def render_html(env: jinja2.Environment, context: dict[str, Any]) -> str:
    """Return the brief's HTML rendered from the templates."""
    return render(env, BRIEF_TEMPLATE, context)


def write_pdf(html: str, folders: list[Path], base: Path, *, variant: str = DEFAULT_VARIANT) -> tuple[bytes, int]:
    """Return the PDF bytes of ``html`` and its page count.

    Relative resources resolve against ``base``; only files inside ``folders`` can be read.
    """
    import weasyprint  # imported here: `--help` and `check` must stay fast

    document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=SandboxFetcher(folders))
    try:
        rendered = document.render(pdf_variant=variant)
        return rendered.write_pdf(pdf_variant=variant), len(rendered.pages)
    except RefusedURL as error:
        raise refused_error(error, BRIEF_TEMPLATE) from None
