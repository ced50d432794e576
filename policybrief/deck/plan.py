"""The slide plan: the deck template rendered, read back as slides that remember where each text came from.

The deck template (``templates/deck/deck.xml``) is Jinja producing a small XML
plan (autoescaped, so content text is data); its vocabulary is documented at
the top of ``deck/base.xml``. Each text of the plan keeps its origin — the
content key it shows (file, line, key path), else the template line that
wrote it — so a slide problem names the line a user must edit.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from policybrief.compose.environment import render
from policybrief.errors import Origin, TemplateError, shown_path

DECK_TEMPLATE = "deck/deck.xml"
# Plan element → the layout placeholder it fills. <bullets> holds <li>, the others text or <p>;
# <body> is a plain paragraph box (the closing slide's publisher), <bullets> a list; <lead> a card set apart
# (the team's editor), which becomes the first point of the list on a layout without a "Lead" placeholder.
PLACEHOLDERS = {"title": "Title", "subtitle": "Subtitle", "series": "Series", "numeral": "Numeral",
                "bullets": "Body", "body": "Body", "lead": "Lead"}


class Locator:
    """Finds where a text of the plan came from: the content file, else the deck templates."""

    def __init__(self, report: Any, folders: list[Path]) -> None:
        self.report = report
        self.templates = [path for folder in folders for path in sorted((Path(folder) / "deck").glob("*.xml"))]

    def origin(self, text: str, tag: str = "") -> Origin:
        """Return the origin of ``text``: its content key, else the first template line holding it (or ``<tag``)."""
        found = self.report.origin_of(text) if self.report is not None else None
        if found is not None:
            return found
        for needle in (text, f"<{tag}" if tag else None):
            for path in self.templates if needle else ():
                line = _line_holding(path, needle)
                if line:
                    return Origin(shown_path(path), line)
        return Origin(DECK_TEMPLATE)


@cache
def _lines_of(path: Path) -> tuple[str, ...]:
    """Return the lines of a template file (read once per process)."""
    return tuple(path.read_text(encoding="utf-8", errors="replace").splitlines())


def _line_holding(path: Path, needle: str) -> int:
    """Return the number of the first line of ``path`` holding ``needle`` (0 when none does)."""
    return next((n for n, line in enumerate(_lines_of(path), start=1) if needle in line), 0)


@dataclass
class PointPlan:
    """One point of a slide: its headline, the paragraphs under it (body or items) and its speaker note."""

    headline: str
    details: list[str] = field(default_factory=list)
    note: str = ""
    links: dict[str, str] = field(default_factory=dict)  # a detail's text → the address it links to (<item href="…">)


@dataclass
class SlidePlan:
    """One slide as the template asked for it: layout role, text per role, points, notes and footer."""

    layout: str
    name: str = ""
    texts: dict[str, list[str]] = field(default_factory=dict)
    points: list[PointPlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    footer: str = ""
    logo: bool = False
    group: str = ""  # slides of one group (a section) whose points are short may share a slide titled group_title
    group_title: str = ""
    cards: bool = False  # short topics of a group sharing a slide, one card each: side by side however short
    locator: Locator | None = field(default=None, repr=False, compare=False)

    @property
    def title(self) -> str:
        """Return the slide's title text ('' when it has none)."""
        return " ".join(self.texts.get("title", []))

    @property
    def bullets(self) -> list[str]:
        """Return the slide's plain list lines (``<bullets>``)."""
        return self.texts.get("bullets", [])

    def origin(self, text: str, role: str = "") -> Origin:
        """Return where ``text`` (a text of this slide in ``role``) came from."""
        return self.locator.origin(text, role) if self.locator else Origin(DECK_TEMPLATE)


def render_plan(env: jinja2.Environment, context: dict[str, Any], folders: list[Path] = ()) -> list[SlidePlan]:
    """Return the slides the deck template asks for, each able to name the origin of its texts."""
    xml = render(env, DECK_TEMPLATE, context)
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        raise TemplateError(f"{DECK_TEMPLATE}: produced malformed XML ({error}); check its tags.") from None
    locator = Locator(context.get("report"), list(folders))
    return [_slide_plan(node, locator) for node in root.iter("slide")]


SLIDE_ELEMENTS = (*PLACEHOLDERS, "point", "notes", "footer", "logo")


def _slide_plan(node: ET.Element, locator: Locator) -> SlidePlan:
    """Return the SlidePlan of one ``<slide>`` element."""
    plan = SlidePlan(layout=node.get("layout", "topic"), name=node.get("name", ""), group=node.get("group", ""),
                     group_title=node.get("group-title", ""), locator=locator)
    for child in node:
        if child.tag in PLACEHOLDERS:
            plan.texts[child.tag] = _paragraphs(child)
        elif child.tag == "point":
            plan.points.append(_point(child, locator))
        elif child.tag == "notes":
            plan.notes = _paragraphs(child)
        elif child.tag == "footer":
            plan.footer = _text(child)
        elif child.tag == "logo":
            plan.logo = True
        else:
            _unknown(child, SLIDE_ELEMENTS, "<slide>", locator)
    return plan


def _point(node: ET.Element, locator: Locator) -> PointPlan:
    """Return the PointPlan of one ``<point>``: ``<headline>``, then ``<body>`` and ``<item>`` paragraphs, ``<note>``."""
    point = PointPlan(headline="")
    for child in node:
        if child.tag == "headline":
            point.headline = _text(child)
        elif child.tag in ("body", "item"):
            point.details.extend(_paragraphs(child))
            if child.get("href"):
                point.links.update((text, child.get("href")) for text in _paragraphs(child))
        elif child.tag == "note":
            point.note = _text(child)
        else:
            _unknown(child, ("headline", "body", "item", "note"), "<point>", locator)
    if not point.headline:
        where = locator.origin("", "point")
        raise TemplateError(where.problem("a <point> has no <headline>", "give every point a <headline>…</headline>"))
    return point


def _unknown(child: ET.Element, known: tuple[str, ...], parent: str, locator: Locator) -> None:
    """Raise the problem of an element the plan does not know, at the template line that wrote it."""
    names = ", ".join(f"<{tag}>" for tag in known)
    raise TemplateError(locator.origin("", child.tag).problem(f"unknown element <{child.tag}> in a {parent}", f"use one of {names}"))
def _paragraphs(node: ET.Element) -> list[str]:
    """Return the paragraphs of ``node``: its ``<li>``/``<p>`` children, else its text."""
    items = [_text(item) for item in node if item.tag in ("li", "p")]
    return [item for item in items if item] or ([_text(node)] if _text(node) else [])


def _text(node: ET.Element | None) -> str:
    """Return the text inside ``node`` with whitespace runs collapsed and trimmed ('' when absent)."""
    return " ".join("".join(node.itertext()).split()) if node is not None else ""
