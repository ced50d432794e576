"""Step 1 of the pipeline: load a content file into a validated Report that remembers its lines."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.errors import ContentError, Origin, shown_path

if TYPE_CHECKING:
    from policybrief.load.schema import Report
    from policybrief.load.yamlfile import YamlDocument


def load_report(path: Path, fonts: Sequence[Sequence[str]]) -> Report:
    """Return the Report in ``path``; raise ContentError listing every problem.

    Every character must have a glyph in each font role of ``fonts`` (lists of
    families, see Theme.font_roles). Glyphs are checked only once the content
    is valid: a field that is wrong anyway should not also be reported for its
    characters. The report keeps an index of where each of its texts stands
    (``origins``), so later stages can name the line to edit.
    """
    # Imported here: a no-change rebuild reaches this module but must not pay for pydantic.
    from policybrief.load.glyphs import missing_glyphs
    from policybrief.load.schema import Report, as_written
    from policybrief.load.validate import validate
    from policybrief.load.yamlfile import load_yaml

    document = load_yaml(path, shown_path(path), as_written=as_written)
    report = validate(document, Report)
    problems = missing_glyphs(document, fonts)
    if problems:
        raise ContentError(problems)
    report._origins = Origins(document, report)
    return report


class Origins:
    """Where each text of a report stands in its content file: text → Origin."""

    def __init__(self, document: YamlDocument, report: Report) -> None:
        from policybrief.load.yamlfile import format_key_path, strings_in

        self.file = document.path
        self.texts: dict[str, Origin] = {}
        data = report.model_dump()
        # The 提要 first: a text that stands there and elsewhere too (a contributor's subject) is named at the 提要.
        ordered = {"sections": data.pop("sections"), **data}
        for key_path, text in strings_in(ordered):
            origin = Origin(document.path, document.line_of(key_path), format_key_path(key_path))
            self.texts.setdefault(_folded(text), origin)
        self._longest_first = sorted(self.texts, key=len, reverse=True)

    def find(self, text: str) -> Origin | None:
        """Return the origin of ``text``: the content text it is, else the longest one it contains (None if neither)."""
        folded = _folded(text)
        found = self.texts.get(folded)
        if found is not None:
            return found
        return next((self.texts[known] for known in self._longest_first if len(known) > 1 and known in folded), None)


def _folded(text: str) -> str:
    """Return ``text`` with every run of whitespace made one space, as the deck's plan reads it."""
    return " ".join(text.split())
