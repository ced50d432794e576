"""Justified Chinese body text and faithful text, read back from the built briefs (107005 and the second test report).

Lines are read with pdfplumber and grouped into paragraphs through the
structure tree (see pdfread.py); text is extracted with pypdf, pdfminer and
poppler, as a reader copying from the PDF would get it.
"""

from __future__ import annotations

import re

import pytest

from policybrief.compose.environment import search_path
from policybrief.compose.theme import load_theme
from policybrief.load.content import load_report
from policybrief.typography.justify import justified_lines
from policybrief.typography.rules import NO_LINE_END, NO_LINE_START, NUMBER_UNITS

from .conftest import CONTENT
from .languages import misread
from .pdfread import MEASURE, body_paragraph_lines, pdfminer_text, poppler_text, pypdf_text, squash

OFF_MEASURE = 1.5  # pt: a line ending farther than this from the measure is ragged
HAN = r"[\u3400-\u9fff]"


@pytest.fixture(scope="module", params=["107005", "second"])
def brief(request, built, second_built):
    """Return (PDF, report) of each test brief."""
    content, pdf = (CONTENT, built / "107005.pdf") if request.param == "107005" else second_built
    return pdf, load_report(content, load_theme(search_path()).font_roles())


def texts(report) -> list[str]:
    """Return every headline and body paragraph of ``report``, in reading order."""
    found = list(report.preface)
    for section in report.sections:
        for topic in section.topics:
            for point in topic.points:
                found += [point.headline, point.body]
    return found


def column_lefts(paragraphs) -> dict[int, float]:
    """Return the left edge of the text column on each page: where a paragraph's later lines start."""
    lefts: dict[int, float] = {}
    for lines in paragraphs:
        for line in lines[1:]:
            lefts[line.page] = min(lefts.get(line.page, line.left), line.left)
    return lefts


def test_body_lines_end_on_the_measure(brief):
    pdf, _ = brief
    paragraphs = body_paragraph_lines(pdf)
    lefts = column_lefts(paragraphs)
    inner = [line for lines in paragraphs for line in lines if not line.final and not line.text.isascii()]
    ragged = [line for line in inner if abs(lefts[line.page] + MEASURE - line.right) > OFF_MEASURE]
    assert len(inner) > 30
    assert len(ragged) <= 0.03 * len(inner), [(line.page + 1, line.text[-12:], round(lefts[line.page] + MEASURE - line.right, 1))
                                              for line in ragged]


def test_lines_break_by_the_rules(brief):
    pdf, report = brief
    source = "\n".join(texts(report))
    problems = []
    for lines in body_paragraph_lines(pdf):
        for line, following in zip(lines, lines[1:], strict=False):
            end, start = line.text[-1], following.text[0]
            if start in NO_LINE_START or end in NO_LINE_END:
                problems.append(("punctuation", line.text[-6:], following.text[:6]))
            before, after = re.search(r"[\x21-\x7e]*$", line.text)[0], re.match(r"[\x21-\x7e]*", following.text)[0]
            if before and after and before + after in source and f"{before} {after}" not in source:
                problems.append(("Latin word or number split", line.text[-6:], following.text[:6]))
            if end.isdigit() and start in NUMBER_UNITS:
                problems.append(("number split from its unit", line.text[-6:], following.text[:6]))
        if len(lines) > 1 and len([c for c in lines[-1].text if c not in NO_LINE_START and c not in NO_LINE_END]) < 2:
            problems.append(("last line of one character", lines[-2].text[-6:], lines[-1].text))
    assert problems == []


@pytest.mark.parametrize("extract", [pypdf_text, pdfminer_text, poppler_text], ids=["pypdf", "pdfminer", "poppler"])
def test_every_headline_and_body_extracts_as_itself_in_order(brief, extract):
    pdf, report = brief
    text = squash(extract(pdf))
    position = 0
    for expected in texts(report):
        found = text.find(squash(expected), position)
        assert found >= 0, f"{extract.__name__}: {expected[:30]}… not found as itself after position {position}"
        position = found + len(squash(expected))


def test_pdfminer_reads_no_spaces_between_han_characters(brief):
    pdf, report = brief
    lines = [line for line in pdfminer_text(pdf).splitlines() if line.strip()]
    # In the 序's credits a name and a role stand in two columns: a space between them is right.
    names = tuple(f"{person.name} " for person in [report.editor, *report.contributors] if person)
    spaced = [line for line in lines if re.search(f"{HAN} +{HAN}", line) and not line.startswith(names)]
    assert len(spaced) <= 0.01 * len(lines), spaced


def test_ascii_spaces_copy_as_ascii_spaces(built):
    text = pypdf_text(built / "107005.pdf")
    assert "Mike Pompeo" in text
    signature = text.count("\u3000謹誌")  # the template's own ideographic space, before 謹誌
    assert text.count("\u3000") == signature == 1


