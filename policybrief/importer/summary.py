"""Parse a report's 提要 (sections → topics → points) from extracted text lines.

Extracted text follows a few conventions that this parser relies on (the PDF
reader in ``pdftext`` produces the same ones):

* a line that ends a paragraph ends with a space; a hard-wrapped line does not;
* a point's headline starts with a space (its bullet glyph was lost) or with a
  bullet glyph;
* page furniture (blank lines, page numbers, ``X``, the running title) sits
  between lines, even in the middle of a paragraph.

Every character of the 提要 ends up in a field, or the parser raises a
ContentError naming the line it could not place. Uncertain decisions become
warnings carrying the source line number.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from policybrief.errors import ContentError
from policybrief.load.schema import MAX_POINTS, MAX_SECTIONS, MAX_TOPICS
from policybrief.typography.measure import columns, first_unit_ems
from policybrief.typography.numbering import section_numeral, topic_numeral
from policybrief.typography.rules import SENTENCE_END
from policybrief.typography.text import join_lines

SECTION_LABEL = re.compile(r"^([壹貳參肆伍陸柒捌玖拾佰仟零]+)、\s*")
TOPIC_LABEL = re.compile(r"^([一二三四五六七八九十百千零]+)、\s*")
# Bullet glyphs a headline may keep; private-use characters and unmapped glyphs
# (pdfminer's ``(cid:N)``) are Wingdings-style bullets.
BULLET = re.compile(r"^(?:[●■◆▪•·◎○□◇►▶✓\ue000-\uf8ff]|\(cid:\d+\))\s*")
FURNITURE = re.compile(r"^(?:\d{1,3}|[ivxlcIVXLC]{1,6}|[-–—]\s*\d{1,3}\s*[-–—])?$")
# A headline numbered by hand (1. 1、 (1) （1）): in typed text only, where a wrapped line never starts with one.
NUMBERED = re.compile(r"^\s*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）])\s*")
# What follows the 提要 and never belongs to it: the series list (【…系列】, No. NNNNNN …) and the sources.
AFTER_SUMMARY = re.compile(r"^(?:【.+】|No\.\s*\d{5,7}\b|參考資料$|參考文獻$)")


@dataclass(frozen=True)
class SourceLine:
    """One line of the source text, with its 1-based line number."""

    number: int
    raw: str

    @property
    def text(self) -> str:
        """Return the line without surrounding whitespace."""
        return self.raw.strip()

    @property
    def indented(self) -> bool:
        """Return True when the line starts with whitespace or a bullet glyph (a headline's mark)."""
        return self.raw[:1].isspace() or bool(BULLET.match(self.text))

    @property
    def ends_paragraph(self) -> bool:
        """Return True when the line ends with whitespace: the paragraph is over."""
        return self.raw != self.raw.rstrip()

    @property
    def continues(self) -> bool:
        """Return True when the paragraph certainly goes on (no final space, no sentence end)."""
        return not self.ends_paragraph and self.text[-1:] not in SENTENCE_END

    @property
    def ends_in_latin(self) -> bool:
        """Return True when a final space follows a Latin letter or digit (a word gap, perhaps)."""
        return self.ends_paragraph and self.text[-1:].isascii() and self.text[-1:].isalnum()


def mark_paragraph_ends(lines: list[SourceLine]) -> list[SourceLine]:
    """Return ``lines`` with a final space on each line that is shorter than a full line.

    For texts whose final spaces were trimmed (by an editor, say). The full
    width is the usual one of the 提要 (up to the body's first 壹、); whether a
    line goes on is decided by ``_ends_paragraph``.
    """
    starts = [i for i, line in enumerate(lines) if line.text.startswith("壹、")]
    sample = lines[: starts[1]] if len(starts) > 1 else lines
    widths = Counter(columns(line.text) for line in sample if columns(line.text) > 20)
    if not widths:
        return lines
    full = widths.most_common(1)[0][0]
    texts = [line for line in lines if line.text]
    ends = {line.number for line, after in zip(texts, [*texts[1:], None], strict=True) if _ends_paragraph(line, after, full)}
    return [SourceLine(line.number, line.raw + " " if line.number in ends else line.raw) for line in lines]


def _ends_paragraph(line: SourceLine, after: SourceLine | None, full: int) -> bool:
    """Return True when ``line`` (whose final space was trimmed) most likely ends its paragraph.

    A numbered heading goes on only when the next line is not a headline or
    heading; an indented headline only when it is full; a body line when the
    next line's first word would not have fitted after it.
    """
    labelled = bool(SECTION_LABEL.match(line.text) or TOPIC_LABEL.match(line.text))
    if labelled or after is None:
        return after is None or after.indented or bool(SECTION_LABEL.match(after.text) or TOPIC_LABEL.match(after.text))
    if line.indented:
        return columns(line.raw) < full
    return full - columns(line.raw) > 2 * (first_unit_ems(after.text) + 0.5)


def listed_headings(lines: list[SourceLine]) -> frozenset[str]:
    """Return the section and topic headings a contents list (目次) in ``lines`` names, without numeral and page number."""
    found = set()
    for line in lines:
        match = SECTION_LABEL.match(line.text) or TOPIC_LABEL.match(line.text)
        if match:
            found.add(re.sub(r"[\s.…·]*\d{1,3}$", "", line.text[match.end():]).strip())
    return frozenset(found)


def is_typed(lines: list[SourceLine]) -> bool:
    """Return whether ``lines`` were typed by hand rather than extracted from a PDF.

    Extracted text ends each paragraph with a space and puts a blank line after
    almost every line (page furniture); typed text has neither: its paragraphs
    end at a blank line or where a heading or headline follows.
    """
    texts = [i for i, line in enumerate(lines) if line.text]
    if not texts or any(lines[i].ends_paragraph for i in texts):
        return False
    followed_by_blank = sum(1 for i in texts if i + 1 < len(lines) and not lines[i + 1].text)
    return followed_by_blank < 0.6 * len(texts)


def mark_typed_paragraph_ends(lines: list[SourceLine]) -> list[SourceLine]:
    """Return typed ``lines`` in the extracted convention the parser reads.

    A paragraph ends at a blank line, at the end of a heading (壹、 一、) or a
    headline (● ■ • or numbered 1. (1)), and before one. Numbered headlines get
    a bullet; where headlines are marked so, other lines lose their indentation
    (a typed body paragraph is often indented, which in extracted text marks a headline).
    """
    marked = [SourceLine(line.number, "● " + NUMBERED.sub("", line.raw, count=1)) if NUMBERED.match(line.raw) else line
              for line in lines]
    if any(BULLET.match(line.text) for line in marked):
        marked = [line if BULLET.match(line.text) else SourceLine(line.number, line.raw.lstrip(" \t\u3000")) for line in marked]
    result = []
    for index, line in enumerate(marked):
        after = next((other for other in marked[index + 1:] if other.text), None)
        blank_after = index + 1 < len(marked) and not marked[index + 1].text
        ends = (not line.text or blank_after or after is None or _starts_block(line) or _starts_block(after))
        result.append(SourceLine(line.number, line.raw.rstrip() + " " if ends and line.text else line.raw))
    return result


def _starts_block(line: SourceLine) -> bool:
    """Return whether ``line`` is a heading, a marked headline or what follows the 提要 (typed text)."""
    text = line.text
    return bool(SECTION_LABEL.match(text) or TOPIC_LABEL.match(text) or BULLET.match(text) or AFTER_SUMMARY.match(text)
                or text in ("序", "提要"))


@dataclass
class Field:
    """The text of one output field as it is gathered: paragraphs of lines."""

    kind: str
    paragraphs: list[list[str]] = field(default_factory=lambda: [[]])

    def add(self, text: str) -> None:
        """Append ``text`` to the current paragraph."""
        self.paragraphs[-1].append(text)

    def value(self) -> str:
        """Return the field's text: wrapped lines joined, paragraphs separated by a blank line."""
        return "\n\n".join(join_lines(lines) for lines in self.paragraphs if lines)


@dataclass
class Summary:
    """The parsed 提要 and what the parser was unsure about."""

    sections: list[dict]
    warnings: list[tuple[int, str]]


class SummaryParser:
    """Reads the 提要's lines one by one into sections, topics and points."""

    def __init__(self, name: str, furniture: set[str], headings: frozenset[str] = frozenset()) -> None:
        self.name = name
        self.furniture = furniture
        self.headings = headings  # the headings the contents (目次) lists, whole: a wrapped one is joined again
        self.sections: list[dict] = []
        self.warnings: list[tuple[int, str]] = []
        self.current: Field | None = None
        self.previous: SourceLine | None = None
        self.fields: list[tuple[dict, str, Field]] = []

    def parse(self, lines: list[SourceLine]) -> Summary:
        """Return the 提要 read from ``lines`` (which start after the line 提要)."""
        for line in lines:
            if self.is_furniture(line):
                continue
            if AFTER_SUMMARY.match(line.text):
                break  # the series list or the sources: never part of the last body, however it ended
            carry_on = self.paragraph_open(line)
            if not carry_on and self.ends_summary(line):
                break
            self.place(line, carry_on)
            self.previous = line
        if not self.sections:
            where = lines[0].number if lines else 1
            raise ContentError([f"{self.name}:{where}: the 提要 holds no section (壹、…); check that this is a report of the series."])
        self.check_complete()
        for owner, key, gathered in self.fields:
            owner[key] = gathered.value()
        return Summary(self.sections, self.warnings)

    def is_furniture(self, line: SourceLine) -> bool:
        """Return True for page furniture: blank lines, page numbers, the running title."""
        return bool(FURNITURE.match(line.text)) or line.text.replace(" ", "") in self.furniture

    def ends_summary(self, line: SourceLine) -> bool:
        """Return True at the body's first section (numbering restarts at 壹) or the series list."""
        match = SECTION_LABEL.match(line.text)
        return line.text.startswith("【") or bool(match and self.sections and match[1] == "壹")

    def paragraph_open(self, line: SourceLine) -> bool:
        """Return True when ``line`` continues the field being gathered (warn when unsure)."""
        previous = self.previous
        if previous is None or self.current is None:
            return False
        if not self.current.paragraphs[-1]:
            return True  # a numeral or bullet alone on its line: the text follows
        if self.wraps_a_listed_heading(line):
            return True
        if previous.continues:
            if self.has_label(line):
                self.warn(line, "looks like a heading but the line above is unfinished; read as its continuation")
            return True
        if not previous.ends_paragraph:
            if self.looks_like_start(line):
                self.warn(previous, "the paragraph here ends without a final space; the next line is read as a new heading or point")
                return False
            if self.current.kind != "body":
                self.warn(line, "read as the continuation of the heading or headline above")
            return True
        if previous.ends_in_latin and self.current.kind == "body":
            if self.looks_like_start(line):
                self.warn(line, "the paragraph above ends in a Latin word; this line is read as a new heading or point")
                return False
            return True
        return False

    def wraps_a_listed_heading(self, line: SourceLine) -> bool:
        """Return True when ``line`` completes the heading being gathered as the contents list it (a wrapped heading)."""
        if self.current is None or self.current.kind not in ("section", "topic") or not self.headings:
            return False
        so_far = join_lines(self.current.paragraphs[-1])
        longer = join_lines([*self.current.paragraphs[-1], line.text])
        return so_far not in self.headings and any(heading.startswith(longer) for heading in self.headings)

    def has_label(self, line: SourceLine) -> bool:
        """Return True when ``line`` starts with a section or topic numeral (壹、 一、)."""
        return bool(SECTION_LABEL.match(line.text) or TOPIC_LABEL.match(line.text))

    def looks_like_start(self, line: SourceLine) -> bool:
        """Return True when ``line`` has the shape of a heading or a headline."""
        return line.indented or self.has_label(line)

    def place(self, line: SourceLine, carry_on: bool) -> None:
        """Put ``line`` into the field it belongs to; raise ContentError when there is none."""
        if carry_on:
            self.current.add(line.text)
            return
        if self.current and self.current.kind == "headline":
            if BULLET.match(line.text):
                self.fail(self.previous, "the headline is not followed by its body (the next line is another headline)")
            self.start_field(self.sections[-1]["topics"][-1]["points"][-1], "body", line.text)
            return
        for label, start in ((SECTION_LABEL, self.start_section), (TOPIC_LABEL, self.start_topic)):
            match = label.match(line.text)
            if match:
                start(line, match[1], line.text[match.end():])
                return
        if line.indented:
            self.start_point(line)
        elif self.current and self.current.kind == "body":
            self.warn(line, "a second paragraph in the body of the point above; check that it is not a headline")
            self.current.paragraphs.append([line.text])
        else:
            self.fail(line, "it is neither a heading, a point's headline nor part of a body")

    def start_field(self, owner: dict, kind: str, text: str) -> None:
        """Begin gathering the ``kind`` field of ``owner`` (a heading, headline or body) with ``text``."""
        self.current = Field(kind)
        if text.strip():
            self.current.add(text)
        self.fields.append((owner, "heading" if kind in ("section", "topic") else kind, self.current))

    def start_section(self, line: SourceLine, numeral: str, text: str) -> None:
        """Open section ``numeral`` (it must be the next one) with its heading."""
        if len(self.sections) >= MAX_SECTIONS:
            self.fail(line, f"a report may hold at most {MAX_SECTIONS} sections; split it into several reports")
        expected = section_numeral(len(self.sections) + 1)
        if numeral != expected:
            self.fail(line, f"section {numeral}、 is out of order (expected {expected}、)")
        self.check_complete()
        self.sections.append({"heading": "", "topics": []})
        self.start_field(self.sections[-1], "section", text)

    def start_topic(self, line: SourceLine, numeral: str, text: str) -> None:
        """Open topic ``numeral`` of the current section with its heading."""
        if not self.sections:
            self.fail(line, "a topic comes before the first section (壹、…)")
        topics = self.sections[-1]["topics"]
        if len(topics) >= MAX_TOPICS:
            self.fail(line, f"a section may hold at most {MAX_TOPICS} topics; split it")
        expected = topic_numeral(len(topics) + 1)
        if numeral != expected:
            self.fail(line, f"topic {numeral}、 is out of order (expected {expected}、)")
        self.check_last_topic()
        topics.append({"heading": "", "points": []})
        self.start_field(topics[-1], "topic", text)

    def start_point(self, line: SourceLine) -> None:
        """Open a point of the current topic with its headline."""
        if not self.sections or not self.sections[-1]["topics"]:
            self.fail(line, "a point's headline comes before any topic (一、…)")
        points = self.sections[-1]["topics"][-1]["points"]
        if len(points) >= MAX_POINTS:
            self.fail(line, f"a topic may hold at most {MAX_POINTS} points; split it")
        points.append({"headline": "", "body": ""})
        self.start_field(points[-1], "headline", BULLET.sub("", line.text))

    def check_last_topic(self) -> None:
        """Raise ContentError when the last topic has no point or its last point has no body."""
        if self.previous is not None and self.current is not None and self.current.kind in ("topic", "headline"):
            what = "topic heading" if self.current.kind == "topic" else "headline"
            self.fail(self.previous, f"the {what} is not followed by its text")

    def check_complete(self) -> None:
        """Raise ContentError when the last section, topic or point was left empty."""
        if self.sections and not self.sections[-1]["topics"] and self.previous:
            self.fail(self.previous, "the section has no topic (一、…)")
        if self.sections and self.sections[-1]["topics"]:
            self.check_last_topic()

    def warn(self, line: SourceLine, message: str) -> None:
        """Record an uncertain decision about ``line``."""
        self.warnings.append((line.number, message))

    def fail(self, line: SourceLine, message: str) -> None:
        """Raise ContentError: ``line`` could not be placed."""
        text = line.text if len(line.text) <= 30 else line.text[:30] + "…"
        raise ContentError([f"{self.name}:{line.number}: could not place 「{text}」: {message}; fix the report text and import again."])
