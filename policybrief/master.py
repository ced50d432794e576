"""Finding and opening the slide master, and looking up its layouts and placeholders.

The master is ``deck/master.pptx`` on the template search path (a user's
override folder first), so a designer replaces the look by dropping in their
own .pptx with the same layout and placeholder names.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybrief.errors import MasterError

MASTER_NAME = "deck/master.pptx"
EMU_PER_PT = 12700
_DEFAULT_INSETS = (91440, 45720, 91440, 45720)  # OOXML defaults: left, top, right, bottom


def find_master(folders: list[Path], name: str = MASTER_NAME) -> Path:
    """Return the first master ``name`` (theme.yaml's deck.master) on the template search path ``folders``."""
    for folder in folders:
        candidate = Path(folder) / name
        if candidate.is_file() and candidate.resolve().is_relative_to(Path(folder).resolve()):
            return candidate
    raise MasterError(f"{name}: not found; looked in: {', '.join(str(f) for f in folders)}.")


def open_master(path: Path) -> Any:
    """Return the python-pptx Presentation of the master at ``path``."""
    from pptx import Presentation

    if not zipfile.is_zipfile(path):
        raise MasterError(f"{path}: is not a PowerPoint file (.pptx); save the master as .pptx.")
    try:
        return Presentation(str(path))
    except Exception:  # python-pptx raises KeyError/ValueError/... for zips that are not decks
        raise MasterError(f"{path}: is not a PowerPoint file (.pptx); save the master as .pptx.") from None


def layout(deck: Any, name: str, path: Path) -> Any:
    """Return the slide layout called ``name``."""
    layouts = list(deck.slide_layouts)
    for candidate in layouts:
        if candidate.name == name:
            return candidate
    names = ", ".join(candidate.name for candidate in layouts)
    raise MasterError(f"{path}: has no slide layout named '{name}'; it has: {names}.")


_TYPES = {"title": ("title", "ctrTitle"), "footer": ("ftr",), "slide number": ("sldNum",), "subtitle": ("subTitle",)}


def placeholder(slide_layout: Any, role: str, path: Path) -> Any:
    """Return the layout's placeholder for ``role``: by name (case-insensitive), else by type."""
    shapes = list(slide_layout.placeholders)
    for shape in shapes:
        if shape.name.lower() == role.lower():
            return shape
    for shape in shapes:
        if shape.element.ph_type and _type_name(shape) in _TYPES.get(role.lower(), ()):
            return shape
    names = ", ".join(shape.name for shape in shapes)
    raise MasterError(f"{path}: layout '{slide_layout.name}' has no {role} placeholder; it has: {names}.")


def _type_name(shape: Any) -> str:
    """Return the OOXML name of a placeholder's type (e.g. 'ctrTitle')."""
    return shape.element.ph.get("type", "body")


@dataclass(frozen=True)
class Box:
    """The text area of a placeholder in points (inside its insets)."""

    width: float
    height: float


def text_box(shape: Any) -> Box:
    """Return the area text may use inside ``shape`` (size minus insets), in points."""
    body = shape.element.txBody.bodyPr if shape.has_text_frame else None
    insets = [
        int(body.get(name)) if body is not None and body.get(name) is not None else default
        for name, default in zip(("lIns", "tIns", "rIns", "bIns"), _DEFAULT_INSETS, strict=True)
    ]
    return Box((shape.width - insets[0] - insets[2]) / EMU_PER_PT, (shape.height - insets[1] - insets[3]) / EMU_PER_PT)


def check_layouts(deck: Any, names: list[str], path: Path) -> None:
    """Raise MasterError (listing what the master has) unless every layout in ``names`` exists."""
    for name in names:
        layout(deck, name, path)


_THEME_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"


def apply_theme(deck: Any, theme: Any) -> None:
    """Write ``theme``'s colours and fonts into the theme parts of the deck's slide and notes masters."""
    colours = theme.colours
    palette = {"dk1": colours.text, "lt1": colours.paper, "dk2": colours.accent, "lt2": colours.tint,
               "accent1": colours.accent, "accent2": colours.muted, "accent3": colours.rule,
               "hlink": colours.accent, "folHlink": colours.muted}
    fonts = {"majorFont": theme.fonts.heading, "minorFont": theme.fonts.slides}
    for owner in (deck.slide_master.part, deck.notes_master.part):
        part = owner.part_related_by(_THEME_REL)
        part._blob = _themed(part.blob, palette, fonts)


def _themed(blob: bytes, palette: dict[str, str], fonts: dict[str, Any]) -> bytes:
    """Return theme XML ``blob`` with its colour slots set to ``palette`` and its major/minor fonts to ``fonts``."""
    from lxml import etree

    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    root = etree.fromstring(blob)
    scheme = root.find(f"{a}themeElements/{a}clrScheme")
    for slot, value in palette.items():
        node = scheme.find(f"{a}{slot}")
        node.clear()
        etree.SubElement(node, f"{a}srgbClr", val=value.lstrip("#"))
    for kind, face in fonts.items():
        node = root.find(f"{a}themeElements/{a}fontScheme/{a}{kind}")
        node.find(f"{a}latin").set("typeface", face.latin)
        node.find(f"{a}ea").set("typeface", face.east_asian)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
