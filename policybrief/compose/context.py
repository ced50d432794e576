"""The one template context: every variable the brief, the deck and any later output receive.

Numbering (壹、一、), anchor ids, the ROC date, the build date and the cover
title's line breaks are computed here, once, and never typed into content.
``docs/customising.md`` lists these variables; a test checks the list
against ``template_context``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from policybrief.compose.dates import build_date
from policybrief.typography.fonts import families_css
from policybrief.typography.justify import justified_lines
from policybrief.typography.numbering import roc_date, section_numeral, topic_numeral
from policybrief.typography.phrases import protected_terms

if TYPE_CHECKING:  # annotations only: importing pydantic here would slow a no-change rebuild
    from policybrief.compose.theme import Theme
    from policybrief.load.schema import Point, Report

# The cover title is set on a 150 mm line at 26 pt: at most 16 ems.
COVER_LINE_EMS = 16  # on A4; a narrower page's cover holds as many fewer as its width takes


@dataclass(frozen=True)
class TopicView:
    """A topic with its computed number, numeral (一) and anchor id."""

    number: int
    numeral: str
    id: str
    heading: str
    recommendations: bool
    points: list[Point]
    slide_title: str  # the heading, or the content's shorter slide_title

    @property
    def label(self) -> str:
        """Return the numbered label, e.g. 一、."""
        return f"{self.numeral}、"


@dataclass(frozen=True)
class SectionView:
    """A section with its computed number, numeral (壹) and anchor id."""

    number: int
    numeral: str
    id: str
    heading: str
    topics: list[TopicView]

    @property
    def label(self) -> str:
        """Return the numbered label, e.g. 壹、."""
        return f"{self.numeral}、"


def section_views(report: Report) -> list[SectionView]:
    """Return the report's sections with numbering and ids computed."""
    views = []
    for s, section in enumerate(report.sections, start=1):
        topics = [
            TopicView(t, topic_numeral(t), f"s{s}-t{t}", topic.heading, topic.recommendations, list(topic.points),
                      topic.slide_title or topic.heading)
            for t, topic in enumerate(section.topics, start=1)
        ]
        views.append(SectionView(s, section_numeral(s), f"s{s}", section.heading, topics))
    return views


def recommendations_topic(sections: list[SectionView]) -> TopicView:
    """Return the topic marked ``recommendations: true``, else the last topic of the last section."""
    for section in sections:
        for topic in section.topics:
            if topic.recommendations:
                return topic
    return sections[-1].topics[-1]


def cover_line_ems(theme: Theme) -> int:
    """Return how many ems of the cover title fit on a line: COVER_LINE_EMS on A4, fewer on a narrower page."""
    page = theme.brief.page
    return max(4, min(COVER_LINE_EMS, int(COVER_LINE_EMS * page.dimensions()[0] / 210 / page.cover_scale())))


def report_terms(report: Report) -> frozenset[str]:
    """Return the terms of ``report`` a line must not split: its people, publishers, keywords and short quoted terms."""
    people = [person for person in [report.editor, *report.contributors] if person is not None]
    names = [report.publisher, report.series.name, *report.keywords, *(person.name for person in people),
             *(source.publisher for source in report.sources if source.publisher)]
    texts = [report.title, *(text for section in report.sections for topic in section.topics
                             for text in (section.heading, topic.heading, *(point.headline for point in topic.points),
                                          *(point.body for point in topic.points)))]
    return protected_terms(names, texts)


def template_context(report: Report, theme: Theme) -> dict[str, Any]:
    """Return the variables every template receives (see docs/customising.md)."""
    sections = section_views(report)
    terms = report_terms(report)
    date = build_date(report.year, report.month)
    return {
        "report": report,
        "theme": theme,
        "sections": sections,
        "recommendations": recommendations_topic(sections),
        "roc_date": roc_date(report.year, report.month),
        "series_label": f"{report.series.name} No. {report.series.number}",
        "short_title": report.short_title or report.title,
        "point_count": sum(len(t.points) for s in sections for t in s.topics),
        "build_date": date,
        "pdf_date": date.isoformat(),
        "title_lines": theme.fonts.heading.measurer(bold=True).balanced_lines(report.title, cover_line_ems(theme), terms),
        "terms": terms,  # what a line must not split (typography.phrases): the deck's fitter reads it
        # Body paragraphs as justified lines: body_lines(text) → [Line(text, spacing, final)].
        "body_lines": partial(justified_lines, theme.fonts.body.measurer(), measure=theme.brief.column(),
                              indent=theme.brief.indent),
        # The brief's font-family lists, each family's subset first (see brief/subset.py).
        "font_body": families_css(theme.fonts.body.families()),
        "font_heading": families_css(theme.fonts.heading.families()),
    }
