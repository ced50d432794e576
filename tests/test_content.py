"""The shipped 107005 content: complete, clean, and numbered by computation."""

from __future__ import annotations

import re

from policybrief.compose.context import template_context
from policybrief.compose.environment import search_path
from policybrief.compose.theme import load_theme
from policybrief.typography.numbering import roc_date, section_numeral, topic_numeral
from policybrief.typography.text import join_lines, normalise

from .conftest import CONTENT

HAN = "\u4e00-\u9fff"


def all_text(report) -> list[str]:
    """Return every text field of the report's summary and metadata."""
    texts = [report.title, report.publisher, *report.preface]
    for section in report.sections:
        texts.append(section.heading)
        for topic in section.topics:
            texts.append(topic.heading)
            for point in topic.points:
                texts += [point.headline, point.body]
    return texts


def test_the_whole_summary_is_there(report):
    assert len(report.sections) == 4
    assert [len(s.topics) for s in report.sections] == [4, 6, 2, 4]
    assert sum(len(t.points) for s in report.sections for t in s.topics) == 26


def test_metadata(report):
    assert report.series.name == "亞太政策報告系列"
    assert report.series.number == "107005"
    assert report.title == "「川金會」後朝鮮半島情勢發展對美「中」戰略布局之影響"
    assert report.publisher == "亞太和平研究基金會"
    assert report.date == "2018-07"
    assert report.editor.name == "張登及"
    assert [c.name for c in report.contributors] == ["林彥宏", "唐欣偉", "周志杰", "劉德海"]
    assert [e.number for e in report.series_list] == ["107001", "107002", "107003", "107004", "107005"]
    assert all(s.url.startswith("http") for s in report.sources) and len(report.sources) == 8


def test_extraction_artifacts_are_gone(report):
    for text in all_text(report):
        assert not re.search(f"[{HAN}][ \n]+[{HAN}]", text), text
        assert not re.search(r"(^|\s)X(\s|$)", text), text
        assert text == text.strip()


def test_wrapped_topic_heading_is_joined(report):
    assert report.sections[2].topics[0].heading == "中共沉穩回應「川金會」成果、強化周邊外交部署預先因應美「中」下波衝突點"


def test_latin_words_keep_their_space(report):
    body = report.sections[1].topics[5].points[1].body
    assert "蓬佩奧（Mike Pompeo）" in body


def test_numbering_and_date_are_computed(report):
    context = template_context(report, load_theme(search_path()))
    assert [s.label for s in context["sections"]] == ["壹、", "貳、", "參、", "肆、"]
    assert [t.label for t in context["sections"][1].topics] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert context["roc_date"] == "中華民國107年7月"
    assert context["recommendations"].heading == "我因應之道"
    data_lines = [line for line in CONTENT.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in data_lines if "中華民國" in line or re.search("[壹貳參肆一二三四]、", line)]


def test_numerals():
    assert [section_numeral(n) for n in (1, 4, 10, 11, 20, 23)] == ["壹", "肆", "拾", "拾壹", "貳拾", "貳拾參"]
    assert [topic_numeral(n) for n in (1, 9, 10, 12, 20, 31)] == ["一", "九", "十", "十二", "二十", "三十一"]
    assert roc_date(1912, 1) == "中華民國1年1月"


def test_text_normalisation():
    assert normalise("於 2018年 6月 12日 在") == "於2018年6月12日在"
    assert join_lines(["新任美國國務卿蓬佩奧（Mike ", "Pompeo）前往首爾"]) == "新任美國國務卿蓬佩奧（Mike Pompeo）前往首爾"
    assert join_lines(["中共十分", "清楚"]) == "中共十分清楚"
