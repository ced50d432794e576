"""Measuring and wrapping slide text with the real metrics of the theme's slide fonts.

Widths come from the font files themselves (found through fontconfig, e.g.
the TC face of Debian's Noto CJK collection), so a box sized here holds the
text in PowerPoint and LibreOffice alike. A face is a (Latin, East-Asian)
pair of families, as the deck writes them: Latin words are measured in the
Latin family, everything else in the East-Asian one. Lines break between any two Han characters, keep Latin words whole and
follow the kinsoku rules: no line starts with closing punctuation and none
ends with opening punctuation.
"""

from __future__ import annotations

import re
from functools import lru_cache

Face = tuple[str, str]  # (Latin family, East-Asian family)
DEFAULT_FACE: Face = ("Noto Sans CJK TC", "Noto Sans CJK TC")  # the built-in theme's fonts.slides
_REFERENCE_SIZE = 1000  # measure once at 1000 px and scale: widths are linear in size

NO_LINE_START = set("，。、；：！？」』）》〉】〕,.;:!?)]}%…—")
NO_LINE_END = set("「『（《〈【〔([{")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,'’%\-/]*\s*|\s+|.", re.S)


@lru_cache(maxsize=8)
def _font(family: str, bold: bool):
    """Return the Pillow font object of ``family`` (regular or bold) at the reference size, loaded once."""
    from PIL import ImageFont

    from policybrief.errors import BriefError
    from policybrief.fonts import WEIGHTS, installed

    found = installed(family, WEIGHTS["bold" if bold else "normal"])
    if found is None:  # the theme's check names the line; this guards direct callers
        raise BriefError(f"the font {family!r} is not installed; install it or name another in theme.yaml.")
    return ImageFont.truetype(found.path, _REFERENCE_SIZE, index=found.index)


@lru_cache(maxsize=65536)
def _unit_width(token: str, bold: bool, face: Face) -> float:
    """Return the width of ``token`` in em: a Latin word in the face's Latin family, the rest in its East-Asian one."""
    family = face[0] if token[0].isascii() else face[1]
    return _font(family, bold).getlength(token) / _REFERENCE_SIZE


@lru_cache(maxsize=8)
def line_height(face: Face = DEFAULT_FACE, bold: bool = False) -> float:
    """Return the height of a single-spaced line in em: the larger (ascender + descender) of the face's two families."""
    return max(sum(_font(family, bold).getmetrics()) / _REFERENCE_SIZE for family in face)


def text_width(text: str, size_pt: float, bold: bool = False, face: Face = DEFAULT_FACE) -> float:
    """Return the advance width of ``text`` in points at ``size_pt``."""
    return sum(_unit_width(token, bold, face) for token in _TOKEN.findall(text)) * size_pt


def _units(text: str) -> list[str]:
    """Return ``text`` cut into unbreakable units (a Latin word, a Han char) with kinsoku glued on."""
    units: list[str] = []
    for token in _TOKEN.findall(text):
        if units and (token[0] in NO_LINE_START or units[-1][-1] in NO_LINE_END):
            units[-1] += token
        else:
            units.append(token)
    return units


def wrap(text: str, width_pt: float, size_pt: float, bold: bool = False, face: Face = DEFAULT_FACE) -> list[str]:
    """Return the lines ``text`` takes in a box ``width_pt`` wide at ``size_pt``."""
    lines: list[str] = []
    line, used = "", 0.0
    for unit in _units(text):
        width = text_width(unit.rstrip(), size_pt, bold, face)
        if line and used + width > width_pt:
            lines.append(line.rstrip())
            line, used = unit.lstrip(), text_width(unit.lstrip(), size_pt, bold, face)
        else:
            line += unit
            used += text_width(unit, size_pt, bold, face)
    return [*lines, line.rstrip()] if line.strip() or not lines else lines


def paragraphs_height(paragraphs: list[str], width_pt: float, size_pt: float, *, bold: bool = False,
                      space_before: float = 0.0, face: Face = DEFAULT_FACE) -> float:
    """Return the height in points ``paragraphs`` take when wrapped into ``width_pt``."""
    lines = sum(len(wrap(text, width_pt, size_pt, bold, face)) for text in paragraphs)
    return lines * size_pt * line_height(face, bold) + space_before * size_pt * max(len(paragraphs) - 1, 0)
