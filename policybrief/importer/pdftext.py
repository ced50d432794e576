"""Read a report PDF's text as lines in the conventions of an extracted report text.

pdfminer.six gives each text line with its position. The position carries what
plain text loses, so it is written back the way the report texts show it: a
line indented from the text column's left edge, or a bold line that starts a
paragraph after regular text or a heading, starts with a space (a headline whose bullet glyph
is gone), and a line after which the next line's first word
would have fitted ends with a space (the end of a paragraph). Pages are
separated by a blank line; running heads and feet (the same text opening or
closing several pages) are left out. The parser in ``summary`` reads both
inputs alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.errors import BriefError
from policybrief.importer.summary import FURNITURE, SECTION_LABEL, TOPIC_LABEL
from policybrief.typography.measure import first_unit_ems

if TYPE_CHECKING:
    from pdfminer.layout import LTPage

# In units of the line's height (about one em): how far in a line must start to
# count as indented, and the slack allowed when asking whether the next line's
# first word would have fitted at the end of this one.
INDENT_EMS = 0.7
SLACK_EMS = 0.5
# The 提要 comes after the cover, the 序 and the contents: a PDF without one in
# its first pages is not a report of the series, however long it is (a 2,000-
# page PDF once took 54 s to say so).
MAX_SEARCH_PAGES = 50
# Told (pages read, pages in all, file name) after each page: a long report takes seconds.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Row:
    """One line of text on a page, with its horizontal extent, height and weight."""

    top: float
    x0: float
    x1: float
    size: float
    text: str
    bold: bool = False


def pdf_lines(path: Path, name: str, on_progress: Progress | None = None) -> list[str]:
    """Return the PDF's text lines, page after page; raise BriefError when it holds no text or no 提要 in its first pages."""
    pages = _pages(path, name, on_progress)
    running = _running(pages)
    placed = _placed([[row for row in rows if (round(row.top), row.text.strip()) not in running] for rows in pages])
    if not placed:
        raise BriefError(f"{name}: the PDF holds no text (a scan?); give a PDF with a text layer or the report's text.")
    lines: list[str] = []
    ended, previous = True, None
    for index, (page, row, left, right) in enumerate(placed):
        if index and page != placed[index - 1][0]:
            lines.append("")
        following = next((later[1] for later in placed[index + 1 :] if not FURNITURE.match(later[1].text.strip())), None)
        headline = row.bold and (ended or not previous.bold) and not _labelled(row)
        indent = " " if row.x0 - left > INDENT_EMS * row.size or headline else ""
        # A line ends its paragraph when the next line's first word would have fitted after it.
        ended = following is None or following.x0 - left > INDENT_EMS * row.size or right - row.x1 > _first_word(following)
        lines.append(indent + row.text.strip() + (" " if ended else ""))
        previous = row
    return lines


def _labelled(row: Row) -> bool:
    """Return True when ``row`` starts with a section or topic numeral (壹、 一、)."""
    return bool(SECTION_LABEL.match(row.text.strip()) or TOPIC_LABEL.match(row.text.strip()))


def _running(pages: list[list[Row]]) -> set[tuple[int, str]]:
    """Return the place and text of running heads and feet: rows that open or close two pages alike."""
    edges = Counter((round(row.top), row.text.strip()) for rows in pages if rows for row in {rows[0], rows[-1]})
    return {edge for edge, count in edges.items() if count > 1}


def _placed(pages: list[list[Row]]) -> list[tuple[int, Row, float, float]]:
    """Return every row with its page number and its page's column edges (left, right)."""
    placed = []
    for page, rows in enumerate(pages):
        if rows:
            left, right = _column(rows)
            placed.extend((page, row, left, right) for row in rows)
    return placed


def _column(rows: list[Row]) -> tuple[float, float]:
    """Return the left and right edges of a page's text column.

    The right edge is where full lines end: the furthest right end shared by two
    lines, so that a right-aligned date or page number does not move it.
    """
    wide = [row for row in rows if len(row.text.strip()) > 3] or rows
    ends = Counter(round(row.x1) for row in wide)
    shared = [end for end, count in ends.items() if count > 1]
    return min(row.x0 for row in wide), float(max(shared or ends))


def _first_word(row: Row) -> float:
    """Return about how wide the first unbreakable piece of ``row`` is, plus some slack, in points."""
    return (first_unit_ems(row.text.strip()) + SLACK_EMS) * row.size


def _pages(path: Path, name: str, on_progress: Progress | None = None) -> list[list[Row]]:
    """Return the rows of text of every page of the PDF at ``path``; stop after MAX_SEARCH_PAGES pages without a 提要."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    pages: list[list[Row]] = []
    found = False
    try:
        total = _page_count(path)
        for number, page in enumerate(extract_pages(path, laparams=LAParams(line_margin=0.2)), start=1):
            pages.append(_rows(page))
            found = found or any(row.text.replace(" ", "").strip() == "提要" for row in pages[-1])
            if on_progress:
                on_progress(number, total, name)
            if number >= MAX_SEARCH_PAGES and not found:
                raise BriefError(f"{name}: no 提要 in its first {MAX_SEARCH_PAGES} pages (a line reading 提要 followed by "
                                 "sections 壹、貳…); import needs a report of the series.")
        return pages
    except BriefError:
        raise
    except Exception as error:  # pdfminer raises many unrelated types on a broken file
        raise BriefError(f"{name}: cannot be read as a PDF ({type(error).__name__}); give the report's PDF or its text.") from None


def _page_count(path: Path) -> int:
    """Return the number of pages of the PDF at ``path`` (0 when pdfium cannot tell)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError:
        return 0
    try:
        return len(document)
    finally:
        document.close()


def _rows(page: LTPage) -> list[Row]:
    """Return the page's text lines, top to bottom, pieces on one baseline joined."""
    from pdfminer.layout import LTTextContainer, LTTextLine

    pieces = [
        line
        for box in page
        if isinstance(box, LTTextContainer)
        for line in (box if not isinstance(box, LTTextLine) else [box])
        if isinstance(line, LTTextLine) and line.get_text().strip()
    ]
    pieces.sort(key=lambda line: (-round(line.y1), line.x0))
    rows: list[Row] = []
    for line in pieces:
        text, bold = line.get_text().rstrip("\n"), _bold(line)
        if rows and abs(rows[-1].top - line.y1) < line.height / 2:
            last = rows[-1]
            rows[-1] = Row(last.top, last.x0, line.x1, last.size, last.text + text, last.bold and bold)
        else:
            rows.append(Row(line.y1, line.x0, line.x1, line.height, text, bold))
    return rows


def _bold(line) -> bool:
    """Return True when every letter of the pdfminer text ``line`` is set in a bold face."""
    fonts = {char.fontname.lower() for char in line if hasattr(char, "fontname") and char.get_text().strip()}
    return bool(fonts) and all(any(weight in font for weight in ("bold", "black", "heavy")) for font in fonts)
