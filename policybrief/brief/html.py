"""The brief's HTML, rendered from the templates with the one template context."""

from __future__ import annotations

from typing import Any

import jinja2

from policybrief.compose.environment import render

BRIEF_TEMPLATE = "brief/brief.html"


def render_html(env: jinja2.Environment, context: dict[str, Any]) -> str:
    """Return the brief's HTML rendered from the templates with ``context`` (see compose.context)."""
    return render(env, BRIEF_TEMPLATE, context)


def font_families(theme: Any) -> list[str]:
    """Return the font families the brief sets text in: the theme's body and heading faces."""
    return list(dict.fromkeys([*theme.fonts.body.families(), *theme.fonts.heading.families()]))
