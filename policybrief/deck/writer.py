"""Writing the fitted slides into a PPTX on the master, through python-pptx's API.

Text is handed to python-pptx run by run, never pasted into slide XML; what
python-pptx cannot say (East-Asian typeface, slide-number field, theme part)
is done in ``ooxml``. The same input gives the same bytes.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policybrief.deck import ooxml
from policybrief.deck.fit import Para, Slide
from policybrief.deck.master import Master

if TYPE_CHECKING:
    from policybrief.compose.theme import Theme

SLIDE_WIDTH, SLIDE_HEIGHT = 12192000, 6858000  # 16:9 in EMU: for a master that names no size
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


def write_deck(slides: list[Slide], master: Master, info: DeckInfo, theme: Theme, logo: Logo | None = None) -> bytes:
    """Return the bytes of the deck holding ``slides`` on ``master`` (in its slide size: 16:9, 4:3…), styled by ``theme``."""
    deck = master.deck
    # The master's layouts (and so the fitted boxes) are drawn for its own size: keep it.
    deck.slide_width, deck.slide_height = deck.slide_width or SLIDE_WIDTH, deck.slide_height or SLIDE_HEIGHT
    deck.notes_master  # noqa: B018 - made now, before the slides, so its part and relationship come first
    ooxml.remember_part_names(deck.part.package)  # a notes slide each: linear, not quadratic, in the slides
    faces = (theme.fonts.slides.latin, theme.written_east_asian())
    for slide in slides:
        _add_slide(deck, slide, master, faces, logo)
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
            "minorFont": (theme.fonts.slides.latin, theme.written_east_asian())}


@dataclass(frozen=True)
class Logo:
    """The theme's logo as a picture for the title slide: PNG/JPEG bytes, its alt text and its size in points."""

    data: bytes
    alt: str
    width: float
    height: float


def logo_picture(theme: Theme, alt: str) -> Logo | None:
    """Return the theme's logo as a picture for slides (an SVG drawn to PNG through WeasyPrint), or None without one."""
    path = theme.logo_path()
    if path is None:
        return None
    data, width, height = _picture(path, path.stat().st_mtime_ns)
    return Logo(data, alt, width, height)


@functools.cache
def _picture(path: Path, version: int) -> tuple[bytes, int, int]:
    """Return the PNG or JPEG bytes of the logo at ``path`` and its size in pixels, made once per ``version`` of the file.

    A series builds one deck per content file in the same worker: an SVG is drawn through WeasyPrint only once.
    """
    from PIL import Image

    data = _svg_png(path) if path.suffix.lower() == ".svg" else path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if image.format not in ("PNG", "JPEG"):  # python-pptx embeds these as they are; others become PNG
            converted = io.BytesIO()
            image.save(converted, format="PNG")
            data = converted.getvalue()
    return data, width, height


def _svg_png(path: Path, height: int = 240) -> bytes:
    """Return the SVG at ``path`` drawn as a PNG ``height`` pixels tall, transparent around it.

    WeasyPrint draws it with the same sandbox as the brief: the SVG may use
    files next to it in the template folder, nothing else.
    """
    import pypdfium2

    from policybrief.compose.fetch import SandboxFetcher
    from policybrief.typography.native import import_weasyprint

    weasyprint = import_weasyprint()

    width = round(height * _svg_aspect(path))
    page = f"<style>@page {{ size: {width}px {height}px; margin: 0 }} img {{ display: block; width: {width}px; height: {height}px }}</style>"
    html = weasyprint.HTML(string=f'{page}<img src="{path.resolve().as_uri()}" alt="">', url_fetcher=SandboxFetcher([path.parent]))
    pdf = html.write_pdf()
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1, fill_color=(255, 255, 255, 0)).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _svg_aspect(path: Path) -> float:
    """Return the width/height ratio an SVG declares (viewBox, else width and height; 1 when it says neither)."""
    import re
    import xml.etree.ElementTree as ET

    root = ET.fromstring(path.read_bytes())
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4 and float(box[3]) > 0:
        return float(box[2]) / float(box[3])
    numbers = [re.match(r"[\d.]+", root.get(name) or "") for name in ("width", "height")]
    if all(numbers) and float(numbers[1][0]) > 0:
        return float(numbers[0][0]) / float(numbers[1][0])
    return 1.0


