"""Installed fonts, as fontconfig resolves them, and how the brief names its font subsets.

Fonts are looked up through libfontconfig (the library Pango itself uses, so
a family found here is the one WeasyPrint draws with). Family names come only
from the theme; nothing here names a font.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

SUBSET = " subset"  # the brief offers "<family> subset" before each installed family (see brief/subset.py)
# Weights the brief's faces come in: CSS keyword → fontconfig weight.
WEIGHTS = {"normal": 80, "bold": 200}


@dataclass(frozen=True)
class Installed:
    """One installed font face, as fontconfig resolves a family and weight."""

    path: str
    index: int
    weight: int


def families_css(names: list[str]) -> Markup:
    """Return a CSS font-family list: each family's subset first, then the installed families.

    Marked safe: the theme allows only letters, digits, spaces and hyphens in font names.
    """
    return Markup(", ".join(f'"{name}"' for name in [*(name + SUBSET for name in names), *names]))


@cache
def installed(family: str, weight: int) -> Installed | None:
    """Return the installed face fontconfig picks for ``family`` at ``weight``, or None if the family is not installed."""
    fc = _fontconfig()
    # In fontconfig's name syntax a hyphen starts a size; the theme allows hyphens in names.
    pattern = fc.FcNameParse(f"{family.replace('-', chr(92) + '-')}:weight={weight}".encode())
    try:
        fc.FcConfigSubstitute(None, pattern, 0)  # FcMatchPattern
        fc.FcDefaultSubstitute(pattern)
        result = ctypes.c_int()
        match = fc.FcFontMatch(None, pattern, ctypes.byref(result))
    finally:
        fc.FcPatternDestroy(pattern)
    if not match:
        return None
    try:
        families = _strings(fc, match, b"family")
        path, index, found_weight = _strings(fc, match, b"file"), ctypes.c_int(), ctypes.c_int()
        fc.FcPatternGetInteger(match, b"index", 0, ctypes.byref(index))
        fc.FcPatternGetInteger(match, b"weight", 0, ctypes.byref(found_weight))
    finally:
        fc.FcPatternDestroy(match)
    if family not in families or not path:
        return None
    return Installed(path[0], index.value, found_weight.value)


def installed_family(family: str) -> bool:
    """Return True when ``family`` is installed (in its regular weight)."""
    return installed(family, WEIGHTS["normal"]) is not None


def _strings(fc, pattern, name: bytes) -> list[str]:
    """Return every string value of property ``name`` of a fontconfig pattern."""
    values, value = [], ctypes.c_char_p()
    while fc.FcPatternGetString(pattern, name, len(values), ctypes.byref(value)) == 0:  # FcResultMatch
        values.append(value.value.decode())
    return values


@cache
def _fontconfig():
    """Return libfontconfig with the few functions used here declared (Pango loads it anyway)."""
    fc = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
    pointer, text = ctypes.c_void_p, ctypes.c_char_p
    for name, result, arguments in (
        ("FcNameParse", pointer, [text]),
        ("FcConfigSubstitute", ctypes.c_int, [pointer, pointer, ctypes.c_int]),
        ("FcDefaultSubstitute", None, [pointer]),
        ("FcFontMatch", pointer, [pointer, pointer, ctypes.POINTER(ctypes.c_int)]),
        ("FcPatternGetString", ctypes.c_int, [pointer, text, ctypes.c_int, ctypes.POINTER(text)]),
        ("FcPatternGetInteger", ctypes.c_int, [pointer, text, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]),
        ("FcPatternDestroy", None, [pointer]),
    ):
        function = getattr(fc, name)
        function.restype, function.argtypes = result, arguments
    return fc
