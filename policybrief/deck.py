"""Steps 2–3 for the deck: render the slide plan from templates, then build the PPTX.

The deck template (``templates/deck/deck.xml``) is Jinja producing a small XML
plan (autoescaped, so content text is data); its vocabulary is documented at
the top of that file. The plan is parsed and its text handed to python-pptx
through its API, never pasted into slide XML. Each text goes into the layout
placeholder of the same role, sized with the real font metrics (``fit``) so
that it never overflows; bullets that do not fit continue on ``（續）`` slides.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from policybrief import fit, master
from policybrief.errors import BriefError, TemplateError
from policybrief.templating import render

if TYPE_CHECKING:  # the theme (and pydantic) is loaded only when a deck is built
    from policybrief.theme import Face, Theme

DECK_TEMPLATE = "deck/deck.xml"
SLIDE_WIDTH, SLIDE_HEIGHT = 12192000, 6858000  # 16:9 in EMU

# Fitting rules; the sizes (minimum, design) and bullets per slide come from the theme.
SPACE_BEFORE = 0.6  # space before a bullet, in em of its size
SIZE_STEP = 2  # shrink in even steps: slides of one deck share a few sizes, not one per slide
SAFETY_WIDTH, SAFETY_HEIGHT = 0.94, 0.98  # renderers differ a little in line breaking: keep a margin
CONTINUED = "（續）"

# Plan element → layout placeholder name. <bullets> holds <li>, the others text or <p>.
ROLES_OF_SLIDES = ("title", "agenda", "section", "topic", "closing")
ROLES = {"title": "Title", "subtitle": "Subtitle", "series": "Series", "numeral": "Numeral", "bullets": "Body"}
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@dataclass
class SlidePlan:
    """One slide as the template asked for it: layout, text per role, notes and footer."""

    layout: str
    name: str = ""
    texts: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    footer: str = ""

    @property
    def title(self) -> str:
        """Return the slide's title text ('' when it has none)."""
        return " ".join(self.texts.get("title", []))

    @property
    def bullets(self) -> list[str]:
        """Return the slide's bullets."""
        return self.texts.get("bullets", [])


@dataclass(frozen=True)
class DeckInfo:
    """What the deck's core properties say about it."""

    title: str
    author: str
    subject: str
    keywords: str
    date: dt.datetime


@dataclass(frozen=True)
class Deck:
    """A built deck: its bytes, slide count and which plan slides were continued (name → slides)."""

    data: bytes
    slides: int
    continued: list[tuple[str, int]]


def render_plan(env: jinja2.Environment, context: dict[str, Any]) -> list[SlidePlan]:
    """Return the slides the deck template asks for."""
    xml = render(env, DECK_TEMPLATE, context)
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        raise TemplateError(f"{DECK_TEMPLATE}: produced malformed XML ({error}); check its tags.") from None
    return [_slide_plan(node) for node in root.iter("slide")]


def _slide_plan(node: ET.Element) -> SlidePlan:
    """Return the SlidePlan of one ``<slide>`` element."""
    plan = SlidePlan(layout=node.get("layout", "topic"), name=node.get("name", ""))
    for child in node:
        if child.tag in ROLES:
            plan.texts[child.tag] = _paragraphs(child)
        elif child.tag == "notes":
            plan.notes = _paragraphs(child)
        elif child.tag == "footer":
            plan.footer = _text(child)
        else:
            known = ", ".join(f"<{tag}>" for tag in [*ROLES, "notes", "footer"])
            raise TemplateError(f"{DECK_TEMPLATE}: unknown element <{child.tag}> in a <slide>; use one of {known}.")
    return plan


def _paragraphs(node: ET.Element) -> list[str]:
    """Return the paragraphs of ``node``: its ``<li>``/``<p>`` children, else its text."""
    items = [_text(item) for item in node if item.tag in ("li", "p")]
    return [item for item in items if item] or ([_text(node)] if _text(node) else [])


def _text(node: ET.Element | None) -> str:
    """Return the text inside ``node`` with whitespace runs collapsed and trimmed ('' when absent)."""
    return " ".join("".join(node.itertext()).split()) if node is not None else ""


