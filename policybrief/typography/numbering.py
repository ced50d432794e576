"""Numbers as a Traditional-Chinese report writes them: 壹、 for sections, 一、 for topics, ROC dates.

Both numeral sets run from 1 to 9,999 (壹…玖仟玖佰玖拾玖, 一…九千九百九十九),
far beyond any report: content is limited to fewer sections and topics
(``load.schema``), so numbering never runs out.
"""

from __future__ import annotations

LARGEST = 9_999
_FORMAL = ("零壹貳參肆伍陸柒捌玖", "拾佰仟")
_ORDINARY = ("零一二三四五六七八九", "十百千")


def _numeral(n: int, digits: str, units: str, what: str) -> str:
    """Return ``n`` (1–9,999) written with ``digits`` and the units of ten, hundred, thousand."""
    if not 1 <= n <= LARGEST:
        raise ValueError(f"{what} number out of range: {n}")
    if n < 20:  # 拾, 拾壹 / 十, 十一: tens without a leading one, as reports write them
        tens, ones = divmod(n, 10)
        return (units[0] if tens else "") + (digits[ones] if ones else "")
    text, zero = "", False
    for place, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit = n // place % 10
        if digit:
            text += (digits[0] if zero else "") + digits[digit] + unit
            zero = False
        elif text:
            zero = True  # a gap inside the number is read as one 零: 一百零一
    return text


def section_numeral(n: int) -> str:
    """Return the formal numeral for section ``n`` (1 → 壹 … 10 → 拾, 11 → 拾壹, 101 → 壹佰零壹)."""
    return _numeral(n, *_FORMAL, "section")


def topic_numeral(n: int) -> str:
    """Return the ordinary numeral for topic ``n`` (1 → 一 … 10 → 十, 12 → 十二, 110 → 一百一十)."""
    return _numeral(n, *_ORDINARY, "topic")


def roc_date(year: int, month: int) -> str:
    """Return the Republic-of-China calendar date, e.g. 2018-07 → 中華民國107年7月."""
    return f"中華民國{year - 1911}年{month}月"
