"""The one module that touches slide XML, each time because python-pptx has no public API for it.

- East-Asian typeface and alternate language of a run (python-pptx sets only
  ``lang`` and the Latin typeface): without ``a:ea`` PowerPoint draws Chinese
  in the theme's East-Asian font, whatever the deck's design says.
- A placeholder's design size, boldness and indent, and its text insets, as
  the layout's list style and body properties hold them.
- The slide-number field (python-pptx writes plain runs only) and a picture's alternative text.
- Paragraphs that do not let punctuation hang past the box (``hangingPunct``).
- New part names (the notes slides'): python-pptx walks every part of the
  package for each one, which makes a deck's cost grow with the square of
  its slides; ``remember_part_names`` gives the same names from a set kept
  up to date.
- The theme part (colours and fonts), which python-pptx does not model, and
  the slide size's type (python-pptx leaves "screen4x3" on a 16:9 deck): both
  are rewritten in the saved package, together with fixed zip timestamps so
  equal input gives equal bytes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
EMU_PER_PT = 12700
_DEFAULT_INSETS = (91440, 45720, 91440, 45720)  # OOXML defaults: left, top, right, bottom
_RPR_SUCCESSORS = ("cs", "sym", "hlinkClick", "hlinkMouseOver", "rtl", "extLst")
# The slide-number field's type id, as PowerPoint writes it.
_SLIDE_NUMBER_ID = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"


@dataclass(frozen=True)
class Style:
    """What one list level of a layout placeholder says about its text: size (pt, None if unset), bold, indent and space before (pt)."""

    size: float | None
    bold: bool
    indent: float
    space_before: float | None


def placeholder_style(shape: Any, level: int = 1) -> Style:
    """Return the design style of list level ``level`` (1 or 2) of a layout placeholder ``shape`` (level 1's when it has no such level)."""
    found = shape.element.txBody.find(f"{A}lstStyle/{A}lvl{level}pPr")
    if found is None and level > 1:
        return placeholder_style(shape, 1)
    rpr = found.find(f"{A}defRPr") if found is not None else None
    size = int(rpr.get("sz")) / 100 if rpr is not None and rpr.get("sz") else None
    bold = rpr is not None and rpr.get("b") == "1"
    indent = int(found.get("marL", 0)) / EMU_PER_PT if found is not None else 0.0
    points = found.find(f"{A}spcBef/{A}spcPts") if found is not None else None
    space = int(points.get("val")) / 100 if points is not None else None
    return Style(size, bold, indent, space)


def text_area(shape: Any) -> tuple[float, float]:
    """Return the (width, height) in points that text may use inside ``shape``: its size less its insets."""
    body = shape.element.txBody.bodyPr if shape.has_text_frame else None
    insets = [
        int(body.get(name)) if body is not None and body.get(name) is not None else default
        for name, default in zip(("lIns", "tIns", "rIns", "bIns"), _DEFAULT_INSETS, strict=True)
    ]
    return (shape.width - insets[0] - insets[2]) / EMU_PER_PT, (shape.height - insets[1] - insets[3]) / EMU_PER_PT


def mark_runs(shape: Any, latin: str, east_asian: str) -> None:
    """Mark every run of ``shape`` zh-TW (alternate en-US) with ``latin`` and ``east_asian`` typefaces, in schema order."""
    for rpr in shape.element.iter(f"{A}rPr"):
        rpr.set("lang", "zh-TW")
        rpr.set("altLang", "en-US")
        for tag in ("latin", "ea"):
            for old in rpr.findall(f"{A}{tag}"):
                rpr.remove(old)
        anchor = next((node for node in (rpr.find(f"{A}{tag}") for tag in _RPR_SUCCESSORS) if node is not None), None)
        for tag, typeface in (("latin", latin), ("ea", east_asian)):
            node = rpr.makeelement(f"{A}{tag}", {"typeface": typeface})
            if anchor is not None:
                anchor.addprevious(node)
            else:
                rpr.append(node)


def no_hanging_punctuation(shape: Any) -> None:
    """Keep line-final ，。 inside the box: LibreOffice lets them hang past the edge unless a paragraph says otherwise."""
    for paragraph in shape.element.iter(f"{A}p"):
        ppr = paragraph.find(f"{A}pPr")
        if ppr is None:
            ppr = paragraph.makeelement(f"{A}pPr", {})
            paragraph.insert(0, ppr)
        ppr.set("hangingPunct", "0")


def shift_text(shape: Any, inherited: Any, points: float) -> None:
    """Move the text of slide placeholder ``shape`` down by ``points``: a box whose text sits at its foot moves whole,
    a box whose text starts at its top keeps its bottom edge (it would otherwise reach the footer) and gets shorter.

    The slide shape then carries its own position (an ``a:xfrm``), read from
    ``inherited``, the layout's placeholder it fills; python-pptx writes all
    four values when one is set, so all four are.
    """
    anchor = inherited.element.txBody.bodyPr.get("anchor", "t") if inherited.has_text_frame else "t"
    left, top, width, height = inherited.left, inherited.top, inherited.width, inherited.height
    moved = int(round(points * EMU_PER_PT))
    shape.left, shape.width = left, width
    shape.top, shape.height = top + moved, height if anchor == "b" else height - moved


def move_decorations(slide: Any, layout: Any, below: int, points: float) -> None:
    """Give ``slide`` its own copy of ``layout``'s drawn shapes (rules, accents), those from ``below`` (EMU) down moved
    ``points`` lower, and hide the layout's: a rule under a headline moves with the headline it belongs to.

    ``showMasterSp="0"`` hides the layout's and master's shapes that are not
    placeholders (this master draws none of its own); the copies are put behind
    the slide's placeholders, with ids of their own.
    """
    import copy

    moved = int(round(points * EMU_PER_PT))
    tree = slide.element.cSld.spTree
    ids = [int(node.get("id")) for node in tree.iter(f"{P}cNvPr")]
    anchor = tree.find(f"{P}grpSpPr")
    for n, shape in enumerate(node for node in layout.element.cSld.spTree.iterchildren(f"{P}sp")
                              if node.find(f"{P}nvSpPr/{P}nvPr/{P}ph") is None):
        clone = copy.deepcopy(shape)
        clone.find(f"{P}nvSpPr/{P}cNvPr").set("id", str(max(ids, default=1) + 1 + n))
        offset = clone.find(f"{P}spPr/{A}xfrm/{A}off")
        if offset is not None and int(offset.get("y")) >= below:
            offset.set("y", str(int(offset.get("y")) + moved))
        anchor.addnext(clone)
        anchor = clone
    slide.element.set("showMasterSp", "0")


def make_slide_number(shape: Any) -> None:
    """Turn the first run of ``shape`` into a slide-number field, so renumbering in an editor stays right."""
    run = shape.element.find(f".//{A}r")
    run.tag = f"{A}fld"
    run.set("id", _SLIDE_NUMBER_ID)
    run.set("type", "slidenum")


def describe(picture: Any, text: str) -> None:
    """Give ``picture`` its alternative text (``descr``), which screen readers read; python-pptx sets only the name."""
    picture.element.nvPicPr.cNvPr.set("descr", text)


def remove(shape: Any) -> None:
    """Remove ``shape`` from its slide (an empty placeholder shows its prompt text in editors)."""
    shape.element.getparent().remove(shape.element)


def remember_part_names(package: Any) -> None:
    """Make ``package.next_partname`` give the names python-pptx would, without walking the whole package each time.

    python-pptx's own method collects every part name with the template's
    prefix from a walk of all relationships: once per notes slide, so 1,000
    slides cost a million steps. Here each prefix's names are collected once
    and every name given out is added to them; the choice among free numbers
    is python-pptx's (counting down from one more than the names in use).
    """
    from pptx.opc.packuri import PackURI

    known: dict[str, set[str]] = {}

    def next_partname(template: str) -> PackURI:
        prefix = template[: (template % 42).find("42")]
        if prefix not in known:
            known[prefix] = {str(part.partname) for part in package.iter_parts() if part.partname.startswith(prefix)}
        names = known[prefix]
        name = next(template % n for n in range(len(names) + 1, 0, -1) if template % n not in names)
        names.add(name)
        return PackURI(name)

    package.next_partname = next_partname


def finished_package(data: bytes, palette: dict[str, str] | None = None, fonts: dict[str, tuple[str, str]] | None = None) -> bytes:
    """Return the saved deck ``data`` with every theme part set to ``palette`` and ``fonts``, zipped with fixed timestamps.

    ``palette`` maps colour slots (dk1, accent1, …) to ``#RRGGBB``; ``fonts``
    maps majorFont/minorFont to a (Latin, East-Asian) pair.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if palette is not None and info.filename.startswith("ppt/theme/theme") and info.filename.endswith(".xml"):
                blob = _themed(blob, palette, fonts or {})
            elif info.filename == "ppt/presentation.xml":
                # python-pptx keeps its template's type="screen4x3" when the size becomes 16:9.
                blob = blob.replace(b' type="screen4x3"', b"")
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, blob)
    return out.getvalue()


def _themed(blob: bytes, palette: dict[str, str], fonts: dict[str, tuple[str, str]]) -> bytes:
    """Return theme XML ``blob`` with its colour slots set to ``palette`` and its major/minor fonts to ``fonts``."""
    from lxml import etree  # here: api imports this module on the no-change path, which never writes a deck (8 ms)

    root = etree.fromstring(blob)
    scheme = root.find(f"{A}themeElements/{A}clrScheme")
    for slot, value in palette.items():
        node = scheme.find(f"{A}{slot}")
        node.clear()
        etree.SubElement(node, f"{A}srgbClr", val=value.lstrip("#"))
    for kind, (latin, east_asian) in fonts.items():
        node = root.find(f"{A}themeElements/{A}fontScheme/{A}{kind}")
        node.find(f"{A}latin").set("typeface", latin)
        node.find(f"{A}ea").set("typeface", east_asian)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
