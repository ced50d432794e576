"""The one text measurer: widths from the real font files, shaped by HarfBuzz.

A ``Measurer`` measures in one typeface pair as both outputs set it: Latin
words in the Latin family, everything else in the East-Asian one, each found
through fontconfig (``fonts.installed``) and shaped with uharfbuzz, so kerning
and ligatures count as they do on the page. Widths are in ems (multiply by
the size); lines are cut by the rules in ``rules``. The slide fitter and the
brief's balanced title lines use it; nothing else estimates a width.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from policybrief.errors import BriefError
from policybrief.typography import phrases, rules
from policybrief.typography.fonts import WEIGHTS, installed


@cache
def _font(family: str, bold: bool):
    """Return the HarfBuzz font of ``family`` (regular or bold) and its units per em, loaded once per process."""
    import uharfbuzz as hb

    found = installed(family, WEIGHTS["bold" if bold else "normal"])
    if found is None:  # the theme's check names the line; this guards direct callers
        raise BriefError(f"the font {family!r} is not installed; install it or name another in theme.yaml.")
    face = hb.Face(hb.Blob.from_file_path(found.path), found.index)
    return hb.Font(face), face.upem


@cache
def measurer(latin: str, east_asian: str, bold: bool = False, latin_scale: float = 1.0) -> Measurer:
    """Return the one Measurer of these typefaces in this process (its caches are then shared by every caller)."""
    return Measurer(latin, east_asian, bold, latin_scale)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: its caches are looked up thousands of times
class Measurer:
    """Measures text set in ``latin`` and ``east_asian`` families (bold or not)."""

    latin: str
    east_asian: str
    bold: bool = False
    latin_scale: float = 1.0  # more than 1: room for a substitute face whose Latin letters run wider

    def width(self, text: str, size: float = 1.0) -> float:
        """Return the advance width of ``text`` at ``size`` (in the unit of ``size``; ems by default)."""
        return self._ems(text) * size

    @lru_cache(maxsize=65536)  # noqa: B019 - measurers live as long as the process, by design
    def _ems(self, text: str) -> float:
        """Return the width of ``text`` in em (remembered: slide fitting asks for the same texts at several sizes)."""
        return sum(self._piece_width(piece) for piece in rules.pieces(text))

    @lru_cache(maxsize=65536)  # noqa: B019 - measurers live as long as the process, by design
    def _piece_width(self, piece: str) -> float:
        """Return the width in em of one piece: a Latin word in the Latin family, the rest in the East-Asian one."""
        import uharfbuzz as hb

        latin = piece[0].isascii()
        font, upem = _font(self.latin if latin else self.east_asian, self.bold)
        buffer = hb.Buffer()
        buffer.add_str(piece)
        buffer.guess_segment_properties()
        hb.shape(font, buffer, {})
        return sum(position.x_advance for position in buffer.glyph_positions) / upem * (self.latin_scale if latin else 1.0)

    def line_height(self) -> float:
        """Return a single-spaced line's height in em: the larger (ascender − descender) of the two families."""
        heights = []
        for family in (self.latin, self.east_asian):
            font, upem = _font(family, self.bold)
            extents = font.get_font_extents("ltr")
            heights.append((extents.ascender - extents.descender) / upem)
        return max(heights)

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Return the lines ``text`` takes in a box ``width`` wide at ``size`` (same unit), breaking only where the rules allow."""
        return list(self._wrapped(text, width / size))

    @lru_cache(maxsize=16384)  # noqa: B019 - measurers live as long as the process, by design
    def _units(self, text: str) -> tuple[tuple[str, float, float], ...]:
        """Return the break units of ``text``, each with its width and its width without trailing spaces (em)."""
        return tuple((unit, self._ems(unit), self._ems(unit.rstrip())) for unit in rules.units(text))

    @lru_cache(maxsize=16384)  # noqa: B019 - measurers live as long as the process, by design
    def _wrapped(self, text: str, width: float) -> tuple[str, ...]:
        """Return the lines of ``text`` in a box ``width`` ems wide.

        A unit wider than the box is split between characters rather than left
        to overflow: the box must hold it even though the break is ugly.
        """
        units = self._units(text)
        if any(stripped > width for _, _, stripped in units):
            units = tuple((unit, self._ems(unit), self._ems(unit.rstrip())) for unit in self.fitting_units(text, width, 1.0))
        lines: list[str] = []
        line, used = "", 0.0
        for unit, full, stripped in units:
            if line and used + stripped > width:
                lines.append(line.rstrip())
                line = unit.lstrip()
                used = full if line == unit else self._ems(line)
            else:
                line += unit
                used += full
        return tuple([*lines, line.rstrip()] if line.strip() or not lines else lines)

    def phrase_wrap(self, text: str, width: float, size: float, terms: frozenset[str] = frozenset(),
                    whole_words: bool = False) -> list[str]:
        """Return the lines ``text`` takes in a box ``width`` wide at ``size``, broken between phrases (``phrases``).

        With ``whole_words`` (titles, headlines) a phrase is broken only when it
        alone is longer than the line; otherwise (body text) also where the
        line would else end more than ``SHORT_LINE`` of the box short.
        """
        return list(self._phrase_wrapped(text, width / size, terms, whole_words))

    @lru_cache(maxsize=16384)  # noqa: B019 - measurers live as long as the process, by design
    def _phrase_wrapped(self, text: str, width: float, terms: frozenset[str], whole_words: bool) -> tuple[str, ...]:
        """Return the lines of ``text`` in a box ``width`` ems wide, broken between phrases where possible."""
        lines: list[str] = []
        line, used = "", 0.0
        for phrase in phrases.phrase_units(text, terms):
            whole = "".join(phrase)
            if used + self._ems(whole.rstrip()) <= width:
                line, used = line + whole, used + self._ems(whole)
                continue
            too_long = self._ems(whole.strip()) > width
            if not too_long and line and (whole_words or used >= width * (1 - SHORT_LINE)):
                lines.append(line.rstrip())
                line, used = whole.lstrip(), self._ems(whole.lstrip())
                continue
            for unit in self.fitting_units(whole, width, 1.0):  # a break inside the phrase: fill the line first
                if line and used + self._ems(unit.rstrip()) > width:
                    lines.append(line.rstrip())
                    line, used = unit.lstrip(), self._ems(unit.lstrip())
                else:
                    line, used = line + unit, used + self._ems(unit)
        return tuple([*lines, line.rstrip()] if line.strip() or not lines else lines)

    def fitting_units(self, text: str, width: float, size: float) -> list[str]:
        """Return the break units of ``text``; a unit wider than ``width`` is cut into the widest runs that fit.

        Inside such a unit, closing punctuation still stays with the character
        before it whenever the two fit together.
        """
        found: list[str] = []
        for unit in rules.units(text):
            if self.width(unit.rstrip(), size) <= width:
                found.append(unit)
                continue
            runs: list[str] = []
            for char in unit:
                if runs and (char in rules.NO_LINE_START or char.isspace()) and self.width(runs[-1] + char, size) <= width:
                    runs[-1] += char
                else:
                    runs.append(char)
            found.extend(runs)
        return found

    def balanced_lines(self, text: str, max_width: float, terms: frozenset[str] = frozenset()) -> list[str]:
        """Return ``text`` in the fewest lines of at most ``max_width`` ems, of near-equal width, broken between
        phrases (``terms`` kept whole) unless a phrase is longer than a line (see ``_balanced``)."""
        return list(self._balanced(text, max_width, terms))

    @lru_cache(maxsize=4096)  # noqa: B019 - measurers live as long as the process, by design
    def _balanced(self, text: str, max_width: float, terms: frozenset[str] = frozenset()) -> tuple[str, ...]:
        """Return ``text`` in the fewest lines of at most ``max_width`` ems, of near-equal width.

        Greedy filling leaves a title's last line with a character or two;
        this picks the breaks instead, preferring phrase boundaries and never
        breaking where the rules forbid.
        """
        count = max(1, math.ceil(self.width(text) / max_width))
        lines = self._split(text, count, max_width, terms)
        while count < len(text) and max(map(self.width, lines)) > max_width:
            count += 1
            lines = self._split(text, count, max_width, terms)
        return tuple(lines)

    def _split(self, text: str, count: int, max_width: float, terms: frozenset[str]) -> list[str]:
        """Return ``text`` cut into ``count`` lines, each break chosen by ``_best_break``."""
        # Measured and segmented once for the whole text; each line's choice reads its part of both.
        prefix, between = self._prefix_widths(text), phrases.boundaries(text, terms)
        lines: list[str] = []
        start = 0
        for left in range(count, 1, -1):
            cut = start + self._best_break(text[start:], [width - prefix[start] for width in prefix[start:]],
                                           (prefix[-1] - prefix[start]) / left, max_width,
                                           {index - start for index in between if index > start})
            lines.append(text[start:cut].strip())
            start = cut
        return [*lines, text[start:].strip()]

    def _best_break(self, text: str, prefix: list[float], target: float, max_width: float, between: set[int]) -> int:
        """Return the index to break ``text`` (``prefix[i]``: the width of ``text[:i]``) at: allowed, near ``target``,
        between phrases (``between``; inside one only when no phrase boundary fits), after a pause or before a
        connective if one is close."""
        allowed = [i for i in range(1, len(text)) if prefix[i] <= max_width and rules.may_break(text, i)]
        if not allowed and prefix[-1] > max_width:
            # A word wider than the line (a 150-letter URL or name): cut it between characters, as wrap() measured it,
            # rather than leave one line running out of its box.
            allowed = [i for i in range(1, len(text)) if self.width(text[:i]) <= max_width and text[i] not in rules.NO_LINE_START]
        if not allowed:
            return len(text)
        return min(allowed, key=lambda i: abs(prefix[i] - target) + (0 if rules.good_break(text, i) else 2.5)
                   + (0 if i in between else INSIDE_PHRASE))

    def _prefix_widths(self, text: str) -> list[float]:
        """Return the width in em of ``text[:i]`` for every ``i``: exact where a piece ends (as ``width`` sums them),
        spread evenly inside a Latin word (where no line breaks by the rules)."""
        widths = [0.0]
        for piece in rules.pieces(text):
            start, whole = widths[-1], self._piece_width(piece)
            widths.extend(start + whole * n / len(piece) for n in range(1, len(piece) + 1))
        return widths


# A body line may end inside a phrase only where it would otherwise end more than this share of the box short.
SHORT_LINE = 0.25
# What a balanced title pays (in ems from its target) for a break inside a phrase: more than any line is wide.
INSIDE_PHRASE = 1000.0

# For text whose font we do not have (a report's own PDF or text export), the
# one estimate: a Latin letter or digit about 0.6 em, anything else 1 em; in a
# plain-text file, a wide (CJK) character takes two columns.
LATIN_EMS = 0.6


def estimated_ems(text: str) -> float:
    """Return about how wide ``text`` is in ems in an unknown font."""
    return sum(LATIN_EMS if char.isascii() else 1.0 for char in text if not char.isspace())


def first_unit_ems(text: str) -> float:
    """Return about how wide the first piece of ``text`` that a line break cannot split is, in ems (unknown font)."""
    found = rules.units(text)
    return estimated_ems(found[0]) if found else 0.0


def columns(text: str) -> int:
    """Return how many columns ``text`` takes in a plain-text file: two for a wide (CJK) character, one for others."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
