"""Check that every character of the content has a glyph in the theme's fonts.

WeasyPrint falls back to another font (or draws a blank box) for a character
the named font lacks, and python-pptx leaves it to the viewer: either way the
output is no longer what the editor wrote. A missing glyph is therefore an
error at validation time, naming the field, the code point and the font.
"""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import Any

from policybrief.errors import BriefError
from policybrief.yamlfile import KeyPath, YamlDocument, format_key_path

# The brief's text face and the heading/deck face (see templates and deck.py).
THEME_FONTS = ("Noto Serif CJK TC", "Noto Sans CJK TC")


@cache
def font_codepoints(family: str) -> frozenset[int]:
    """Return the code points ``family`` has glyphs for (read once per process)."""
    from fontTools.ttLib import TTFont  # imported here: it is slow and only needed with content

    found = subprocess.run(
        ["fc-match", "-f", "%{family}\n%{file}\n%{index}", family], capture_output=True, text=True, check=False
    ).stdout.split("\n")
    if len(found) < 3 or family not in found[0].split(","):
        raise BriefError(f"the font {family!r} is not installed; run make to install fonts-noto-cjk.")
    with TTFont(found[1], fontNumber=int(found[2]), lazy=True) as font:
        return frozenset(font.getBestCmap())


def needs_glyph(char: str) -> bool:
    """Return True when ``char`` is drawn (not a line break, format mark or variation selector)."""
    if char in "\n\t":
        return False
    if unicodedata.category(char) in ("Cf", "Zl", "Zp"):
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def missing_glyphs(document: YamlDocument) -> list[str]:
    """Return one problem per text field holding a character no theme font can draw."""
    problems = []
    for key_path, text in _strings(document.data, ()):
        for family in THEME_FONTS:
            codepoints = font_codepoints(family)
            missing = next((c for c in text if needs_glyph(c) and ord(c) not in codepoints), None)
            if missing is not None:
                problems.append(
                    f"{document.path}:{document.line_of(key_path)}: {format_key_path(key_path)}: "
                    f"U+{ord(missing):04X} ({unicodedata.name(missing, 'unnamed')}) has no glyph in {family}; "
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
