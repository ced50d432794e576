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


class Families(tuple):
    """A font role's families in order, and where the theme names them (file, line, key), for a message there."""

    place: tuple[str, int, str] | None = None

    def __new__(cls, families: Sequence[str], place: tuple[str, int, str] | None = None) -> Families:
        made = super().__new__(cls, families)
        made.place = place
        return made


# A font that lacks this many of the content's characters, or common Han characters (中), is the
# wrong font for the content: one message at the theme says so, instead of one per content field.
# A rare character (an Extension B ideograph) is the content's: reported at its field.
WRONG_FONT_CHARACTERS = 10
COMMON_HAN = "中"
SHOWN_MISSING = 6


def missing_glyphs(document: YamlDocument, roles: Sequence[Sequence[str]]) -> list[Problem]:
    """Return the problems of characters that the families of some font role cannot draw.

    ``roles`` lists each role's families in order (Theme.font_roles), as the
    brief's CSS font-family list and the deck's Latin and East-Asian fonts try
    them. A role that cannot draw the content (Han characters, or characters
    in several fields) is one problem at the theme's line (Families.place);
    otherwise each text field with a character missing is one problem.
    """
    problems: list[Problem] = []
    reported: set[tuple[str | int, ...]] = set()
    for families in roles:
        misses = _misses(document, families)
        if misses and _wrong_font(misses, families) and getattr(families, "place", None):
            problems.append(_wrong_font_problem(families, misses))
            continue
        for key_path, chars in misses:
            missing = chars[0]
            if key_path not in reported:
                reported.add(key_path)
                problems.append(Problem(
                    document.path,
                    f"U+{ord(missing):04X} ({unicodedata.name(missing, 'unnamed')}) has no glyph in {' or '.join(families)}",
                    document.line_of(key_path), format_key_path(key_path), "replace or remove it"))
    return sorted(problems, key=lambda problem: (problem.file != document.path, problem.line))


def _misses(document: YamlDocument, families: Sequence[str]) -> list[tuple[tuple[str | int, ...], str]]:
    """Return (key path, the characters missing, in order) for each text field that ``families`` cannot draw whole."""
    fonts = [font_codepoints(family) for family in families]
    found = []
    for key_path, text in strings_in(document.data):
        missing = "".join(dict.fromkeys(c for c in text if needs_glyph(c) and not any(ord(c) in font for font in fonts)))
        if missing:
            found.append((key_path, missing))
    return found


def _wrong_font(misses: list[tuple[tuple[str | int, ...], str]], families: Sequence[str]) -> bool:
    """Return whether ``misses`` say the font does not cover the content's script (not a rare character)."""
    characters = {c for _, chars in misses for c in chars}
    if len(characters) >= WRONG_FONT_CHARACTERS:
        return True
    han = any(0x4E00 <= ord(c) <= 0x9FFF for c in characters)
    return han and not any(ord(COMMON_HAN) in font_codepoints(family) for family in families)


def _wrong_font_problem(families: Families, misses: list[tuple[tuple[str | int, ...], str]]) -> Problem:
    """Return the one problem, at the theme, of a font role that lacks the content's characters."""
    characters = list(dict.fromkeys(c for _, chars in misses for c in chars))
    shown = " ".join(characters[:SHOWN_MISSING]) + (f" and {len(characters) - SHOWN_MISSING:,} more" if len(characters) > SHOWN_MISSING else "")
    file, line, key = families.place
    han = any(unicodedata.name(c, "").startswith("CJK UNIFIED") for c in characters)
    hint = ("name a typeface that covers Traditional Chinese (fc-list :lang=zh-tw family lists those installed)" if han
            else "name a typeface that has these characters, or add one that has them as the Latin face")
    return Problem(file, f"{' or '.join(families)} cannot draw the content's characters: no glyph for {shown}",
                   line, key, hint)
