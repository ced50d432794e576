"""Normalising CJK text: spaces that line breaks or PDF extraction left between Han characters go."""

from __future__ import annotations

import re

# Han ideographs (incl. extensions), CJK symbols and punctuation, kana,
# full-width forms: around these, a space is an artefact, not a word gap.
CJK_CHARS = (
    "\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_CJK = re.compile(f"[{CJK_CHARS}]")
_SPACE_NEAR_CJK = re.compile(f"(?<=[{CJK_CHARS}])[ \t]+|[ \t]+(?=[{CJK_CHARS}])")
_SPACES = re.compile(r"[ \t]+")


def is_cjk(char: str) -> bool:
    """Return True when ``char`` is a CJK character or full-width punctuation."""
    return bool(_CJK.match(char))


def normalise(text: str) -> str:
    """Return ``text`` with spaces next to CJK characters removed and runs of
    spaces folded to one, trimmed.

    PDF extraction puts spaces between Han characters and digits wherever the
    original layout had extra spacing; Chinese text carries no such spaces.
    """
    return _SPACES.sub(" ", _SPACE_NEAR_CJK.sub("", text)).strip()


def join_lines(lines: list[str]) -> str:
    """Return hard-wrapped ``lines`` joined into one paragraph.

    Lines are joined with nothing between CJK characters and with one space
    between Latin words, so that a wrap inside ``Mike / Pompeo`` keeps its gap.
    """
    joined = ""
    for line in (part.strip() for part in lines):
        if not line:
            continue
        if joined and not (is_cjk(joined[-1]) or is_cjk(line[0])):
            joined += " "
        joined += line
    return normalise(joined)
