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

from collections.abc import Iterable
from pathlib import Path

from policybrief.typography.fonts import SUBSET, WEIGHTS, installed
from policybrief.typography.subset import KEEP_FILES, codepoints, prune, subset_file

__all__ = ["KEEP_FILES", "OLD_FONT_FOLDER", "face_rules", "prune", "subset_file"]

OLD_FONT_FOLDER = ".policybrief-fonts"  # where earlier versions kept subsets, next to the outputs


def face_rules(families: Iterable[str], text: str, folder: Path) -> str:
    """Return ``@font-face`` rules for the regular and bold subset of each of ``families``.

    Each subset holds the characters of ``text`` (HTML, entities resolved) and
    printable ASCII; its file is written to ``folder`` unless already there.
    A family that is not installed gets no rule (the build's glyph check names it).
    """
    points = codepoints(text)
    rules = []
    for family in dict.fromkeys(families):
        for weight, fc_weight in WEIGHTS.items():
            face = installed(family, fc_weight)
            # A family without a bold face is left to fontconfig, which emboldens the regular one.
            if face is None or (weight == "bold" and face.weight < WEIGHTS["bold"]):
                continue
            path = subset_file(face, points, folder)
            rules.append(f'@font-face {{ font-family: "{family}{SUBSET}"; font-weight: {weight}; '
                         f'src: url("{path.resolve().as_uri()}"); }}')
    prune(folder)
    return "\n".join(rules)
