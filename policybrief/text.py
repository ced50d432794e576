"""Text helpers shared by the schema, the importer and the renderers."""

from __future__ import annotations

import re

# Han ideographs (incl. extensions), CJK symbols and punctuation, kana,
# full-width forms: around these, a space is an artefact, not a word gap.
CJK_CHARS = (
    "\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_CJK = re.compile(f"[{CJK_CHARS}]")
_SPACE_NEAR_CJK = re.compile(f"(?<=[{CJK_CHARS}])[ \t]+|[ \t]+(?=[{CJK_CHARS}])")
_SPACES = re.compile(r"[ \t]+")
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


def is_cjk(char: str) -> bool:
    """Return True when ``char`` is a CJK character or full-width punctuation."""
    return bool(_CJK.match(char))


def normalise(text: str) -> str:
    """Return ``text`` with spaces next to CJK characters removed and runs of
    spaces folded to one, trimmed.

    PDF extraction puts spaces between Han characters and digits wherever the
    original layout had extra spacing; Chinese text carries no such spaces.
    """
    return _SPACES.sub(" ", _SPACE_NEAR_CJK.sub("", text)).strip()


def join_lines(lines: list[str]) -> str:
    """Return hard-wrapped ``lines`` joined into one paragraph.

    Lines are joined with nothing between CJK characters and with one space
    between Latin words, so that a wrap inside ``Mike / Pompeo`` keeps its gap.
    """
    joined = ""
    for line in (part.strip() for part in lines):
        if not line:
            continue
        if joined and not (is_cjk(joined[-1]) or is_cjk(line[0])):
            joined += " "
        joined += line
    return normalise(joined)


# Punctuation that may not end a line (opening) or start one (closing): it
# travels with its neighbour when a line is broken.
_OPENING = re.compile("[（「『《〈【〔]*")
_CLOSING = re.compile(".?[，。、；：！？」』）》〉】〕]*")
_LATIN_WORD = re.compile(r"[^\s\u2e80-\uffef]+")


def first_word_ems(text: str) -> float:
    """Return about how wide, in ems, the first piece of ``text`` that a line break cannot split is.

    That is a Han character with the punctuation that may not start a line, or
    a whole Latin word (about 0.6 em a letter), with any opening bracket before it.
    """
    opening = _OPENING.match(text)
    rest = text[opening.end() :]
    latin = _LATIN_WORD.match(rest)
    return opening.end() + (0.6 * len(latin[0]) if latin else len(_CLOSING.match(rest)[0]))


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
