"""Where a line of Chinese text breaks well: between words and phrases, never inside a name.

BudouX (Google's phrase segmenter, its Traditional-Chinese model; Chrome's
``word-break: auto-phrase``) cuts a text into phrases. It is right most of
the time but not about every name: measured on 107005 it splits 替金正恩政權
as 替金/正恩, and 安倍, 朝鮮半島 or 韓戰 elsewhere. So phrases are then
joined across any boundary that would cut a protected term: the content's own
people, places, organisations and keywords (``protected_terms``) and a small
dictionary of names a report of this kind uses (``DICTIONARY``). A break
between phrases is still only taken where ``rules`` allows a line break.

The slide fitter wraps slide text with ``phrase_units``; balanced titles
(the brief's cover, the web edition, slide titles) prefer ``boundaries``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from policybrief.typography import rules

# Names of people, places, organisations and set terms that BudouX was seen to split, or that a policy report
# of this series is likely to use: each is kept on one line. The content adds its own (``protected_terms``).
DICTIONARY = frozenset("""
金正恩 金正日 金日成 習近平 川普 拜登 歐巴馬 安倍 安倍晉三 文在寅 尹錫悅 普丁 蔡英文 馬英九 賴清德 岸田文雄
臺灣 台灣 中華民國 北韓 南韓 朝鮮 韓國 日本 美國 中共 中國 中國大陸 俄羅斯 烏克蘭 新加坡 東南亞 東北亞 南海 東海
朝鮮半島 印太 亞太 歐盟 東協 聯合國 北約 白宮 國務院 解放軍 美軍 兩岸 川金會 美朝 美中 韓戰 冷戰
經濟 制裁 核武 導彈 飛彈 洲際 談判 戰略 政策 安全 外交 國際 區域 關係 情勢 同盟 貿易 投資 供應鏈 半導體
人工智慧 科技 產業 產能 出口 進口 管制 通訊 能源 基礎設施 國內 國外 海外 政府 企業 中小企業 人才 市場 發展
""".split())

# Quoted terms up to this many characters (「瓶蓋理論」, 「川金會」) are kept whole too.
QUOTED_TERM = re.compile(r"[「『]([^「」『』]{2,8})[」』]")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def protected_terms(names: Iterable[str], texts: Iterable[str] = ()) -> frozenset[str]:
    """Return the terms to keep whole: each of ``names`` (people, places, keywords) of 2 to 12 characters, and the
    short quoted terms (「川金會」) of ``texts``."""
    found = {name.strip() for name in names if 2 <= len(name.strip()) <= 12 and HAN.search(name) and " " not in name.strip()}
    for text in texts:
        found.update(QUOTED_TERM.findall(text))
    return frozenset(found)


@cache
def _parser():
    """Return BudouX's Traditional-Chinese parser (loaded once per process)."""
    import budoux

    return budoux.load_default_traditional_chinese_parser()


@lru_cache(maxsize=16384)
def boundaries(text: str, terms: frozenset[str] = frozenset()) -> frozenset[int]:
    """Return the indexes of ``text`` before which a new phrase starts (0 and len excluded), none inside a protected term."""
    found: set[int] = set()
    for chunk_start, chunk in _chunks(text):
        index = chunk_start
        for phrase in _parser().parse(chunk)[:-1]:
            index += len(phrase)
            found.add(index)
        found.add(chunk_start + len(chunk))
    found.discard(len(text))
    found.discard(0)
    # A term's edges become boundaries and its inside none, whatever the order: an edge inside another term is no boundary.
    edges, inside = set(), set()
    for term in DICTIONARY | terms:
        start = text.find(term)
        while start >= 0:
            inside.update(range(start + 1, start + len(term)))
            edges.update(edge for edge in (start, start + len(term)) if 0 < edge < len(text))
            start = text.find(term, start + 1)
    return frozenset(index for index in (found | edges) - inside if rules.may_break(text, index))


def _chunks(text: str) -> list[tuple[int, str]]:
    """Return the runs of ``text`` BudouX should see (split at whitespace, which is a boundary anyway), each with its start."""
    return [(match.start(), match.group()) for match in re.finditer(r"\S+", text)]


@lru_cache(maxsize=16384)
def phrase_units(text: str, terms: frozenset[str] = frozenset()) -> tuple[tuple[str, ...], ...]:
    """Return ``text`` as phrases, each a tuple of the rules' break units: a line breaks between phrases, and inside one only at a cost."""
    between = boundaries(text, terms)
    phrases: list[list[str]] = []
    index = 0
    for unit in rules.units(text):
        if not phrases or index in between or unit[:1].isspace() or phrases[-1][-1][-1:].isspace():
            phrases.append([unit])
        else:
            phrases[-1].append(unit)
        index += len(unit)
    return tuple(tuple(phrase) for phrase in phrases)
