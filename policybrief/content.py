"""Step 1 of the pipeline: load a content file into a validated Report."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.errors import ContentError

if TYPE_CHECKING:
    from policybrief.schema import Report


def shown_path(path: Path) -> str:
    """Return ``path`` as users see it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def load_report(path: Path, fonts: Sequence[Sequence[str]] | None = None) -> Report:
    """Return the Report in ``path``; raise ContentError listing every problem.

    Every character must have a glyph in each font role of ``fonts`` (lists of
    families, see Theme.font_roles; default: the built-in theme's). Glyphs are
    checked only once the content is valid: a field that is wrong anyway
    should not also be reported for its characters.
    """
    # Imported here: a no-change rebuild reaches shown_path but must not pay for pydantic.
    from policybrief.glyphs import DEFAULT_ROLES, missing_glyphs
    from policybrief.schema import Report
    from policybrief.validate import validate
    from policybrief.yamlfile import load_yaml

    document = load_yaml(path, shown_path(path))
    report = validate(document, Report)
    problems = missing_glyphs(document, fonts or DEFAULT_ROLES)
    if problems:
        raise ContentError(problems)
    return report
