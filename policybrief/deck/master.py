"""Finding and opening the slide master, and looking up its layouts and placeholders.

The master is ``deck/master.pptx`` on the template search path (a user's
override folder first), so a designer replaces the look by dropping in their
own .pptx with the same layout and placeholder names.

A master comes from outside the project, like a logo or a stylesheet, and is
checked before any of it is read (``check_package``): the zip's size and
entry count from its central directory, no macro or ActiveX parts, no
relationship pointing outside the file. Of what passes, only the parts a
presentation needs are carried into a deck (``_keep_needed_parts``).
"""

from __future__ import annotations

import posixpath
import re
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


# The budget of a master, read from the zip's central directory before any entry is: a designed
# master is a few hundred KB in some 40 parts; big photos may make it tens of MB.
MAX_FILE_BYTES = 50_000_000
MAX_ENTRIES = 1_000
MAX_PART_BYTES = 50_000_000
MAX_TOTAL_BYTES = 200_000_000
# Part names and content types of macros and controls: a deck carrying them is a .pptm PowerPoint refuses as .pptx.
_MACRO_NAME = re.compile(r"(vbaProject|vbaData|vbaProjectSignature)[^/]*$|(^|/)activeX/", re.I)
_MACRO_TYPE = re.compile(r"macroEnabled|vbaProject|vbaData|activeX|oleObject|ms-office\.vba", re.I)
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
# Relationships a part needs although its XML names no r:id for them; any other is kept only when the
# part's XML refers to it (a picture, a tag list), so customXml, printer settings, comments, thumbnails,
# custom properties and signatures of the master stay out of the deck.
_IMPLIED = {_RELS + name for name in ("officeDocument", "extended-properties", "presProps", "viewProps", "tableStyles",
                                      "theme", "slideMaster", "slideLayout", "notesMaster", "notesSlide", "slide")}
_IMPLIED.add("http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties")


def _not_pptx(path: Path) -> MasterError:
    """Return the error for a master that is not a PowerPoint file."""
    return MasterError(f"{path}: is not a PowerPoint file (.pptx); save the master as .pptx.")


def check_package(path: Path) -> None:
    """Return nothing when the master at ``path`` is within budget, free of macros and self-contained; else raise MasterError.

    Only the central directory and the small XML of content types and
    relationships are read, so a master that would expand to gigabytes is
    refused before one of its big entries is.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise MasterError(f"{path}: is {size / 1e6:,.1f} MB, more than the {MAX_FILE_BYTES // 1_000_000} MB a master may be; "
                              "save it with smaller pictures.")
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            _check_budget(path, entries)
            _check_macros(path, package, entries)
            _check_links(path, package, entries)
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _not_pptx(path) from None
    except OSError:
        raise MasterError(f"{path}: cannot be read; check the file and its permissions.") from None


def _check_budget(path: Path, entries: list[zipfile.ZipInfo]) -> None:
    """Return nothing when ``entries`` (the central directory) fit the budget of a master; else raise MasterError."""
    if len(entries) > MAX_ENTRIES:
        raise MasterError(f"{path}: holds {len(entries):,} parts, more than the {MAX_ENTRIES:,} a master may have; "
                          "save it again with only the layouts it needs.")
    for entry in entries:
        if entry.file_size > MAX_PART_BYTES:
            raise MasterError(f"{path}: part {entry.filename} expands to {entry.file_size / 1e6:,.1f} MB, more than the "
                              f"{MAX_PART_BYTES // 1_000_000} MB a part of a master may hold; remove it or save it smaller.")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_TOTAL_BYTES:
        raise MasterError(f"{path}: expands to {total / 1e6:,.1f} MB, more than the {MAX_TOTAL_BYTES // 1_000_000} MB "
                          "a master may hold; save it with smaller pictures.")


def _check_macros(path: Path, package: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Return nothing when the master has no macro, ActiveX or embedded-object part nor such a content type; else raise MasterError."""
    for entry in entries:
        if _MACRO_NAME.search(entry.filename):
            raise MasterError(f"{path}: part {entry.filename} is a macro or control; a master must not carry macros — "
                              "save it as a PowerPoint Presentation (.pptx), not a macro-enabled one (.pptm).")
    try:
        types = package.read("[Content_Types].xml").decode("utf-8", "replace")
    except KeyError:
        raise _not_pptx(path) from None
    for match in re.finditer(r"<(?:\w+:)?(?:Override|Default)\b[^>]*>", types):
        tag = match.group(0)
        kind = re.search(r'ContentType="([^"]*)"', tag)
        part = re.search(r'PartName="/?([^"]*)"', tag)
        extension = re.search(r'Extension="([^"]*)"', tag)
        if extension:  # a default type matters only when a part of that extension is there
            part = next((entry.filename for entry in entries if entry.filename.lower().endswith("." + extension.group(1).lower())), None)
        elif part:
            part = part.group(1)
        if kind and part and _MACRO_TYPE.search(kind.group(1)):
            raise MasterError(f"{path}: part {part} has the content type "
                              f"'{kind.group(1)}' (macros, controls or embedded objects); a master must not carry them — "
                              "remove it and save the master as a PowerPoint Presentation (.pptx).")


def _check_links(path: Path, package: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Return nothing when no relationship of the master points outside the file; else raise MasterError naming the part."""
    for entry in entries:
        if not entry.filename.endswith(".rels"):
            continue
        xml = package.read(entry).decode("utf-8", "replace")
        for match in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", xml):
            if re.search(r'TargetMode\s*=\s*"External"', match.group(0)):
                target = re.search(r'Target\s*=\s*"([^"]*)"', match.group(0))
                raise MasterError(f"{path}: part {_source_part(entry.filename)} links to '{target.group(1) if target else ''}' "
                                  "outside the file; remove the link or linked picture from the master "
                                  "(a deck must not send its readers elsewhere) and save it again.")


def _source_part(rels_name: str) -> str:
    """Return the part whose relationships ``rels_name`` holds (``ppt/_rels/x.xml.rels`` → ``ppt/x.xml``)."""
    folder, name = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), name.removesuffix(".rels")) or "the package"


def open_master(path: Path) -> Any:
    """Return the python-pptx Presentation of the master at ``path``, checked and holding only the parts a deck needs."""
    from pptx import Presentation

    if not zipfile.is_zipfile(path):
        raise _not_pptx(path)
    check_package(path)
    try:
        deck = Presentation(str(path))
    except Exception:  # python-pptx raises KeyError/ValueError/... for zips that are not decks
        raise _not_pptx(path) from None
    _keep_needed_parts(deck.part.package)
    return deck


def _keep_needed_parts(package: Any) -> None:
    """Drop every relationship (and so every part) of ``package`` a presentation does not need.

    Kept: the relationships every presentation has (``_IMPLIED``) and those
    a part's XML refers to by id; dropped: the rest (custom XML, printer
    settings, comments, the master's thumbnail and custom properties). A part
    no longer related is not saved.
    """
    for rId, rel in list(package._rels.items()):
        if rel.reltype not in _IMPLIED:
            package._rels.pop(rId)
    for part in list(package.iter_parts()):
        blob = part.blob if part.partname.endswith(".xml") else b""
        for rId, rel in list(part.rels.items()):
            if rel.reltype not in _IMPLIED and f'"{rId}"'.encode() not in blob:
                part.rels.pop(rId)


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

    check_package(path)
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
