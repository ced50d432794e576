"""Writing the fitted slides into a PPTX on the master, through python-pptx's API.

Text is handed to python-pptx run by run, never pasted into slide XML; what
python-pptx cannot say (East-Asian typeface, slide-number field, theme part)
is done in ``ooxml``. The same input gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from policybrief.deck import ooxml
from policybrief.deck.fit import SPACE_BEFORE, Slide
from policybrief.deck.master import Master
from policybrief.deck.plan import PLACEHOLDERS

if TYPE_CHECKING:
    from policybrief.compose.theme import FontRole, Theme

SLIDE_WIDTH, SLIDE_HEIGHT = 12192000, 6858000  # 16:9 in EMU
NOTES_SIZE = 12


@dataclass(frozen=True)
class DeckInfo:
    """What the deck's core properties say about it."""

    title: str
    author: str
    subject: str
    keywords: str
    date: datetime


def deck_info(context: dict[str, Any]) -> DeckInfo:
    """Return the core properties of the deck of the template ``context``."""
    report = context["report"]
    return DeckInfo(title=report.title, author=report.publisher, subject=context["series_label"],
                    keywords="、".join(report.keywords), date=context["build_date"])


def write_deck(slides: list[Slide], master: Master, info: DeckInfo, theme: Theme) -> bytes:
    """Return the bytes of the 16:9 deck holding ``slides`` on ``master``, styled by ``theme``."""
    deck = master.deck
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    deck.notes_master  # noqa: B018 - made now, before the slides, so its part and relationship come first
    for slide in slides:
        _add_slide(deck, slide, master, theme.fonts.slides)
    _set_properties(deck, info)
    buffer = io.BytesIO()
    deck.save(buffer)
    return ooxml.finished_package(buffer.getvalue(), theme_colours(theme), theme_fonts(theme))


def theme_colours(theme: Theme) -> dict[str, str]:
    """Return the master theme's colour slots filled from the theme's colours."""
    colours = theme.colours
    return {"dk1": colours.text, "lt1": colours.paper, "dk2": colours.accent, "lt2": colours.tint,
            "accent1": colours.accent, "accent2": colours.muted, "accent3": colours.rule,
            "hlink": colours.accent, "folHlink": colours.muted}


def theme_fonts(theme: Theme) -> dict[str, tuple[str, str]]:
    """Return the master theme's major (headings) and minor (text) fonts as (Latin, East-Asian) pairs."""
    return {"majorFont": (theme.fonts.heading.latin, theme.fonts.heading.east_asian),
            "minorFont": (theme.fonts.slides.latin, theme.fonts.slides.east_asian)}


def _add_slide(deck: Any, slide: Slide, master: Master, face: FontRole) -> None:
    """Add one slide for ``slide`` with every text at its fitted size."""
    layout = master.layout(slide.layout)
    added = deck.slides.add_slide(layout)
    for role, paragraphs in slide.plan.texts.items():
        placeholder = master.placeholder(slide.layout, PLACEHOLDERS[role])
        target = added.placeholders[placeholder.shape.placeholder_format.idx]
        space = SPACE_BEFORE * slide.sizes[role] if role == "bullets" else 0.0
        _write(target, paragraphs, slide.sizes[role], placeholder.style.bold, space, face)
    for shape in [s for s in added.placeholders if not s.text_frame.text]:
        ooxml.remove(shape)
    if slide.plan.footer:
        _add_footer(added, slide, master, len(deck.slides), face)
    if slide.plan.notes:
        _write(added.notes_slide.notes_placeholder, slide.plan.notes, NOTES_SIZE, False, 6, face)


def _write(shape: Any, paragraphs: list[str], size: float, bold: bool, space_before: float, face: FontRole) -> None:
    """Fill ``shape`` with ``paragraphs``: explicit size, zh-TW, Latin and East-Asian font; no autofit."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

    frame = shape.text_frame
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.word_wrap = True
    for n, text in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        paragraph.line_spacing = 1.0
        if n and space_before:
            paragraph.space_before = Pt(space_before)
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
    ooxml.mark_runs(shape, face.latin, face.east_asian)


def _add_footer(added: Any, slide: Slide, master: Master, number: int, face: FontRole) -> None:
    """Give ``added`` the layout's footer and slide-number placeholders (python-pptx does not copy them)."""
    for role, value in (("Footer", slide.plan.footer), ("Slide Number", str(number))):
        placeholder = master.placeholder(slide.layout, role)
        added.shapes.clone_placeholder(placeholder.shape)
        shape = added.placeholders[placeholder.shape.placeholder_format.idx]
        _write(shape, [value], placeholder.style.size or 0, False, 0, face)
    ooxml.make_slide_number(shape)


def _set_properties(deck: Any, info: DeckInfo) -> None:
    """Set every core property from ``info``; nothing of the master's remains."""
    props = deck.core_properties
    props.title, props.subject, props.keywords = info.title, info.subject, info.keywords
    props.author = props.last_modified_by = info.author
    props.comments = props.category = props.content_status = props.identifier = props.version = ""
    props.language, props.revision = "zh-TW", 1
    # python-pptx writes the time as UTC ('Z'); the build date is given in that form already.
    props.created = props.modified = info.date.replace(tzinfo=None)
