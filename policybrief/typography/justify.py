"""Justified lines of Chinese body text: where each line breaks, and the spacing that makes it full.

Browsers and WeasyPrint justify by stretching spaces, and a Chinese line has
none, so its right edge stays ragged. Here a paragraph is broken into lines
by the rules in ``rules`` and measured in the body font (``measure``); each
line that does not end the paragraph gets the letter-spacing that spreads
its slack evenly over the gaps between its characters (inter-character
justification, as CLREQ describes it). Nothing is inserted into the text.

Han characters and full-width punctuation are exactly 1 em, so on a column
a whole number of ems wide a pure-Chinese line has no slack at all; only
lines holding Latin words, digits or compressed brackets, or lines shortened
by a rule, are spread, by a few hundredths of an em per gap.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from policybrief.typography import rules
from policybrief.typography.measure import Measurer

MIN_LAST_LINE = 2  # characters (punctuation not counted) a paragraph's last line holds at least
HALF = 0.5  # the width of a compressed bracket, in em
LOOSE = 0.05  # em per gap: a line spread more than this would rather take the next unit…
TIGHT = 0.03  # …if that tightens it by no more than this per gap
PHRASE_LOOSE = 0.08  # em per gap: a Latin phrase moves whole to the next line unless that spreads this one more (from 0.1 em extractors read spaces)


@dataclass(frozen=True)
class Line:
    """One line of a paragraph: its text, the spacing (in em) after each character but the last, and its half-width brackets."""

    text: str
    spacing: float
    final: bool
    halves: frozenset[int] = frozenset()  # positions in ``text`` set half width (rules.compressed)
    space_after: bool = False  # the source has a space where this line ends (between two Latin words)
    latin: tuple[tuple[int, int], ...] = ()  # (start, end) in ``text`` of its Latin phrases (rules.latin_phrases)

    @property
    def head(self) -> str:
        """Return the characters that take the spacing: all but the last."""
        return self.text[:-1]

    @property
    def tail(self) -> str:
        """Return the last character, which takes none (the line ends on the measure)."""
        return self.text[-1:]

    def runs(self, part: str = "line") -> list[tuple[str, bool]]:
        """Return ``part`` (``head``, ``tail`` or the whole ``line``) as runs of (text, set half width)."""
        return Phrase(self.text, None, self.halves, True).runs(part)

    def phrases(self) -> list[Phrase]:
        """Return the line cut into its Latin phrases (``lang`` ``rules.LATIN_LANG``) and the text between them (``lang`` None)."""
        cuts = sorted({0, len(self.text), *(edge for span in self.latin for edge in span)})
        latin = set(self.latin)
        return [Phrase(self.text[start:end], rules.LATIN_LANG if (start, end) in latin else None,
                       frozenset(i - start for i in self.halves if start <= i < end), end == len(self.text))
                for start, end in zip(cuts, cuts[1:], strict=False)]


@dataclass(frozen=True)
class Phrase:
    """A stretch of one line in one language, with its half-width brackets; the last of a line holds its last character."""

    text: str
    lang: str | None
    halves: frozenset[int]
    last: bool

    @property
    def head(self) -> str:
        """Return the characters that take the line's spacing: all but the line's last character."""
        return self.text[:-1] if self.last else self.text

    @property
    def tail(self) -> str:
        """Return the line's last character if this phrase holds it, else nothing."""
        return self.text[-1:] if self.last else ""

    def runs(self, part: str = "line") -> list[tuple[str, bool]]:
        """Return ``part`` (``head``, ``tail`` or the whole ``line``) as runs of (text, set half width)."""
        start, end = {"head": (0, len(self.head)), "tail": (len(self.head), len(self.text))}.get(part, (0, len(self.text)))
        found: list[tuple[str, bool]] = []
        for index in range(start, end):
            half = index in self.halves
            if found and found[-1][1] == half:
                found[-1] = (found[-1][0] + self.text[index], half)
            else:
                found.append((self.text[index], half))
        return found


def justified_lines(measurer: Measurer, text: str, measure: float, indent: float = 0.0) -> list[Line]:
    """Return ``text`` broken into lines ``measure`` ems wide (the first ``indent`` ems shorter), each but the last filled.

    Brackets next to other punctuation are set half width (``rules.compressed``),
    except an opening bracket that starts a line. The last line keeps at
    least two characters besides punctuation (never a lone 喜。): when it
    would hold fewer, the line before gives up its last break unit. A line that holds more than the measure after all
    (a compressed bracket moved to a line start) is tightened by the same
    small amount per gap.
    """
    halves = rules.compressed(text)
    phrases = rules.latin_phrases(text)
    spans = _break(measurer, text, halves, measure, indent, phrases)
    justified = []
    for number, (start, end) in enumerate(spans):
        line = text[start:end]
        kept = frozenset(i - start for i in halves if start <= i < end and not (i == start and line[0] in rules.HALF_OPENING))
        final = number == len(spans) - 1
        width = measure - (indent if number == 0 else 0.0)
        slack = width - (measurer.width(line) - HALF * len(kept))
        gaps = len(line) - 1
        spacing = 0.0 if gaps < 1 or (final and slack >= 0) else slack / gaps
        latin = tuple((max(a, start) - start, min(b, end) - start) for a, b in phrases if a < end and b > start)
        justified.append(Line(line, spacing, final, kept, end < len(text) and text[end].isspace(), latin))
    return justified