def _add_slide(deck: Any, slide: Slide, master: Master, faces: tuple[str, str], logo: Logo | None) -> None:
    """Add one slide holding ``slide``'s boxes at their fitted sizes, its footer, notes and logo."""
    added = deck.slides.add_slide(master.layout(slide.layout))
    by_index = {shape.placeholder_format.idx: shape for shape in added.placeholders}  # one walk of the shape tree
    tops = []  # where the moved boxes started (EMU): the layout's rules from there down move with them
    for box in slide.boxes:
        shape = by_index.pop(master.geometry.placeholder(slide.layout, box.placeholder).idx)
        _write(shape, box.paragraphs, faces)
        if box.shift:
            inherited = master.shape(slide.layout, box.placeholder)
            tops.append(inherited.top)
            ooxml.shift_text(shape, inherited, box.shift)
    if tops:
        ooxml.move_decorations(added, master.layout(slide.layout), min(tops), max(box.shift for box in slide.boxes))
    for shape in by_index.values():  # an empty placeholder shows its prompt text in editors
        ooxml.remove(shape)
    if slide.footer:
        _add_footer(added, slide, master, len(deck.slides), faces)
    if slide.notes:
        _write(added.notes_slide.notes_placeholder, [Para(note, NOTES_SIZE, False, 0, 6) for note in slide.notes], faces)
    if slide.logo and logo is not None:
        _add_logo(added, logo, (deck.slide_width, deck.slide_height))


def _write(shape: Any, paragraphs: list[Para], faces: tuple[str, str]) -> None:
    """Fill ``shape`` with ``paragraphs``: explicit size, level and spacing, zh-TW, Latin and East-Asian font; no autofit."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

    frame = shape.text_frame
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.word_wrap = True
    for n, para in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        paragraph.level = para.level
        paragraph.line_spacing = Pt(para.line_pitch) if para.line_pitch else 1.0
        if n:
            paragraph.space_before = Pt(para.space_before)
        for index, line in enumerate(para.text.split("\n")):
            if index:
                paragraph.add_line_break()
            run = paragraph.add_run()
            run.text = line
            run.font.size = Pt(para.size)
            run.font.bold = para.bold
            if para.link:
                run.hyperlink.address = para.link
    ooxml.mark_runs(shape, *faces)
    ooxml.no_hanging_punctuation(shape)


def _add_footer(added: Any, slide: Slide, master: Master, number: int, faces: tuple[str, str]) -> None:
    """Give ``added`` the layout's footer and slide-number placeholders (python-pptx does not copy them)."""
    for role, value in (("Footer", slide.footer), ("Slide Number", str(number))):
        placeholder = master.geometry.placeholder(slide.layout, role)
        added.shapes.clone_placeholder(master.shape(slide.layout, role))
        shape = added.placeholders[placeholder.idx]
        _write(shape, [Para(value, placeholder.style.size or 0, False)], faces)
    ooxml.make_slide_number(shape)


def _add_logo(added: Any, logo: Logo, size: tuple[int, int]) -> None:
    """Put ``logo`` at the foot right of the title slide (on the paper colour, where any logo shows), after the title in reading order, with its alt text."""
    from pptx.util import Pt

    height = Pt(min(logo.height, 43))
    width = int(height * logo.width / logo.height)
    picture = added.shapes.add_picture(io.BytesIO(logo.data), size[0] - width - Pt(43), size[1] - height - Pt(36), width, height)
    ooxml.describe(picture, logo.alt)


def _set_properties(deck: Any, info: DeckInfo) -> None:
    """Set every core property from ``info``; nothing of the master's remains."""
    props = deck.core_properties
    props.title, props.subject, props.keywords = info.title, info.subject, info.keywords
    props.author = props.last_modified_by = info.author
    props.comments = props.category = props.content_status = props.identifier = props.version = ""
    props.language, props.revision = "zh-TW", 1
    # python-pptx writes the time as UTC ('Z'); the build date is given in that form already.
    props.created = props.modified = info.date.replace(tzinfo=None)
