"""Numbers as a Traditional-Chinese report writes them: 壹、 for sections, 一、 for topics, ROC dates."""

from __future__ import annotations

_SECTION_NUMERALS = "壹貳參肆伍陸柒捌玖拾"
_DIGITS = "零一二三四五六七八九"


def section_numeral(n: int) -> str:
    """Return the formal numeral for section ``n`` (1 → 壹 … 10 → 拾, 11 → 拾壹)."""
    if not 1 <= n <= 99:
        raise ValueError(f"section number out of range: {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("拾" if tens == 1 else _SECTION_NUMERALS[tens - 1] + "拾")
    return head + (_SECTION_NUMERALS[ones - 1] if ones else "")


def topic_numeral(n: int) -> str:
    """Return the ordinary numeral for topic ``n`` (1 → 一 … 10 → 十, 12 → 十二)."""
    if not 1 <= n <= 99:
        raise ValueError(f"topic number out of range: {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def roc_date(year: int, month: int) -> str:
    """Return the Republic-of-China calendar date, e.g. 2018-07 → 中華民國107年7月."""
    return f"中華民國{year - 1911}年{month}月"
