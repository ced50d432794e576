"""Which language each piece of a page's text is marked in: from the HTML (``lang`` attributes) or from a PDF's structure tree.

A screen reader reads a Latin phrase (``rules.latin_phrases``) in English only
when it is marked ``en``; Chinese text marked ``en`` would be read with an
English voice. ``misread`` lists both mistakes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pikepdf

from policybrief.typography.rules import latin_phrases

from .pdfread import characters

HAN = re.compile(r"[\u3400-\u9fff]")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "title", "div", "section", "nav", "main",
                    "header", "footer", "ol", "ul", "table", "tr"})


class _Reader(HTMLParser):
    """Collects the text of each block element of a page's body as (character, language) pairs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.blocks: list[list[tuple[str, str]]] = [[]]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in BLOCKS:
            self.blocks.append([])
        if tag not in VOID:
            lang = dict(attrs).get("lang") or (self.stack[-1][1] if self.stack else "")
            self.stack.append((tag, lang))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass
        if tag in BLOCKS:
            self.blocks.append([])

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] not in ("style", "script", "title"):
            self.blocks[-1].extend((char, self.stack[-1][1]) for char in data)


def html_languages(html: str) -> list[list[tuple[str, str]]]:
    """Return the text of every block of ``html``'s body, each character with the language it is marked in."""
    reader = _Reader()
    reader.feed(html)
    return [block for block in reader.blocks if block]


def misread(html: str) -> list[str]:
    """Return every Latin phrase of ``html`` not wholly marked ``en`` and every Han character marked ``en``."""
    return misread_blocks(html_languages(html))


def misread_blocks(blocks: list[list[tuple[str, str]]]) -> list[str]:
    """Return the misread pieces of ``blocks`` (texts as (character, language) pairs), as ``misread`` does."""
    problems = []
    for block in blocks:
        text = "".join(char for char, _ in block)
        for start, end in latin_phrases(text):
            if any(lang != "en" for char, lang in block[start:end] if not char.isspace()):  # a space has no voice
                problems.append(f"not English: {text[start:end]!r} in {text[:30]!r}")
        problems += [f"Chinese marked English: {char!r} in {text[:30]!r}" for char, lang in block
                     if lang == "en" and HAN.match(char)]
    return problems


def pdf_languages(pdf: Path) -> list[list[tuple[str, str]]]:
    """Return the text of every structure element holding content, each character with the language the structure tree gives it.

    A character's language is the ``/Lang`` of its element or the nearest
    element above, else the document's; text in a ``Span`` counts for the
    element around it (its paragraph or heading). Artifacts are left out.
    """
    owners = _owners(pdf)
    blocks: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for number, page in enumerate(characters(pdf)):
        for char in page:
            if (number, char["mcid"]) in owners:
                block, lang = owners[number, char["mcid"]]
                blocks.setdefault(block, []).append((char["text"], lang))
    return list(blocks.values())


def _owners(pdf: Path) -> dict[tuple[int, int], tuple[tuple[int, int], str]]:
    """Return (page, mcid) → (object id of the element holding it, outside spans; its language)."""
    found = {}
    with pikepdf.open(pdf) as document:
        default = str(document.Root.get("/Lang", ""))
        nums = document.Root.StructTreeRoot.ParentTree.Nums
        for index in range(0, len(nums), 2):
            key, value = int(nums[index]), nums[index + 1]
            if key >= len(document.pages) or not isinstance(value, pikepdf.Array):
                continue
            for mcid, element in enumerate(value):
                lang, above = None, element
                while lang is None and isinstance(above, pikepdf.Dictionary) and "/S" in above:
                    lang = str(above.Lang) if "/Lang" in above else None
                    above = above.get("/P")
                while element.S == "/Span" and "/P" in element:
                    element = element.P
                found[key, mcid] = (element.objgen, lang or default)
    return found
