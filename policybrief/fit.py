"""Measuring and wrapping text with the real Noto Sans CJK TC metrics.

Widths come from the font file itself (the TC face of Debian's Noto CJK
collection), so a box sized here holds the text in PowerPoint and LibreOffice
alike. Lines break between any two Han characters, keep Latin words whole and
follow the kinsoku rules: no line starts with closing punctuation and none
ends with opening punctuation.
"""

from __future__ import annotations

import re
from functools import lru_cache

FONT_FILES = {False: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              True: "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"}
TC_FACE = 3  # index of the Traditional-Chinese face in the .ttc
LINE_HEIGHT = 1.448  # (ascender + descender) / em of Noto Sans CJK: what single spacing takes
_REFERENCE_SIZE = 1000  # measure once at 1000 px and scale: widths are linear in size

NO_LINE_START = set("，。、；：！？」』）》〉】〕,.;:!?)]}%…—")
NO_LINE_END = set("「『（《〈【〔([{")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,'’%\-/]*\s*|\s+|.", re.S)


@lru_cache(maxsize=2)
def _font(bold: bool):
    """Return the Pillow font object of the TC face (regular or bold), loaded once."""
    from PIL import ImageFont

    return ImageFont.truetype(FONT_FILES[bold], _REFERENCE_SIZE, index=TC_FACE)


@lru_cache(maxsize=65536)
def _unit_width(token: str, bold: bool) -> float:
    """Return the width of ``token`` in em."""
    return _font(bold).getlength(token) / _REFERENCE_SIZE


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Return the advance width of ``text`` in points at ``size_pt``."""
    return sum(_unit_width(token, bold) for token in _TOKEN.findall(text)) * size_pt


def _units(text: str) -> list[str]:
    """Return ``text`` cut into unbreakable units (a Latin word, a Han char) with kinsoku glued on."""
    units: list[str] = []
    for token in _TOKEN.findall(text):
        if units and (token[0] in NO_LINE_START or units[-1][-1] in NO_LINE_END):
            units[-1] += token
        else:
            units.append(token)
    return units


def wrap(text: str, width_pt: float, size_pt: float, bold: bool = False) -> list[str]:
    """Return the lines ``text`` takes in a box ``width_pt`` wide at ``size_pt``."""
    lines: list[str] = []
    line, used = "", 0.0
    for unit in _units(text):
        width = text_width(unit.rstrip(), size_pt, bold)
        if line and used + width > width_pt:
            lines.append(line.rstrip())
            line, used = unit.lstrip(), text_width(unit.lstrip(), size_pt, bold)
        else:
            line += unit
            used += text_width(unit, size_pt, bold)
    return [*lines, line.rstrip()] if line.strip() or not lines else lines


def paragraphs_height(paragraphs: list[str], width_pt: float, size_pt: float, *, bold: bool = False,
                      space_before: float = 0.0) -> float:
    """Return the height in points ``paragraphs`` take when wrapped into ``width_pt``."""
    lines = sum(len(wrap(text, width_pt, size_pt, bold)) for text in paragraphs)
    return lines * size_pt * LINE_HEIGHT + space_before * size_pt * max(len(paragraphs) - 1, 0)
