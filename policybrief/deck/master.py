"""Finding and opening the slide master, and looking up its layouts and placeholders.

The master is ``deck/master.pptx`` on the template search path (a user's
override folder first), so a designer replaces the look by dropping in their
own .pptx with the same layout and placeholder names.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from policybrief.compose.environment import find_file
from policybrief.deck import ooxml
from policybrief.errors import MasterError, OutputError
from policybrief.output import cache_folder, write_atomic

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
    """A layout placeholder with what fitting needs: its index, text area (pt) and the design style of its two list levels."""

    idx: int
    width: float
    height: float
    styles: tuple[ooxml.Style, ooxml.Style]

    @property
    def style(self) -> ooxml.Style:
        """Return the style of the first list level."""
        return self.styles[0]


class Geometry:
    """What fitting needs of a master: its layouts, and each placeholder's name, type, index, text area and styles.

    Read once from the .pptx through python-pptx, then kept in the user's
    cache (keyed by the file's bytes), so ``check`` fits every slide without
    importing python-pptx or opening the master again.
    """

    def __init__(self, path: Path, layouts: list[dict[str, Any]]) -> None:
        self.path = path
        self.layouts = layouts
        self._by_name = {layout["name"]: layout for layout in reversed(layouts)}  # the first of a name wins

    def has_layout(self, name: str) -> bool:
        """Return True when the master has a layout called ``name``."""
        return name in self._by_name

    def check_layout(self, name: str) -> dict[str, Any]:
        """Return the layout called ``name``; raise MasterError listing the master's layouts when there is none."""
        found = self._by_name.get(name)
        if found is None:
            names = ", ".join(layout["name"] for layout in self.layouts)
            raise MasterError(f"{self.path}: has no slide layout named '{name}'; it has: {names}.")
        return found

    def names(self, layout_name: str) -> list[str]:
        """Return the names of layout ``layout_name``'s placeholders, in the layout's order."""
        return [shape["name"] for shape in self.check_layout(layout_name)["placeholders"]]

    @cache  # noqa: B019 - one Geometry per master and process
    def placeholder(self, layout_name: str, role: str) -> Placeholder:
        """Return layout ``layout_name``'s placeholder for ``role``: by name (case-insensitive), else by type."""
        shapes = self.check_layout(layout_name)["placeholders"]
        found = next((shape for shape in shapes if shape["name"].lower() == role.lower()), None)
        found = found or next((shape for shape in shapes if shape["type"] in _TYPES.get(role.lower(), ())), None)
        if found is None:
            names = ", ".join(shape["name"] for shape in shapes)
            raise MasterError(f"{self.path}: layout '{layout_name}' has no {role} placeholder; it has: {names}.")
        styles = tuple(ooxml.Style(*style) for style in found["styles"])
        return Placeholder(found["idx"], found["width"], found["height"], styles)


def geometry(path: Path) -> Geometry:
    """Return the Geometry of the master at ``path``: from the user's cache, else read through python-pptx (and cached)."""
    import hashlib
    import json

    from policybrief import __version__

    try:
        data = path.read_bytes()
    except OSError:
        raise MasterError(f"{path}: cannot be read; check the file and its permissions.") from None
    key = hashlib.sha256(__version__.encode() + b"\0" + data).hexdigest()[:32]
    cached = cache_folder("masters") / f"{key}.json"
    try:
        return Geometry(path, json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass  # not cached yet, or unreadable: read the master itself
    layouts = _layouts(open_master(path))
    try:
        write_atomic(cached, json.dumps(layouts, ensure_ascii=False).encode())
    except OutputError:
        pass  # a cache that cannot be written costs time, never the build
    return Geometry(path, layouts)


def _layouts(deck: Any) -> list[dict[str, Any]]:
    """Return every layout of the python-pptx ``deck`` as plain data for Geometry."""
    layouts = []
    for layout in deck.slide_layouts:
        shapes = []
        for shape in layout.placeholders:
            width, height = ooxml.text_area(shape)
            styles = [list(vars(ooxml.placeholder_style(shape, level)).values()) for level in (1, 2)]
            shapes.append({"name": shape.name, "type": shape.placeholder_format.type.name,
                           "idx": shape.placeholder_format.idx, "width": width, "height": height, "styles": styles})
        layouts.append({"name": layout.name, "placeholders": shapes})
    return layouts


class Master:
    """An opened master to write a deck on: python-pptx's Presentation, and its Geometry."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.deck = open_master(path)
        self.geometry = geometry(path)
        self._layouts = {layout.name: layout for layout in reversed(list(self.deck.slide_layouts))}
        self._shapes: dict[tuple[str, str], Any] = {}  # the layouts never change: each shape is found once

    def layout(self, name: str) -> Any:
        """Return the python-pptx slide layout called ``name``."""
        self.geometry.check_layout(name)
        return self._layouts[name]

    def shape(self, layout_name: str, role: str) -> Any:
        """Return the python-pptx placeholder shape of ``role`` on layout ``layout_name``."""
        if (layout_name, role) not in self._shapes:
            idx = self.geometry.placeholder(layout_name, role).idx
            self._shapes[layout_name, role] = next(shape for shape in self.layout(layout_name).placeholders
                                                   if shape.placeholder_format.idx == idx)
        return self._shapes[layout_name, role]
