"""Where a line of Traditional-Chinese text may break: the one table of line-start and line-end rules.

The classes follow the Requirements for Chinese Text Layout (CLREQ, W3C) and
JIS X 4051 as Taiwanese publishers apply them: closing brackets, pause and
stop marks and the inseparable ellipsis and dash never start a line; opening
brackets never end one. A Latin word or a number (with its sign, decimals and
unit such as ``%``) is one unbreakable piece. Slide fitting, the brief's
balanced titles and the importer all cut text with ``units`` from here.
"""

from __future__ import annotations

import re

OPENING_BRACKETS = "（「『《〈【〔〖［｛“‘([{"
CLOSING_BRACKETS = "）」』》〉】〕〗］｝”’)]}"
PAUSE_AND_STOP = "，。、；：！？,.;:!?"
INSEPARABLE = "…‥—"
# The closing-punctuation set: nothing in it may start a line.
NO_LINE_START = frozenset(CLOSING_BRACKETS + PAUSE_AND_STOP + INSEPARABLE + "%")
NO_LINE_END = frozenset(OPENING_BRACKETS)
# What ends a sentence (and so may end a paragraph): a stop mark, or a closing bracket after one.
SENTENCE_END = "。！？」』）》"
_AFTER_CLAUSE = re.compile("(?<=[。！？；])(?![」』）》])|(?<=[。！？；][」』）》])")
# Good places to end a title line: after a pause or closing bracket, or before a connective.
PHRASE_END = frozenset("」』）》、，：；？！ ")
PHRASE_START = frozenset("對與及暨和之")

# One Latin word or number (letters, digits and what joins them), trailing spaces included; or one other character.
_PIECE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,'’%\-/~]*\s*|\s+|.", re.S)


def pieces(text: str) -> list[str]:
    """Return ``text`` cut into its smallest pieces: Latin words and numbers whole, every other character alone."""
    return _PIECE.findall(text)


def units(text: str) -> list[str]:
    """Return ``text`` cut into the pieces a line break may fall between.

    Closing punctuation is glued to the piece before it and opening
    punctuation to the piece after it, so no unit starts or ends a line wrongly.
    """
    found: list[str] = []
    for piece in pieces(text):
        if found and (piece[0] in NO_LINE_START or found[-1][-1] in NO_LINE_END):
            found[-1] += piece
        else:
            found.append(piece)
    return found


def clauses(text: str) -> list[str]:
    """Return ``text`` cut after each sentence or clause stop (。！？；, with a closing bracket that follows it)."""
    return [piece for piece in _AFTER_CLAUSE.split(text) if piece]


def may_break(text: str, index: int) -> bool:
    """Return True when a line of ``text`` may end before ``text[index]``."""
    before, after = text[index - 1], text[index]
    inside_word = before.isascii() and after.isascii() and not (before.isspace() or after.isspace())
    return after not in NO_LINE_START and before not in NO_LINE_END and not inside_word


def good_break(text: str, index: int) -> bool:
    """Return True when a break before ``text[index]`` falls between phrases."""
    return text[index - 1] in PHRASE_END or text[index] in PHRASE_START
