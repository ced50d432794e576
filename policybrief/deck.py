"""Steps 2–3 for the deck: render the slide plan from templates, then build the PPTX.

The deck template is Jinja producing a small XML plan (autoescaped, so
content text is data), for example::

    <deck>
      <slide layout="Topic">
        <title>一、…</title>
        <bullets><li>…</li></bullets>
        <notes>…</notes>
      </slide>
    </deck>

The plan is parsed and its text handed to python-pptx through its API, never
pasted into slide XML.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from typing import Any

import jinja2

from policybrief.errors import TemplateError
from policybrief.templating import render

DECK_TEMPLATE = "deck/deck.xml"
SLIDE_WIDTH, SLIDE_HEIGHT = 12192000, 6858000  # 16:9 in EMU
EAST_ASIAN_FONT = "Noto Sans CJK TC"


@dataclass
class SlidePlan:
    """One slide as the template asked for it."""

    layout: str
    title: str = ""
    bullets: list[str] = field(default_factory=list)
    notes: str = ""


def render_plan(env: jinja2.Environment, context: dict[str, Any]) -> list[SlidePlan]:
    """Return the slides the deck template asks for."""
    xml = render(env, DECK_TEMPLATE, context)
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        raise TemplateError(f"{DECK_TEMPLATE}: produced malformed XML ({error}); check its tags.") from None
    slides = []
    for node in root.iter("slide"):
        slides.append(
            SlidePlan(
                layout=node.get("layout", "Topic"),
                title=_text(node.find("title")),
                bullets=[_text(li) for li in node.iterfind("bullets/li")],
                notes=_text(node.find("notes")),
            )
        )
    return slides


def _text(node: ET.Element | None) -> str:
    """Return the whitespace-trimmed text inside ``node`` ('' when absent)."""
    return "".join(node.itertext()).strip() if node is not None else ""


def build_pptx(slides: list[SlidePlan], *, title: str, author: str) -> bytes:
    """Return the bytes of a 16:9 deck holding ``slides``."""
    from pptx import Presentation  # imported here: `--help` and `check` must stay fast
    from pptx.enum.lang import MSO_LANGUAGE_ID

    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    layouts = {"Title": 0, "Section": 2, "Topic": 1}
    for plan in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[layouts.get(plan.layout, 1)])
        slide.shapes.title.text_frame.text = plan.title
        if plan.bullets:
            body = slide.placeholders[1].text_frame
            for i, bullet in enumerate(plan.bullets):
                paragraph = body.paragraphs[0] if i == 0 else body.add_paragraph()
                paragraph.text = bullet
        slide.notes_slide.notes_text_frame.text = plan.notes
        for shape in [*slide.shapes, *slide.notes_slide.placeholders]:
            if not shape.has_text_frame:
                continue
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.language_id = MSO_LANGUAGE_ID.TRADITIONAL_CHINESE
                    run.font.name = EAST_ASIAN_FONT
                    _set_east_asian(run, EAST_ASIAN_FONT)
    deck.core_properties.title = title
    deck.core_properties.author = author
    buffer = io.BytesIO()
    deck.save(buffer)
    return deterministic_zip(buffer.getvalue())


def _set_east_asian(run: Any, typeface: str) -> None:
    """Give ``run`` an ``a:ea`` typeface (python-pptx writes only ``a:latin``)."""
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}ea")
    if ea is None:
        latin = rpr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}latin")
        ea = rpr.makeelement("{http://schemas.openxmlformats.org/drawingml/2006/main}ea", {})
        latin.addnext(ea)
    ea.set("typeface", typeface)


def deterministic_zip(data: bytes) -> bytes:
    """Return ``data`` (a zip) rewritten with fixed timestamps, so equal input gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
