"""Installed fonts cut down to the characters of one text, kept in a folder between builds.

HarfBuzz's own subsetter (uharfbuzz, about 15 ms a face) cuts a Noto CJK face
to the few hundred characters a brief uses. The brief (brief/subset.py)
hands the cut fonts to WeasyPrint; the web edition (web/) inlines them. Cut
files are kept, by a key of font file and characters, in a folder next to the
outputs, so a rebuild after a stylesheet edit reuses them.

Each cut font is then finished once, before it is kept (``cff.finish``):
its glyphs renumbered so that every PDF reader draws them, and the brackets
set half width given glyphs of their own.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import unicodedata
from pathlib import Path

from policybrief.output import write_atomic
from policybrief.typography import cff
from policybrief.typography.fonts import Installed

KEEP_FILES = 256  # subsets kept in the cache (a few MB); the least recently used are removed beyond that
KEEP_SECONDS = 3600  # a subset used this recently is never removed: another build may be about to read it
# OpenType features a horizontal zh-TW or Latin line may use; not the vertical
# ones (their alternates would double the glyphs kept). ``locl`` must stay:
# without it Noto CJK's Latin letters shift by a fraction of a point (the pages
# are compared pixel for pixel with the installed fonts in tests/test_fonts.py).
FEATURES = ("ccmp", "locl", "kern", "liga", "clig", "calt", "rlig", "mark", "mkmk",
            "palt", "pwid", "halt", "fwid", "hwid", "pnum", "tnum", "lnum", "onum", "frac", "sups", "subs")
_ASCII = "".join(chr(code) for code in range(0x20, 0x7F))
SUFFIXES = {"opentype": ".otf", "woff": ".woff"}


def codepoints(text: str) -> list[int]:
    """Return the sorted code points of ``text`` (HTML entities resolved) and of printable ASCII."""
    return sorted({ord(char) for char in html.unescape(text) + _ASCII if _drawn(char)})


def _drawn(char: str) -> bool:
    """Return True for a character the page may draw: a printable one or a space of any width.

    ``isprintable`` is False for the ideographic space U+3000 (the 序's 「…　謹誌」):
    left out of the subset, it was drawn from the installed face, whose space
    glyph then carried U+3000 into the text every ASCII space copies as.
    """
    return char.isprintable() or unicodedata.category(char) == "Zs"


def subset_file(face: Installed, points: list[int], folder: Path, flavor: str = "opentype") -> Path:
    """Return the file holding ``face`` cut down to ``points``, made now if not already in ``folder``.

    ``flavor`` "woff" wraps the cut font in zlib-compressed WOFF 1 (about 15 %
    smaller, 0.05–0.1 s a face); WOFF 2 would save more but takes seconds.
    """
    import fontTools
    import uharfbuzz

    stat = os.stat(face.path)
    # How it is cut and finished is part of the key: a subset kept by an earlier version (one
    # whose CIDs Ghostscript misreads, say) is never reused; pruning removes it in time.
    key = hashlib.sha256(repr((face.path, face.index, stat.st_mtime_ns, stat.st_size, FEATURES, "desubroutinized", cff.VERSION,
                               uharfbuzz.__version__, fontTools.version, points)).encode()).hexdigest()[:32]
    path = folder / f"{key}{SUFFIXES[flavor]}"
    if path.is_file():
        os.utime(path)  # recently used: kept by prune()
        return path
    data = _subset(face, points)
    write_atomic(path, _woff(data) if flavor == "woff" else data)
    return path


def _subset(face: Installed, points: list[int]) -> bytes:
    """Return the font program of ``face`` holding only ``points`` and what shaping them needs, finished (``cff.finish``)."""
    return cff.finish(_cut(face, points))


def _cut(face: Installed, points: list[int]) -> bytes:
    """Return the font program of ``face`` holding only ``points`` and what shaping them needs, as HarfBuzz cuts it."""
    import uharfbuzz as hb

    request = hb.SubsetInput()
    for code in points:
        request.unicode_set.add(code)
    features = request.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG)
    features.clear()
    for tag in FEATURES:
        features.add(int.from_bytes(tag.encode(), "big"))
    # Without subroutines the cut is smaller and ``cff.finish`` reads and writes it in about a third of
    # the time; the PDF does not change (WeasyPrint removes them when it embeds a font).
    request.flags = hb.SubsetFlags.DESUBROUTINIZE
    return hb.subset(hb.Face(hb.Blob.from_file_path(face.path), face.index), request).blob.data


def _woff(data: bytes) -> bytes:
    """Return the OpenType font ``data`` as WOFF 1."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def prune(folder: Path, keep: int = KEEP_FILES, recent: float = KEEP_SECONDS) -> None:
    """Remove all but the ``keep`` most recently used subset files in ``folder``, none used in the last ``recent`` seconds."""
    import time

    from policybrief.output import remove_stale_parts

    remove_stale_parts(folder)
    used = []
    for path in (path for suffix in SUFFIXES.values() for path in folder.glob(f"*{suffix}")):
        try:
            used.append((path.stat().st_mtime, path))
        except FileNotFoundError:  # removed by a concurrent build's prune
            pass
    used.sort(reverse=True)
    since = time.time() - recent
    for mtime, old in used[keep:]:
        if mtime < since:
            old.unlink(missing_ok=True)
