"""The content model: what a report's YAML may hold, as typed models.

Every model forbids unknown keys. Text is normalised on load (spaces that a
line break or PDF extraction put between Han characters are removed), so the
renderers receive clean, validated data.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

from policybrief.typography.text import normalise

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# ASCII digits only: a full-width ２０１８ or Arabic-Indic digits read as a date by
# Python's int() would pass here and leave the outputs without one.
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_DAY_OR_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?$")
# The longest headline of 107005 has 25 characters and the longest paragraph
# 248: these limits leave room for any real report and stop pasted-in junk
# (a whole document in one field) before it reaches the renderers.
MAX_LINE = 200
MAX_PARAGRAPH = 3000
# A web address: browsers and servers handle about 2,000 characters; a longer
# one is a pasted search result or junk, and its layout costs grow with the
# square of its length (100,000 characters once took 92 s).
MAX_URL = 2000
# The input budget of one report: 107005 has 5 sections, 11 topics and 31
# points. Numbering runs far beyond these (typography.numbering); the limits
# keep the cost of a build, which grows with the points, to seconds.
MAX_SECTIONS = 200
MAX_TOPICS = 200  # per section
MAX_POINTS = 1000  # per topic
MAX_ALL_POINTS = 2000  # in the whole report
MAX_ITEMS = 200  # keywords, contributors, preface paragraphs, sources, series entries (107005: 5, 4, 2, 8, 5)


# Invisible direction marks and overrides: the theme's fonts hold no
# right-to-left script, so in this content they only ever come from a stray
# paste, and they silently reorder and mirror what the reader sees.
_DIRECTION_MARKS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _forbidden_character(text: str) -> str | None:
    """Return a description of the first character no document may hold, or None."""
    for index, char in enumerate(text):
        if char in _DIRECTION_MARKS:
            return f"an invisible text-direction mark U+{ord(char):04X} at position {index + 1}"
        category = unicodedata.category(char)
        if category == "Cc" and char not in "\n\t":
            return f"a control character U+{ord(char):04X} at position {index + 1}"
        if category == "Cs":
            return f"a broken character (lone surrogate U+{ord(char):04X}) at position {index + 1}"
        if category == "Cn" and ord(char) in (0xFFFE, 0xFFFF):
            return f"a non-character U+{ord(char):04X} at position {index + 1}"
    return None


def _clean_text(value: str) -> str:
    """Return ``value`` normalised; reject empty, overlong and unprintable text."""
    _as_written(value)  # the length and character checks every text passes
    cleaned = "\n\n".join(
        normalise(part.replace("\n", " ").replace("\t", " ")) for part in re.split(r"\n\s*\n", value)
    ).strip()
    if not cleaned:
        raise ValueError("must not be empty")
    return cleaned


def _one_line(value: str) -> str:
    """Return ``value`` cleaned; reject text that holds a blank line."""
    if len(value) > MAX_LINE:
        raise ValueError(f"is {len(value):,} characters long; a one-line text such as a headline may hold at most {MAX_LINE} — shorten it")
    cleaned = _clean_text(value)
    if "\n" in cleaned:
        raise ValueError("must be one paragraph (no blank line)")
    return cleaned


def as_written(key_path: tuple[str | int, ...]) -> bool:
    """Return True for the key paths whose unquoted values are read as written: the series numbers."""
    return key_path == ("series", "number") or (len(key_path) == 3 and key_path[0] == "series_list" and key_path[2] == "number")


def _number_as_text(value: Any) -> Any:
    """Return a series number as the text written: ``number: 017005`` means "017005", never YAML 1.1's octal 7685.

    An unquoted number that is not plain digits (``0x1A``, ``1:20``, ``-1``,
    ``.inf``, ``~``, ``yes``) is refused: YAML would read it as something else.
    """
    from policybrief.load.yamlfile import Written

    if isinstance(value, Written):
        if len(value) > MAX_LINE or (value.isascii() and value.isdigit()):
            return str(value)
        raise ValueError(f"{str(value)!r} would be read by YAML as {_yaml_reading(value)}, not as written; "
                         "write the number in digits (e.g. 107005), or in quotes to print it as it is")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _yaml_reading(text: str) -> str:
    """Return what YAML 1.1 makes of the unquoted ``text``, in words."""
    import yaml

    value = yaml.safe_load(text)
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"the number {value}"


def _month(value: Any) -> Any:
    """Return an ISO month ``YYYY-MM``; reject anything else with an example."""
    hint = 'expected a month as YYYY-MM, e.g. "2018-07"'
    if isinstance(value, date):
        raise ValueError(f"{hint} (without the day)")
    if not isinstance(value, str):
        raise ValueError(hint)
    match = _MONTH.match(value.strip())
    if not match:
        raise ValueError(f"{hint}, not {_shown(value)!r}")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"{hint}; month {month} does not exist")
    if year < 1912:
        raise ValueError(f"{hint}; the ROC calendar starts in 1912")
    return value.strip()


def _source_date(value: Any) -> Any:
    """Return a source's date as YYYY-MM or YYYY-MM-DD text (a date that exists)."""
    if isinstance(value, date):
        return value.isoformat()
    hint = 'expected a date as YYYY-MM-DD or YYYY-MM, e.g. "2018-06-11"'
    match = _DAY_OR_MONTH.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(hint)
    try:
        date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        raise ValueError(f"{hint}; {value.strip()} is not in the calendar") from None
    return value.strip()


