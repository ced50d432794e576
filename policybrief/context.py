"""What templates see: the Report plus everything computed from it.

Numbering (壹、貳… / 一、二…), the ROC date and anchors are derived here from
order and from the ISO date, so they are never typed into content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policybrief.text import roc_date, section_numeral, topic_numeral

if TYPE_CHECKING:  # annotations only: importing pydantic here would slow a no-change rebuild
    from policybrief.schema import Point, Report


@dataclass(frozen=True)
class TopicView:
    """A topic with its computed number, numeral (一) and anchor id."""

    number: int
    numeral: str
    id: str
    heading: str
    recommendations: bool
    points: list[Point]

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
            TopicView(t, topic_numeral(t), f"s{s}-t{t}", topic.heading, topic.recommendations, list(topic.points))
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


def template_context(report: Report) -> dict[str, Any]:
    """Return the variables every template (brief and deck) receives."""
    sections = section_views(report)
    series_label = f"{report.series.name} No. {report.series.number}"
    return {
        "report": report,
        "sections": sections,
        "recommendations": recommendations_topic(sections),
        "roc_date": roc_date(report.year, report.month),
        "series_label": series_label,
        "short_title": report.short_title or report.title,
        "point_count": sum(len(t.points) for s in sections for t in s.topics),
    }