# --- the line breaker itself, with the real body font --------------------------------


@pytest.fixture(scope="module")
def measurer():
    return load_theme(search_path()).fonts.body.measurer()


@pytest.mark.parametrize("text", [
    "北韓政府對於這些派遣勞工嚴格管理，每年替金正恩政權賺取5~6億美元外匯。" * 3,
    "美國國務卿蓬佩奧（Mike Pompeo）於2018年6月12日表示，北韓須完成「完全、可驗證、不可逆的去核化」（CVID）。" * 2,
    "全球資料中心用電量可能由2022年的460兆瓦時增加至2026年的逾1,000兆瓦時，增幅達117%以上。" * 3,
])
def test_justified_lines_fill_the_measure_and_keep_the_text(measurer, text):
    lines = justified_lines(measurer, text, 41, indent=2)
    assert squash("".join(line.text for line in lines)) == squash(text)
    for number, line in enumerate(lines[:-1]):
        width = 41 - (2 if number == 0 else 0)
        filled = measurer.width(line.text) - 0.5 * len(line.halves) + line.spacing * (len(line.text) - 1)
        assert filled == pytest.approx(width, abs=0.01)
        assert abs(line.spacing) < 0.1  # far below what an extractor reads as a word space
    assert lines[-1].final and lines[-1].spacing == 0 and len(lines[-1].text) >= 2
    for line, following in zip(lines, lines[1:], strict=False):
        assert not (line.text[-1].isdigit() and following.text[0] in NUMBER_UNITS)
        assert following.text[0] not in NO_LINE_START and line.text[-1] not in NO_LINE_END


def test_consecutive_punctuation_is_compressed(measurer):
    text = "分別就「『川金會』與朝鮮半島未來情勢發展」、「『川金會』後美國亞太政策走向」等子議題，進行座談。"
    lines = justified_lines(measurer, text, 41)
    halves = {line.text[i] + line.text[i + 1:i + 2] for line in lines for i in line.halves}
    # 」 before 、 and 『 after 「 are half width; 「 after 、 too; stops and pauses stay full.
    assert {"」、", "『川", "「『"} <= halves and not any(pair[0] in "，。、" for pair in halves)
    assert lines[0].text.startswith("分別就「『川金會』與") and "".join(line.text for line in lines) == text


def test_a_last_line_is_more_than_one_character_and_its_stop(measurer):
    text = "國" * 79 + "喜。"  # 39 + 41 fill two lines: 喜。 alone would be the third
    lines = justified_lines(measurer, text, 41, indent=2)
    assert lines[-1].text == "國喜。" and "".join(line.text for line in lines) == text


def test_a_lone_last_character_takes_company(measurer):
    text = "國" * 80 + "家"  # 39 + 41 characters fill two lines: 家 would be alone on the third
    lines = justified_lines(measurer, text, 41, indent=2)
    assert [len(line.text) for line in lines] == [39, 40, 2]
    assert "".join(line.text for line in lines) == text
    assert lines[1].spacing == pytest.approx(1 / 39, abs=1e-6)  # the one em given up, spread over 39 gaps


@pytest.mark.parametrize("which", ["107005", "second"])
def test_letter_spacing_stays_far_below_a_word_space(which, second_built):
    from policybrief.api import brief_html

    html = brief_html(CONTENT if which == "107005" else second_built[0])
    spacings = [float(value) for value in re.findall(r"style=\"--fill: (-?[\d.]+)em\"", html)]
    assert spacings and all(-0.03 <= value <= 0.05 for value in spacings), sorted(spacings)[-3:]


def test_justified_paragraphs_hold_their_text_exactly_and_flow_without_the_print_css(report):
    # The web edition reuses base.html without brief.css: each paragraph's HTML, tags removed, must be
    # the paragraph as written (spaces between Latin words included) — no <br>, no inserted characters.
    import html as entities

    from policybrief.api import brief_html

    paragraphs = re.findall(r'<p class="prose[^"]*">(.*?)</p>', brief_html(CONTENT), re.S)
    expected = list(report.preface) + [p.body for s in report.sections for t in s.topics for p in t.points]
    assert [entities.unescape(re.sub(r"<[^>]+>", "", p)) for p in paragraphs] == expected
    assert all("<br" not in p for p in paragraphs)


def test_brief_html_carries_no_inserted_characters(tmp_path):
    from policybrief.api import brief_html

    html = brief_html(CONTENT)
    assert 'class="keep"' not in html  # the keep-the-last-four-characters span is gone
    body = re.sub(r"<[^>]+>", "", html)
    assert "\u200b" not in body and "\u2060" not in body and "&nbsp;" not in html


