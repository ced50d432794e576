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

from policybrief.compose.environment import find_file
from policybrief.deck import ooxml
from policybrief.errors import MasterError

MASTER_NAME = "deck/master.pptx"
# A placeholder not named after its role is found by its type (python-pptx PP_PLACEHOLDER names).
_TYPES = {"title": ("TITLE", "CENTER_TITLE"), "footer": ("FOOTER",), "slide number": ("SLIDE_NUMBER",), "subtitle": ("SUBTITLE",)}


def find_master(folders: list[Path], name: str = MASTER_NAME) -> Path:
    """Return the first master ``name`` (theme.yaml's deck.master) on the template search path ``folders``."""
    found = find_file(folders, name)
    if found is None:
        raise MasterError(f"{name}: not found; looked in: {', '.join(str(f) for f in folders)}.")
    return found


def open_master(path: Path) -> Any:
    """Return the python-pptx Presentation of the master at ``path``."""
    from pptx import Presentation

    if not zipfile.is_zipfile(path):
        raise MasterError(f"{path}: is not a PowerPoint file (.pptx); save the master as .pptx.")
    try:
        return Presentation(str(path))
    except Exception:  # python-pptx raises KeyError/ValueError/... for zips that are not decks
        raise MasterError(f"{path}: is not a PowerPoint file (.pptx); save the master as .pptx.") from None


@dataclass(frozen=True)
class Placeholder:
    """A layout placeholder with what fitting needs: its shape, text area (pt) and the design style of its two list levels."""

    shape: Any
    width: float
    height: float
    styles: tuple[ooxml.Style, ooxml.Style]

    @property
    def style(self) -> ooxml.Style:
        """Return the style of the first list level."""
        return self.styles[0]


class Master:
    """An opened master: its layouts and placeholders by name, each looked up once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.deck = open_master(path)
        self._layouts = {layout.name: layout for layout in reversed(list(self.deck.slide_layouts))}
        self._placeholders: dict[tuple[str, str], Placeholder] = {}

    def layout(self, name: str) -> Any:
        """Return the slide layout called ``name``."""
        found = self._layouts.get(name)
        if found is None:
            names = ", ".join(layout.name for layout in self.deck.slide_layouts)
            raise MasterError(f"{self.path}: has no slide layout named '{name}'; it has: {names}.")
        return found

    def has_layout(self, name: str) -> bool:
        """Return True when the master has a layout called ``name``."""
        return name in self._layouts

    def names(self, layout_name: str) -> list[str]:
        """Return the names of layout ``layout_name``'s placeholders, in the layout's order."""
        return [shape.name for shape in self.layout(layout_name).placeholders]

    def placeholder(self, layout_name: str, role: str) -> Placeholder:
        """Return layout ``layout_name``'s placeholder for ``role``: by name (case-insensitive), else by type."""
        key = (layout_name, role)
        if key not in self._placeholders:
            shape = _find_placeholder(self.layout(layout_name), role, self.path)
            width, height = ooxml.text_area(shape)
            styles = (ooxml.placeholder_style(shape, 1), ooxml.placeholder_style(shape, 2))
            self._placeholders[key] = Placeholder(shape, width, height, styles)
        return self._placeholders[key]


def _find_placeholder(slide_layout: Any, role: str, path: Path) -> Any:
    """Return the layout's placeholder shape for ``role``; raise MasterError listing what it has."""
    shapes = list(slide_layout.placeholders)
    for shape in shapes:
        if shape.name.lower() == role.lower():
            return shape
    for shape in shapes:
        if shape.placeholder_format.type.name in _TYPES.get(role.lower(), ()):
            return shape
    names = ", ".join(shape.name for shape in shapes)
    raise MasterError(f"{path}: layout '{slide_layout.name}' has no {role} placeholder; it has: {names}.")