def _url(value: str) -> str:
    """Return an http(s) URL of at most MAX_URL characters without control characters; reject anything else."""
    if len(value) > MAX_URL:
        raise ValueError(f"is {len(value):,} characters long; a web address may hold at most {MAX_URL:,} — "
                         "link to the page itself, not to a search or a pasted text")
    bad = _forbidden_character(value)
    if bad:
        raise ValueError(f"contains {bad}; remove it (a web address holds no control characters)")
    if not _URL.match(value.strip()):
        raise ValueError(f"expected a web address starting with https://, not {_shown(value)!r}")
    return value.strip()


def _shown(value: str) -> str:
    """Return ``value`` as a message quotes it: at most 40 characters."""
    return value if len(value) <= 40 else value[:40] + "…"


def _as_written(value: str) -> str:
    """Return ``value`` exactly as written (an ``extra`` text keeps it so); reject what no text may be (too long, unprintable)."""
    if len(value) > MAX_PARAGRAPH:
        raise ValueError(f"is {len(value):,} characters long; a paragraph may hold at most {MAX_PARAGRAPH:,} — shorten or split it")
    bad = _forbidden_character(value)
    if bad:
        raise ValueError(f"contains {bad}; remove it")
    return value


def _extra_key(value: str) -> str:
    """Return an ``extra`` key that templates can name (``report.extra.publisher_en``); reject others."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", value):
        raise ValueError(f"the key {value[:40]!r} must be a name of Latin letters, digits and _ (e.g. publisher_en), "
                         "so templates can use it")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
Line = Annotated[str, AfterValidator(_one_line)]
Number = Annotated[str, BeforeValidator(_number_as_text), AfterValidator(_one_line)]
Month = Annotated[str, BeforeValidator(_month)]
SourceDate = Annotated[str, BeforeValidator(_source_date)]
Url = Annotated[str, AfterValidator(_url)]
# Fields of the user's own (content and theme ``extra:``): text kept as written, under the limits of other text.
Extra = Annotated[dict[Annotated[str, AfterValidator(_extra_key)], Annotated[str, AfterValidator(_as_written)]],
                  Field(max_length=MAX_ITEMS)]


class Model(BaseModel):
    """Base for every content model: unknown keys and coercions are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Series(Model):
    """The publication series a report belongs to."""

    name: Line
    number: Number


class Person(Model):
    """The editor or a contributor, as named in the 序."""

    name: Line
    role: Line | None = None
    affiliation: Line | None = None
    subject: Line | None = None


class Point(Model):
    """One point of a topic: a short headline and its paragraph."""

    headline: Line
    body: Text
    on_slides: bool = True  # false: the point stays in the brief and the speaker notes, off the slides


class Topic(Model):
    """A topic (一、二…) of a section, with its points."""

    heading: Line
    slide_title: Line | None = None  # a shorter title for the topic's slide (the brief keeps the heading)
    recommendations: bool = False
    points: list[Point] = Field(min_length=1, max_length=MAX_POINTS)


class Section(Model):
    """A section (壹、貳…) of the 提要, with its topics."""

    heading: Line
    topics: list[Topic] = Field(min_length=1, max_length=MAX_TOPICS)


class Source(Model):
    """A source the report cites."""

    url: Url
    title: Line | None = None
    publisher: Line | None = None
    date: SourceDate | None = None


class SeriesEntry(Model):
    """One report of the series, as listed on the back cover."""

    number: Number
    title: Line


def _within_budget(sections: list[Section]) -> list[Section]:
    """Refuse sections holding more than MAX_ALL_POINTS points in all (each topic may be within its own limit)."""
    count = sum(len(topic.points) for section in sections for topic in section.topics)
    if count > MAX_ALL_POINTS:
        raise ValueError(f"hold {count:,} points; a report may hold at most {MAX_ALL_POINTS:,} — split it into several reports")
    return sections


class Report(Model):
    """A report's metadata and its whole 提要."""

    series: Series
    title: Line
    short_title: Line | None = None
    subtitle: Line | None = None
    publisher: Line
    date: Month
    keywords: Annotated[list[Line], Field(max_length=MAX_ITEMS)] = []
    editor: Person | None = None
    contributors: Annotated[list[Person], Field(max_length=MAX_ITEMS)] = []
    preface: Annotated[list[Text], Field(max_length=MAX_ITEMS)] = []
    sections: Annotated[list[Section], Field(min_length=1, max_length=MAX_SECTIONS), AfterValidator(_within_budget)]
    sources: Annotated[list[Source], Field(max_length=MAX_ITEMS)] = []
    series_list: Annotated[list[SeriesEntry], Field(max_length=MAX_ITEMS)] = []
    extra: Extra = {}  # the user's own fields, for their templates: report.extra.publisher_en
    _origins: Any = PrivateAttr(default=None)  # set by load.content: where each text stands in the file

    def origin_of(self, text: str) -> Any:
        """Return the Origin (file, line, key) of ``text`` in the content file, or None when it is not the content's."""
        return self._origins.find(text) if self._origins is not None else None

    @property
    def year(self) -> int:
        """Return the Gregorian year of the report."""
        return int(self.date[:4])

    @property
    def month(self) -> int:
        """Return the month (1–12) of the report."""
        return int(self.date[5:7])


def _seconds(value: Any) -> float:
    """Return a time budget in seconds: a number above 0, at most an hour."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("expected a number of seconds, e.g. 60")
    if not 0 < value <= 3600:
        raise ValueError(f"must be more than 0 and at most 3,600 seconds, not {value:g}")
    return float(value)


class Project(Model):
    """The settings of ``policybrief.yaml``: template folders searched before the built-ins, the PDF layout's time budget."""

    templates: list[Line] = []
    pdf_seconds: Annotated[float, BeforeValidator(_seconds)] = 60.0  # 107005 takes 0.3 s
