"""Where a line of Traditional-Chinese text may break: the one table of line-start and line-end rules.

The classes follow the Requirements for Chinese Text Layout (CLREQ, W3C) and
JIS X 4051 as Taiwanese publishers apply them: closing brackets, pause and
stop marks and the inseparable ellipsis and dash never start a line; opening
brackets never end one. A Latin word or a number (with its sign, decimals and
unit such as ``%``) is one unbreakable piece. Slide fitting, the brief's
balanced titles and the importer all cut text with ``units`` from here.

It also says which stretches of a Chinese text are Latin-script phrases
(``latin_phrases``): what a screen reader must read in English and the brief's
justifier keeps on one line.
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

# Consecutive punctuation is set tighter, as Taiwanese typesetters do (CLREQ
# 3.1.6): a closing bracket before other punctuation, and an opening bracket
# after it, take half an em (the font's ``halt`` form), so 」，「 is 2 ems, not 3.
# Stops and pauses stay full: in zh-TW they sit in the middle of their em.
HALF_CLOSING = frozenset("」』）》〉】〕〗］｝")
HALF_OPENING = frozenset("「『（《〈【〔〖［｛")
FULL_WIDTH_PUNCTUATION = HALF_CLOSING | HALF_OPENING | frozenset("，。、；：！？")

# Units of measure and counters that stay on the line of the number before them
# (5~6億, 2018年, 10月, 7日, 28國, 15%): a break between them would split one quantity.
NUMBER_UNITS = frozenset("年月日時分秒億萬千百兆元倍%％國項個名人次件歲層度週天")

# One Latin word or number (letters, digits and what joins them), trailing spaces included; or one other character.
_PIECE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,'’%\-/~^]*\s*|\s+|.", re.S)


# A Latin-script phrase: words of Latin letters (digits, apostrophes and
# hyphens inside them, as in G20, Asia’s, Kim-Trump, U.S.), with the spaces,
# punctuation and numbers between such words, holding two letters at least;
# or a web address. A single letter (A) or a number alone (2018年, 25%) is not
# one: Chinese readers say those in Chinese.
LATIN_LANG = "en"  # the language a Latin phrase is read in
_ADDRESS = r"(?:https?://|www\.)[!-~]*[A-Za-z0-9/]"
_WORD = r"[A-Za-z][A-Za-z0-9]*(?:[-'’.][A-Za-z0-9]+)*"
_BETWEEN = r"(?:[ ,.&/:;\-–]+(?:[0-9]+[ ,.&/:;\-–]+)*)"
_LATIN = re.compile(rf"{_ADDRESS}|{_WORD}(?:{_BETWEEN}{_WORD})*\.?")


def latin_phrases(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of every Latin-script phrase and web address in ``text``, in order."""
    return [match.span() for match in _LATIN.finditer(text) if _letters(match[0]) >= 2]


def _letters(text: str) -> int:
    """Return how many Latin letters ``text`` holds."""
    return sum(1 for char in text if char.isascii() and char.isalpha())


def pieces(text: str) -> list[str]:
    """Return ``text`` cut into its smallest pieces: Latin words and numbers whole, every other character alone."""
    return _PIECE.findall(text)


def units(text: str) -> list[str]:
    """Return ``text`` cut into the pieces a line break may fall between.

    Closing punctuation is glued to the piece before it, opening punctuation
    to the piece after it, and a unit of measure to the number before it, so
    no unit starts or ends a line wrongly or splits a quantity.
    """
    found: list[str] = []
    for piece in pieces(text):
        if found and (piece[0] in NO_LINE_START or found[-1][-1] in NO_LINE_END or _is_quantity(found[-1], piece)):
            found[-1] += piece
        else:
            found.append(piece)
    return found


def clauses(text: str) -> list[str]:
    """Return ``text`` cut after each sentence or clause stop (。！？；, with a closing bracket that follows it)."""
    return [piece for piece in _AFTER_CLAUSE.split(text) if piece]


def compressed(text: str) -> set[int]:
    """Return the positions in ``text`` of the brackets set half width: those next to other full-width punctuation."""
    found = set()
    for index in range(len(text) - 1):
        before, after = text[index], text[index + 1]
        if before in HALF_CLOSING and after in FULL_WIDTH_PUNCTUATION:
            found.add(index)
        if after in HALF_OPENING and before in FULL_WIDTH_PUNCTUATION:
            found.add(index + 1)
    return found


def _is_quantity(before: str, piece: str) -> bool:
    """Return True when ``piece`` is a unit of measure following a number that ends ``before`` (2018 + 年)."""
    return piece in NUMBER_UNITS and before[-1:].isdigit()


def may_break(text: str, index: int) -> bool:
    """Return True when a line of ``text`` may end before ``text[index]``."""
    before, after = text[index - 1], text[index]
    inside_word = before.isascii() and after.isascii() and not (before.isspace() or after.isspace())
    quantity = before.isdigit() and after in NUMBER_UNITS
    return after not in NO_LINE_START and before not in NO_LINE_END and not inside_word and not quantity


def good_break(text: str, index: int) -> bool:
    """Return True when a break before ``text[index]`` falls between phrases."""
    return text[index - 1] in PHRASE_END or text[index] in PHRASE_START
