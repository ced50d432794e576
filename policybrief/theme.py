"""The theme: design tokens both outputs use (colours, fonts, sizes, page, logo).

``theme.yaml`` is looked up on the template search path, so a user folder
holding only a ``theme.yaml`` restyles both the brief and the deck. The brief
receives the tokens as CSS custom properties; the deck applies them to its
master's theme and uses the sizes to fit text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

from policybrief.errors import TemplateError
from policybrief.schema import Line, Model
from policybrief.validate import validate
from policybrief.yamlfile import load_yaml

THEME_FILE = "theme.yaml"
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_LENGTH = re.compile(r"^\d+(\.\d+)?(mm|cm|pt|in)$")


def _colour(value: str) -> str:
    """Return a ``#RRGGBB`` colour in upper case; reject anything else."""
    if not _COLOUR.match(value):
        raise ValueError(f'expected a colour as #RRGGBB, e.g. "#1F3A5F", not {value!r}')
    return value.upper()


def _length(value: str) -> str:
    """Return a CSS length in mm, cm, pt or in; reject anything else."""
    if not _LENGTH.match(value):
        raise ValueError(f'expected a length such as "22mm" or "10.5pt", not {value!r}')
    return value


Colour = Annotated[str, AfterValidator(_colour)]
Length = Annotated[str, AfterValidator(_length)]


class Colours(Model):
    """The palette: one accent colour plus greys."""

    accent: Colour
    text: Colour
    muted: Colour
    rule: Colour
    background: Colour


class Face(Model):
    """A font role with its Latin and East-Asian typefaces."""

    latin: Line
    east_asian: Line


class Fonts(Model):
    """Typefaces for headings and body text."""

    heading: Face
    body: Face


class Page(Model):
    """The brief's page: size and margins."""

    size: Line = "A4"
    margin_top: Length
    margin_bottom: Length
    margin_inner: Length
    margin_outer: Length


class BriefStyle(Model):
    """Sizes of the PDF brief."""

    page: Page
    body_size: Length
    line_height: float = Field(gt=1, le=3)


class Layouts(Model):
    """Which layout of the master each slide role uses."""

    title: Line = "Title"
    agenda: Line = "Agenda"
    section: Line = "Section"
    topic: Line = "Topic"
    closing: Line = "Closing"


class DeckStyle(Model):
    """The deck's master and text sizes (points)."""

    master: Line = "deck/master.pptx"
    layouts: Layouts = Layouts()
    title_size: float = Field(ge=12, le=96)
    body_size: float = Field(ge=12, le=72)
    min_body_size: float = Field(ge=8, le=72)
    max_bullets: int = Field(ge=1, le=20)


class Theme(Model):
    """Every design token of the brief and the deck."""

    colours: Colours
    fonts: Fonts
    brief: BriefStyle
    deck: DeckStyle
    logo: Line | None = None


def find_theme(folders: list[Path]) -> Path:
    """Return the first ``theme.yaml`` on the search path ``folders``."""
    for folder in folders:
        candidate = folder / THEME_FILE
        if candidate.is_file():
            return candidate
    raise TemplateError(f"{THEME_FILE} not found; looked in: {', '.join(map(str, folders))}.")


def load_theme(folders: list[Path]) -> Theme:
    """Return the validated theme found on the search path; raise ContentError with file and line."""
    from policybrief.content import shown_path

    path = find_theme(folders)
    return validate(load_yaml(path, shown_path(path)), Theme)