def test_the_second_report_has_the_shape_the_tests_need(second_built):
    content, _ = second_built
    report = load_report(content, load_theme(search_path()).font_roles())
    assert max(len(section.topics) for section in report.sections) == 8
    assert max(len(topic.points) for section in report.sections for topic in section.topics) == 5
    headlines = [p.headline for s in report.sections for t in s.topics for p in t.points]
    assert any(re.search(r"[A-Za-z]", h) for h in headlines) and any(re.search(r"\d", h) for h in headlines)
    assert any(source.publisher is None for source in report.sources)


# --- Latin phrases: one rule for what they are, kept on one line, marked English ------


@pytest.mark.parametrize(("text", "phrases"), [
    ("美軍印太司令部司令戴維森（Philip Davidson）亦強調：", ["Philip Davidson"]),
    ("上海合作組織（Shanghai Cooperation Organization）則是", ["Shanghai Cooperation Organization"]),
    ("所謂的「極限施壓」（maximum pressure）布局", ["maximum pressure"]),
    ("國際貨幣基金（IMF）、上合組織（SCO）與WB", ["IMF", "SCO", "WB"]),
    ("U.S. Department of Defense、Kim-Trump summit", ["U.S. Department of Defense", "Kim-Trump summit"]),
    ("New cooperation model can draw North Korea into Asia’s economic center", ["New cooperation model can draw North Korea into Asia’s economic center"]),
    ("Fiscal Year 2019 Budget，COVID-19疫情", ["Fiscal Year 2019 Budget", "COVID-19"]),
    ("輝達（NVIDIA）的CoWoS先進封裝產能2024年倍增", ["NVIDIA", "CoWoS"]),
    ("見https://udn.com/news/story/6809/3194417。", ["https://udn.com/news/story/6809/3194417"]),
    ("(http://www.koreaherald.com/view.php?ud=20180611000148)", ["http://www.koreaherald.com/view.php?ud=20180611000148"]),
    ("亞太政策報告系列 No. 107005", ["No."]),
    ("2018年、25%、5~6億美元、1,000兆瓦時", []),  # numbers alone
    ("A級、B-52、F-16戰機、G20峰會、5G", []),  # a single letter, with or without a number
    ("「川金會」後朝鮮半島情勢", []),
])
def test_latin_phrases_are_two_letters_or_more_with_what_joins_their_words(text, phrases):
    from policybrief.typography.rules import latin_phrases

    assert [text[start:end] for start, end in latin_phrases(text)] == phrases


def test_a_latin_phrase_moves_whole_to_the_next_line_when_that_costs_little(measurer):
    from policybrief.typography.justify import Phrase

    text = "國" * 39 + "EU Foreign Affairs Council" + "國" * 30
    assert 39 + measurer.width("EU") <= 41  # its first word alone would still fit on the first line
    lines = justified_lines(measurer, text, 41)
    assert lines[0].text == "國" * 39 and 0 < lines[0].spacing <= 0.08
    assert lines[1].text.startswith("EU Foreign Affairs Council國")
    assert lines[1].phrases()[0] == Phrase("EU Foreign Affairs Council", "en", frozenset(), False)


@pytest.mark.parametrize("phrase", ["（Mike Pompeo）", "（IMF Executive Board）", "（Shanghai Cooperation Organization）"])
def test_a_latin_phrase_is_cut_only_between_words_and_only_to_spare_a_loose_line(measurer, phrase):
    from policybrief.typography.justify import PHRASE_LOOSE

    whole, cut = 0, 0
    for before in range(24, 42):  # the phrase starts at every place near a line's end
        text = "國" * before + phrase + "國" * 40
        lines = justified_lines(measurer, text, 41)
        holding = [line for line in lines if any(char.isascii() and char.isalpha() for char in line.text)]
        if len(holding) == 1:
            whole += 1
            continue
        cut += 1
        first, second = holding
        assert len(holding) == 2 and first.text[-1].isalpha() and second.text[0].isalpha()
        assert first.text + " " + second.text in text  # at a space between words
        kept = first.text[:first.text.index("（")]  # the line before, had the phrase moved whole
        assert (41 - measurer.width(kept)) / (len(kept) - 1) > PHRASE_LOOSE
        for line in (first, second):  # each part is marked English on its own line
            english = [part.text for part in line.phrases() if part.lang == "en"]
            assert len(english) == 1 and english[0] in phrase
    assert whole >= 1 and cut >= 1


@pytest.mark.parametrize("which", ["107005", "second"])
def test_every_latin_phrase_of_the_brief_html_and_nothing_else_is_marked_english(which, second_built):
    from policybrief.api import brief_html

    html = brief_html(CONTENT if which == "107005" else second_built[0])
    assert misread(html) == []
    # Body lines too: a phrase cut by the line's unspaced last character (span.fill, then the tail) stays one span.
    assert '<span lang="en"><span class="fill"' in html or which == "second"