def _break(measurer: Measurer, text: str, halves: set[int], measure: float, indent: float,
           phrases: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the (start, end) of each line of ``text``: filled greedily unit by unit, then the last line made at least two characters long.

    A Latin phrase is one unit; it is cut between its words only when moving
    it whole to the next line would spread this one by more than ``PHRASE_LOOSE``.
    """
    lines: list[list[tuple[int, int]]] = [[]]
    used, position = 0.0, 0
    queue = deque(_units(measurer, text, measure - indent, phrases))
    while queue:
        parts = queue.popleft()
        span = (position, position + sum(map(len, parts)))
        width = measure - (indent if len(lines) == 1 else 0.0)
        if lines[-1] and used + _width(measurer, text, halves, span, strip=True) > width and not _squeeze(
                measurer, text, halves, lines[-1][0][0], span, width):
            if len(parts) > 1 and _spread(measurer, text, halves, (lines[-1][0][0], span[0]), width) > PHRASE_LOOSE:
                queue.extendleft([part] for part in reversed(parts))
                continue
            lines.append([span])
            used = _width(measurer, text, halves, span, strip=True)
        else:
            lines[-1].append(span)
            used += _width(measurer, text, halves, span)
        position = span[1]
    while len(lines) > 1 and _letters(text[lines[-1][0][0]:]) < MIN_LAST_LINE and len(lines[-2]) > 1:
        lines[-1].insert(0, lines[-2].pop())
    return [_stripped(text, line[0][0], line[-1][1]) for line in lines if line and text[line[0][0]:line[-1][1]].strip()]


def _units(measurer: Measurer, text: str, width: float, phrases: list[tuple[int, int]]) -> list[list[str]]:
    """Return the break units of ``text`` for lines ``width`` ems wide, each as the smaller units it may be cut into.

    A Latin phrase that fits on a line is one unit made of its words (a name
    or a term cut between its words, Shanghai Cooperation / Organization, reads
    badly); every other unit is whole.
    """
    inside = {index for start, end in phrases if measurer.width(text[start:end]) <= width for index in range(start + 1, end)}
    found: list[list[str]] = []
    position = 0
    for unit in measurer.fitting_units(text, width, 1.0):
        if found and position in inside:
            found[-1].append(unit)
        else:
            found.append([unit])
        position += len(unit)
    return found


def _letters(text: str) -> int:
    """Return how many characters of ``text`` are neither spaces nor punctuation (喜。 counts one)."""
    return sum(1 for char in text if not char.isspace() and char not in rules.NO_LINE_START and char not in rules.NO_LINE_END)


def _squeeze(measurer: Measurer, text: str, halves: set[int], start: int, span: tuple[int, int], width: float) -> bool:
    """Return True when the unit ``span`` should still join the line from ``start``, set a little tighter.

    That is when leaving it for the next line would spread this one loosely
    (a long Latin word pushed down leaves ems of slack) while taking it
    overflows by only a few hundredths of an em per gap.
    """
    loose = _spread(measurer, text, halves, (start, span[0]), width)
    taken = _stripped(text, start, span[1])
    tight = (_width(measurer, text, halves, taken) - width) / max(taken[1] - taken[0] - 1, 1)
    return loose > LOOSE and tight <= TIGHT


def _spread(measurer: Measurer, text: str, halves: set[int], span: tuple[int, int], width: float) -> float:
    """Return the spacing in em per gap that fills a line ``width`` ems wide holding ``text[span]`` (spaces around left out)."""
    start, end = _stripped(text, *span)
    return (width - _width(measurer, text, halves, (start, end))) / max(end - start - 1, 1)


def _width(measurer: Measurer, text: str, halves: set[int], span: tuple[int, int], strip: bool = False) -> float:
    """Return the width in em of ``text[span]`` (surrounding spaces left out when ``strip``), compressed brackets counted half."""
    start, end = _stripped(text, *span) if strip else span
    return measurer.width(text[start:end]) - HALF * sum(1 for i in halves if start <= i < end)


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """Return ``start`` and ``end`` moved inward past whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
