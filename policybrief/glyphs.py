"""Check that every character of the content has a glyph in the theme's fonts.

WeasyPrint falls back to another font (or draws a blank box) for a character
the named font lacks, and python-pptx leaves it to the viewer: either way the
output is no longer what the editor wrote. A missing glyph is therefore an
error at validation time, naming the field, the code point and the font.
"""

from __future__ import annotations

import bisect
import struct
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, BinaryIO

from policybrief.errors import BriefError
from policybrief.yamlfile import KeyPath, YamlDocument, format_key_path

# The built-in theme's faces: the brief's text face and the heading/deck face.
THEME_FONTS = ("Noto Serif CJK TC", "Noto Sans CJK TC")
# Text is checked against every font role; within a role, the families are
# tried in order, as the brief's CSS font-family list and the deck's Latin and
# East-Asian fonts are. A theme passes its own roles (Theme.font_roles()).
DEFAULT_ROLES = tuple((family,) for family in THEME_FONTS)


@cache
def font_codepoints(family: str) -> CodepointRanges:
    """Return the code points ``family`` has glyphs for (read once per process)."""
    from policybrief.fonts import WEIGHTS, installed

    face = installed(family, WEIGHTS["normal"])
    if face is None:
        raise BriefError(f"the font {family!r} is not installed; run make to install fonts-noto-cjk.")
    path, index = face.path, face.index
    with open(path, "rb") as font:
        ranges = _cmap_ranges(font, index)
    if ranges is None:
        return _fonttools_codepoints(path, index)
    return CodepointRanges(ranges)


class CodepointRanges:
    """A set of code points held as sorted, disjoint (first, last) ranges."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.starts = [first for first, _ in ranges]
        self.ends = [last for _, last in ranges]

    def __contains__(self, code: object) -> bool:
        """Return True when ``code`` lies in one of the ranges."""
        i = bisect.bisect_right(self.starts, code) - 1  # type: ignore[arg-type]
        return i >= 0 and code <= self.ends[i]  # type: ignore[operator]


def _cmap_ranges(font: BinaryIO, index: int) -> list[tuple[int, int]] | None:
    """Return the (first, last) code point ranges of the font's format 12 cmap, or None if it has none.

    Reads only the table directory and the cmap table: fontTools would decode
    every glyph name of a 65,535-glyph CJK font first (0.18 s per face).
    """
    offset = 0
    if font.read(4) == b"ttcf":
        font.seek(12 + 4 * index)
        offset = _unpack(font, ">I")[0]
    font.seek(offset + 4)
    tables = _unpack(font, ">H")[0]
    font.seek(offset + 12)
    directory = {font.read(4): _unpack(font, ">III")[1] for _ in range(tables)}
    cmap = directory.get(b"cmap")
    if cmap is None:
        return None
    font.seek(cmap + 2)
    subtables = [_unpack(font, ">HHI") for _ in range(_unpack(font, ">H")[0])]
    full = [start for platform, encoding, start in subtables if (platform, encoding) in ((3, 10), (0, 4), (0, 6))]
    if not full:
        return None
    font.seek(cmap + full[0])
    if _unpack(font, ">H")[0] != 12:
        return None
    font.seek(cmap + full[0] + 12)
    groups = _unpack(font, ">I")[0]
    data = struct.unpack(f">{3 * groups}I", font.read(12 * groups))
    return sorted(zip(data[0::3], data[1::3], strict=True))


def _unpack(font: BinaryIO, layout: str) -> tuple[int, ...]:
    """Return the numbers read from ``font`` at its position as ``layout`` (a struct format)."""
    return struct.unpack(layout, font.read(struct.calcsize(layout)))


def _fonttools_codepoints(path: str, index: int) -> frozenset[int]:
    """Return the code points of a font without a format 12 cmap, read by fontTools (slower)."""
    from fontTools.ttLib import TTFont  # imported here: it is slow and rarely needed

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def needs_glyph(char: str) -> bool:
    """Return True when ``char`` is drawn (not a line break, format mark or variation selector)."""
    if char in "\n\t":
        return False
    if unicodedata.category(char) in ("Cf", "Zl", "Zp"):
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def missing_glyphs(document: YamlDocument, roles: Sequence[Sequence[str]] = DEFAULT_ROLES) -> list[str]:
    """Return one problem per text field holding a character that the families of some font role cannot draw."""
    problems = []
    for key_path, text in _strings(document.data, ()):
        for families in roles:
            fonts = [font_codepoints(family) for family in families]
            missing = next((c for c in text if needs_glyph(c) and not any(ord(c) in font for font in fonts)), None)
            if missing is not None:
                problems.append(
                    f"{document.path}:{document.line_of(key_path)}: {format_key_path(key_path)}: "
                    f"U+{ord(missing):04X} ({unicodedata.name(missing, 'unnamed')}) has no glyph in {' or '.join(families)}; "
                    "replace or remove it."
                )
                break
    return problems


def _strings(value: Any, key_path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Yield (key path, text) for every string inside ``value``."""
    if isinstance(value, str):
        yield key_path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, key_path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, key_path + (index,))