def build_pptx(slides: list[SlidePlan], master_path: Path, info: DeckInfo, theme: Theme) -> Deck:
    """Return the 16:9 deck holding ``slides`` on the master at ``master_path``, styled by ``theme``.

    A slide's ``layout`` is a role (title, agenda, section, topic, closing) that
    the theme maps to one of the master's layouts; every mapped layout must exist.
    """
    deck = master.open_master(master_path)
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    master.check_layouts(deck, [theme.layout_name(role) for role in ROLES_OF_SLIDES], master_path)
    master.apply_theme(deck, theme)
    continued = []
    for plan in slides:
        plan.layout = theme.layout_name(plan.layout)
        pages = _paginate(plan, master.layout(deck, plan.layout, master_path), master_path, theme)
        if len(pages) > 1:
            continued.append((plan.name or plan.title, len(pages)))
        for page, sizes in pages:
            _add_slide(deck, page, sizes, master_path, theme)
    _set_properties(deck, info)
    buffer = io.BytesIO()
    deck.save(buffer)
    return Deck(deterministic_zip(buffer.getvalue()), len(deck.slides), continued)


def _paginate(plan: SlidePlan, layout: Any, path: Path, theme: Theme) -> list[tuple[SlidePlan, dict[str, float]]]:
    """Return the slides ``plan`` needs, each with the font size of every role."""
    sizes = {role: _fit(plan, role, paragraphs, layout, path, theme) for role, paragraphs in plan.texts.items()
             if role != "bullets"}
    if not plan.bullets:
        return [(plan, sizes)]
    chunks, size = _split_bullets(plan, layout, path, theme)
    pages = []
    for n, chunk in enumerate(chunks):
        page = copy.deepcopy(plan)
        page.texts["bullets"] = chunk
        page_sizes = {**sizes, "bullets": size}
        if n:  # a continuation: its longer title is fitted on its own
            page.texts["title"] = [f"{plan.title}{CONTINUED}"]
            page_sizes["title"] = _fit(page, "title", page.texts["title"], layout, path, theme)
        pages.append((page, page_sizes))
    return pages


def _style(layout: Any, role: str, path: Path, fallback: float = 0.0) -> tuple[Any, float, bool, float]:
    """Return a role's layout placeholder, design size (pt; ``fallback`` when the master sets none), boldness and indent (pt)."""
    shape = master.placeholder(layout, ROLES.get(role, role), path)
    level = shape.element.txBody.find(f"{_A}lstStyle/{_A}lvl1pPr")
    rpr = level.find(f"{_A}defRPr") if level is not None else None
    size = int(rpr.get("sz")) / 100 if rpr is not None and rpr.get("sz") else fallback
    bold = rpr is not None and rpr.get("b") == "1"
    indent = int(level.get("marL", 0)) / master.EMU_PER_PT if level is not None else 0.0
    return shape, size, bold, indent


def _largest_size(paragraphs: list[str], layout: Any, role: str, path: Path, theme: Theme) -> float | None:
    """Return the largest size (design size down to the theme's minimum) at which ``paragraphs`` fit, or None."""
    minimum = theme.deck.min_body_size
    design_size = theme.deck.title_size if role == "title" else theme.deck.body_size
    shape, design, bold, indent = _style(layout, role, path, design_size)
    box = master.text_box(shape)
    space = SPACE_BEFORE if role == "bullets" else 0.0
    size = design
    while size >= min(minimum, design):
        height = fit.paragraphs_height(paragraphs, (box.width - indent) * SAFETY_WIDTH, size, bold=bold,
                                       space_before=space, face=_face(theme))
        if height <= box.height * SAFETY_HEIGHT:
            return size
        size -= SIZE_STEP
    return None


def _fit(plan: SlidePlan, role: str, paragraphs: list[str], layout: Any, path: Path, theme: Theme) -> float:
    """Return the size at which a (non-bullet) text fits its placeholder; raise when none does."""
    size = _largest_size(paragraphs, layout, role, path, theme)
    if size is None:
        raise BriefError(_too_long(plan, role, " ".join(paragraphs), path, theme))
    return size


