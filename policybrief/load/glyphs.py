"""Check that every character of the content has a glyph in the theme's fonts.

WeasyPrint falls back to another font (or draws a blank box) for a character
the named font lacks, and python-pptx leaves it to the viewer: either way the
output is no longer what the editor wrote. A missing glyph is therefore an
error at validation time, naming the field, the code point and the font.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache

from policybrief.errors import BriefError, Problem
from policybrief.load.yamlfile import YamlDocument, format_key_path, strings_in
from policybrief.typography.fonts import WEIGHTS, installed


@cache
def font_codepoints(family: str) -> frozenset[int]:
    """Return the code points ``family`` has glyphs for, as HarfBuzz reads its cmap (once per process)."""
    import uharfbuzz as hb

    face = installed(family, WEIGHTS["normal"])
    if face is None:
        raise BriefError(f"the font {family!r} is not installed; install it, or name an installed family in theme.yaml.")
    return frozenset(hb.Face(hb.Blob.from_file_path(face.path), face.index).unicodes)


def needs_glyph(char: str) -> bool:
    """Return True when ``char`` is drawn (not a line break, format mark or variation selector)."""
    if char in "\n\t":
        return False
    if unicodedata.category(char) in ("Cf", "Zl", "Zp"):
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def missing_glyphs(document: YamlDocument, roles: Sequence[Sequence[str]]) -> list[Problem]:
    """Return one problem per text field holding a character that the families of some font role cannot draw.

    ``roles`` lists each role's families in order (Theme.font_roles), as the
    brief's CSS font-family list and the deck's Latin and East-Asian fonts try them.
    """
    problems = []
    for key_path, text in strings_in(document.data):
        for families in roles:
            fonts = [font_codepoints(family) for family in families]
            missing = next((c for c in text if needs_glyph(c) and not any(ord(c) in font for font in fonts)), None)
            if missing is not None:
                problems.append(Problem(
                    document.path,
                    f"U+{ord(missing):04X} ({unicodedata.name(missing, 'unnamed')}) has no glyph in {' or '.join(families)}",
                    document.line_of(key_path), format_key_path(key_path), "replace or remove it"))
                break
    return problems
