"""Justified lines of Chinese body text: where each line breaks, and the spacing that makes it full.

Browsers and WeasyPrint justify by stretching spaces, and a Chinese line has
none, so its right edge stays ragged. Here a paragraph is broken into lines
by the rules in ``rules`` and measured in the body font (``measure``); each
line that does not end the paragraph gets the letter-spacing that spreads
its slack evenly over the gaps between its characters (inter-character
justification, as CLREQ describes it). Nothing is inserted into the text.

Han characters and full-width punctuation are exactly 1 em, so on a column
a whole number of ems wide a pure-Chinese line has no slack at all; only
lines holding Latin words or digits, or lines shortened by a rule, are
spread, by a few hundredths of an em per gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from policybrief.typography.measure import Measurer

MIN_LAST_LINE = 2  # characters a paragraph's last line holds at least


@dataclass(frozen=True)
class Line:
    """One line of a paragraph and the spacing (in em) added after each of its characters but the last."""

    text: str
    spacing: float
    final: bool

    @property
    def head(self) -> str:
        """Return the characters that take the spacing: all but the last."""
        return self.text[:-1]

    @property
    def tail(self) -> str:
        """Return the last character, which takes none (the line ends on the measure)."""
        return self.text[-1:]


def justified_lines(measurer: Measurer, text: str, measure: float, indent: float = 0.0) -> list[Line]:
    """Return ``text`` broken into lines ``measure`` ems wide (the first ``indent`` ems shorter), each but the last filled.

    The last line keeps at least two characters: when it would hold one, the
    line before gives up its last break unit.
    """
    lines = _break(measurer, text, measure, indent)
    justified = []
    for number, line in enumerate(lines):
        final = number == len(lines) - 1
        width = measure - (indent if number == 0 else 0.0)
        gaps = len(line) - 1
        slack = width - measurer.width(line)
        justified.append(Line(line, 0.0 if final or gaps < 1 or slack <= 0 else slack / gaps, final))
    return justified


def _break(measurer: Measurer, text: str, measure: float, indent: float) -> list[str]:
    """Return the lines of ``text``: filled greedily unit by unit, then the last line made at least two characters long."""
    lines: list[list[str]] = [[]]
    used = 0.0
    for unit in measurer.fitting_units(text, measure - indent, 1.0):
        width = measure - (indent if len(lines) == 1 else 0.0)
        if lines[-1] and used + measurer.width(unit.rstrip()) > width:
            lines.append([unit.lstrip()])
            used = measurer.width(unit.lstrip())
        else:
            lines[-1].append(unit)
            used += measurer.width(unit)
    if len(lines) > 1 and len("".join(lines[-1]).strip()) < MIN_LAST_LINE and len(lines[-2]) > 1:
        lines[-1].insert(0, lines[-2].pop())
    return ["".join(line).strip() for line in lines if "".join(line).strip()]