def _split_bullets(plan: SlidePlan, layout: Any, path: Path, theme: Theme) -> tuple[list[list[str]], float]:
    """Return the bullets cut into the fewest even slides that fit, and the one size they all use."""
    bullets = plan.bullets
    count = -(-len(bullets) // theme.deck.max_bullets)
    while count <= len(bullets):
        chunks = [bullets[i * len(bullets) // count:(i + 1) * len(bullets) // count] for i in range(count)]
        sizes = [_largest_size(chunk, layout, "bullets", path, theme) for chunk in chunks]
        if None not in sizes:
            return chunks, min(sizes)
        count += 1
    longest = max(bullets, key=lambda text: fit.text_width(text, theme.deck.min_body_size, face=_face(theme)))
    raise BriefError(_too_long(plan, "bullets", longest, path, theme))


def _face(theme: Theme) -> fit.Face:
    """Return the (Latin, East-Asian) families slide text is set and measured in."""
    return theme.fonts.slides.latin, theme.fonts.slides.east_asian


def _too_long(plan: SlidePlan, role: str, text: str, path: Path, theme: Theme) -> str:
    """Return the message for a text that does not fit its placeholder even at the minimum size."""
    shown = text if len(text) <= 24 else f"{text[:24]}…"
    return (
        f"{path}: the {role} “{shown}” of slide '{plan.name or plan.title}' does not fit layout '{plan.layout}' "
        f"even at {theme.deck.min_body_size:g} pt; shorten it in the content or enlarge the placeholder."
    )


def _add_slide(deck: Any, plan: SlidePlan, sizes: dict[str, float], path: Path, theme: Theme) -> None:
    """Add one slide for ``plan`` with every text at its fitted size."""
    layout = master.layout(deck, plan.layout, path)
    slide = deck.slides.add_slide(layout)
    for role, paragraphs in plan.texts.items():
        shape = master.placeholder(layout, ROLES[role], path)
        target = slide.placeholders[shape.placeholder_format.idx]
        _, _, bold, _ = _style(layout, role, path)
        space = SPACE_BEFORE * sizes[role] if role == "bullets" else 0.0
        _write(target.text_frame, paragraphs, sizes[role], bold, space, theme.fonts.slides)
    for shape in [s for s in slide.placeholders if not s.text_frame.text]:
        shape.element.getparent().remove(shape.element)  # an empty placeholder shows its prompt in editors
    if plan.footer:
        _add_footer(slide, layout, plan.footer, len(deck.slides), path, theme.fonts.slides)
    if plan.notes:
        _write(slide.notes_slide.notes_text_frame, plan.notes, 12, False, 6, theme.fonts.slides)


def _write(frame: Any, paragraphs: list[str], size: float, bold: bool, space_before: float, face: Face) -> None:
    """Fill ``frame`` with ``paragraphs``: explicit size, zh-TW, Latin and East-Asian font; no autofit."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

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
        set_language(run._r.get_or_add_rPr(), face)


def set_language(rpr: Any, face: Face) -> None:
    """Mark ``rpr`` (an ``a:rPr``) zh-TW with ``face``'s Latin and East-Asian typefaces, in schema order."""
    rpr.set("lang", "zh-TW")
    rpr.set("altLang", "en-US")
    for tag in ("latin", "ea"):
        for old in rpr.findall(f"{_A}{tag}"):
            rpr.remove(old)
    successors = [rpr.find(f"{_A}{tag}") for tag in ("cs", "sym", "hlinkClick", "hlinkMouseOver", "rtl", "extLst")]
    anchor = next((node for node in successors if node is not None), None)
    for tag, typeface in (("latin", face.latin), ("ea", face.east_asian)):
        node = rpr.makeelement(f"{_A}{tag}", {"typeface": typeface})
        if anchor is not None:
            anchor.addprevious(node)
        else:
            rpr.append(node)


def _add_footer(slide: Any, layout: Any, text: str, number: int, path: Path, face: Face) -> None:
    """Give ``slide`` the layout's footer (``text``) and slide-number placeholders (python-pptx skips them)."""
    for role, value in (("Footer", text), ("Slide Number", str(number))):
        shape = master.placeholder(layout, role, path)
        slide.shapes.clone_placeholder(shape)
        frame = slide.placeholders[shape.placeholder_format.idx].text_frame
        _write(frame, [value], _design_size(layout, role, path), False, 0, face)
    _make_slide_number_field(frame.paragraphs[0])


def _design_size(layout: Any, role: str, path: Path) -> float:
    """Return the design size (pt) of a layout placeholder."""
    return _style(layout, role, path)[1]


def _make_slide_number_field(paragraph: Any) -> None:
    """Turn ``paragraph``'s one run into a slide-number field, so renumbering in an editor stays right."""
    run = paragraph._p.find(f"{_A}r")
    run.tag = f"{_A}fld"
    run.set("id", "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}")
    run.set("type", "slidenum")


def _set_properties(deck: Any, info: DeckInfo) -> None:
    """Set every core property from ``info``; nothing of the master's remains."""
    props = deck.core_properties
    props.title, props.subject, props.keywords = info.title, info.subject, info.keywords
    props.author = props.last_modified_by = info.author
    props.comments = props.category = props.content_status = props.identifier = props.version = ""
    props.language, props.revision = "zh-TW", 1
    props.created = props.modified = info.date


def build_date(year: int, month: int) -> dt.datetime:
    """Return the deck's date: SOURCE_DATE_EPOCH when set, else the first of the content's month."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime(year, month, 1)


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
