"""The brief's fonts, cut down to the characters of one brief before WeasyPrint sees them.

WeasyPrint subsets every font it embeds, but keeps each glyph's number, so
an embedded Noto CJK face still carries an entry for every glyph up to the
highest one used: 200–340 KB of PDF and about 0.05 s of writing per face,
for a brief that draws a few hundred characters. Subsetting first, with
HarfBuzz's own subsetter (uharfbuzz, about 15 ms a face), to the characters
the brief's HTML holds gives fonts of a few hundred glyphs that WeasyPrint
then embeds at a fraction of the size and time.

The subsets are offered to WeasyPrint as ``@font-face`` families named
``"<family> subset"``, listed before the installed family itself; a
character a subset lacks (one a stylesheet generates by escape, say) is drawn
from the installed font, so the subset can make a PDF smaller but never
wrong. Subset files are kept, by a key of font file, face and characters,
in the user's cache folder (``output.cache_folder("fonts")``), shared by
every output folder and every build: a second build, into any folder, cuts
nothing. Concurrent builds are safe: a subset is written to a file of its own
and renamed into place, so a reader sees a whole file or none, and pruning
never removes a file used in the last hour. Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import html
import os
from collections.abc import Iterable
from pathlib import Path

from policybrief.output import write_atomic
from policybrief.typography.fonts import SUBSET, WEIGHTS, Installed, installed

OLD_FONT_FOLDER = ".policybrief-fonts"  # where earlier versions kept subsets, next to the outputs
KEEP_FILES = 256  # subsets kept in the cache (a few MB); the least recently used are removed beyond that
KEEP_SECONDS = 3600  # a subset used this recently is never removed: another build may be about to read it
# OpenType features a horizontal zh-TW or Latin line may use; not the vertical
# ones (their alternates would double the glyphs kept). ``locl`` must stay:
# without it Noto CJK's Latin letters shift by a fraction of a point (the pages
# are compared pixel for pixel with the installed fonts in tests/test_fonts.py).
FEATURES = ("ccmp", "locl", "kern", "liga", "clig", "calt", "rlig", "mark", "mkmk",
            "palt", "pwid", "halt", "fwid", "hwid", "pnum", "tnum", "lnum", "onum", "frac", "sups", "subs")
_ASCII = "".join(chr(code) for code in range(0x20, 0x7F))


def face_rules(families: Iterable[str], text: str, folder: Path) -> str:
    """Return ``@font-face`` rules for the regular and bold subset of each of ``families``.

    Each subset holds the characters of ``text`` (HTML, entities resolved) and
    printable ASCII; its file is written to ``folder`` unless already there.
    A family that is not installed gets no rule (the build's glyph check names it).
    """
    codepoints = sorted({ord(char) for char in html.unescape(text) + _ASCII if char.isprintable()})
    rules = []
    for family in dict.fromkeys(families):
        for weight, fc_weight in WEIGHTS.items():
            face = installed(family, fc_weight)
            # A family without a bold face is left to fontconfig, which emboldens the regular one.
            if face is None or (weight == "bold" and face.weight < WEIGHTS["bold"]):
                continue
            path = subset_file(face, codepoints, folder)
            rules.append(f'@font-face {{ font-family: "{family}{SUBSET}"; font-weight: {weight}; '
                         f'src: url("{path.resolve().as_uri()}"); }}')
    prune(folder)
    return "\n".join(rules)


def subset_file(face: Installed, codepoints: list[int], folder: Path) -> Path:
    """Return the file holding ``face`` cut down to ``codepoints``, made now if not already in ``folder``."""
    import uharfbuzz

    stat = os.stat(face.path)
    key = hashlib.sha256(repr((face.path, face.index, stat.st_mtime_ns, stat.st_size, FEATURES,
                               uharfbuzz.__version__, codepoints)).encode()).hexdigest()[:32]
    path = folder / f"{key}.otf"
    if path.is_file():
        os.utime(path)  # recently used: kept by prune()
        return path
    write_atomic(path, _subset(face, codepoints))
    return path


def _subset(face: Installed, codepoints: list[int]) -> bytes:
    """Return the font program of ``face`` holding only ``codepoints`` and what shaping them needs."""
    import uharfbuzz as hb

    request = hb.SubsetInput()
    for code in codepoints:
        request.unicode_set.add(code)
    features = request.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG)
    features.clear()
    for tag in FEATURES:
        features.add(int.from_bytes(tag.encode(), "big"))
    return hb.subset(hb.Face(hb.Blob.from_file_path(face.path), face.index), request).blob.data


def prune(folder: Path, keep: int = KEEP_FILES, recent: float = KEEP_SECONDS) -> None:
    """Remove all but the ``keep`` most recently used subset files in ``folder``, none used in the last ``recent`` seconds."""
    import time

    from policybrief.output import remove_stale_parts

    remove_stale_parts(folder)
    used = []
    for path in folder.glob("*.otf"):
        try:
            used.append((path.stat().st_mtime, path))
        except FileNotFoundError:  # removed by a concurrent build's prune
            pass
    used.sort(reverse=True)
    since = time.time() - recent
    for mtime, old in used[keep:]:
        if mtime < since:
            old.unlink(missing_ok=True)


