"""The theme: design tokens both outputs use (colours, fonts, sizes, page, logo).

``theme.yaml`` is looked up on the template search path (user folders first),
so a user folder holding only a ``theme.yaml`` restyles both the brief and the
deck; a user's file holds only the keys it changes. The brief receives the tokens as CSS custom properties (see
``templates/brief/base.html``); the deck writes them into its master's theme
part and fits text with its sizes. Every value is validated strictly (colours
as ``#RRGGBB``, lengths with a unit, font names of letters, digits, spaces and
hyphens) because the brief pastes them into CSS.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, PrivateAttr, model_validator

from policybrief.compose.environment import builtin_templates, find_file
from policybrief.errors import TemplateError, shown_path
from policybrief.load.glyphs import Families
from policybrief.load.schema import Extra, Model
from policybrief.load.validate import validate
from policybrief.load.yamlfile import load_yaml
from policybrief.typography.fonts import WEIGHTS, installed
from policybrief.typography.measure import Measurer, measurer

THEME_FILE = "theme.yaml"
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_LENGTH = re.compile(r"[0-9]+(\.[0-9]+)?(mm|cm|pt|in)")  # ASCII digits: a full-width ２２mm is not CSS
_FONT = re.compile(r"[\w][\w \-]*")
# Named page sizes (width × height in mm, portrait), as CSS knows them; names are matched in any case.
PAGE_SIZES = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "A6": (105, 148), "B4": (250, 353),
              "B5": (176, 250), "JIS-B4": (257, 364), "JIS-B5": (182, 257), "letter": (215.9, 279.4),
              "legal": (215.9, 355.6)}
# The smallest page the brief is laid out on (A6): below it the cover, the running heads and a
# column of a dozen characters no longer fit.
MIN_PAGE = (105, 148)
MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
_CUSTOM_PAGE = re.compile(r"([0-9]+(?:\.[0-9]+)?)(mm|cm|in|pt) +([0-9]+(?:\.[0-9]+)?)(mm|cm|in|pt)")
_ORIENTED = re.compile(r"(\S+)(?: +(portrait|landscape))?", re.I)
# Of the page's width (height), at most this much goes to the two side (top and bottom)
# margins: the built-in A4 margins would leave a small page a column of a few characters.
MAX_MARGIN_SHARE = 0.4
_LAYOUT = re.compile(r"[^\x00-\x1f]+")


def _matching(pattern: re.Pattern[str], what: str):
    """Return a validator accepting only values that match ``pattern`` whole."""
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"expected {what}, not {value!r}")
        return value
    return AfterValidator(check)


Colour = Annotated[str, _matching(_COLOUR, 'a colour as #RRGGBB, e.g. "#1F3864"'), AfterValidator(str.upper)]
Length = Annotated[str, _matching(_LENGTH, 'a length such as "22mm" or "10.5pt"')]
FontName = Annotated[str, _matching(_FONT, 'a font name of letters, digits, spaces and hyphens, e.g. "Noto Sans CJK TC"')]
def _page_size(value: str) -> str:
    """Return a page size written as CSS wants it ("a5" → "A5", "Letter Landscape" → "letter landscape").

    Raises ValueError for an unknown name or a page smaller than MIN_PAGE.
    """
    value = " ".join(value.split())
    custom = _CUSTOM_PAGE.fullmatch(value)
    oriented = _ORIENTED.fullmatch(value)
    names = {name.lower(): name for name in PAGE_SIZES}
    if custom:
        normal = f"{custom[1]}{custom[2]} {custom[3]}{custom[4]}"
    elif oriented and oriented[1].lower() in names:
        normal = names[oriented[1].lower()] + (f" {oriented[2].lower()}" if oriented[2] else "")
    else:
        raise ValueError(f"expected a page size such as \"A4\", \"A5\", \"B5\", \"letter\", \"A5 landscape\" "
                         f"or width and height such as \"170mm 240mm\", not {value!r}")
    width, height = page_dimensions(normal)
    if min(width, height) < MIN_PAGE[0] - 0.05 or max(width, height) < MIN_PAGE[1] - 0.05:
        raise ValueError(f"{value!r} is {width:g} × {height:g} mm, smaller than the {MIN_PAGE[0]} × {MIN_PAGE[1]} mm (A6) "
                         "the brief can be laid out on; choose a larger page")
    return normal


def page_dimensions(size: str) -> tuple[float, float]:
    """Return (width, height) in mm of a page size as ``_page_size`` writes it."""
    custom = _CUSTOM_PAGE.fullmatch(size)
    if custom:
        return float(custom[1]) * MM_PER_UNIT[custom[2]], float(custom[3]) * MM_PER_UNIT[custom[4]]
    name, _, orientation = size.partition(" ")
    width, height = PAGE_SIZES[name]
    return (height, width) if orientation == "landscape" else (width, height)


def to_mm(length: str) -> float:
    """Return a Length (``"22mm"``, ``"11pt"``) in millimetres."""
    number, unit = _LENGTH.fullmatch(length).group(0, 2)
    return float(number[: -len(unit)]) * MM_PER_UNIT[unit]


def _mm(value: float) -> str:
    """Return ``value`` millimetres as a CSS length with at most two decimals."""
    return f"{round(value, 2):g}mm"


PageSize = Annotated[str, AfterValidator(_page_size)]
LayoutName = Annotated[str, _matching(_LAYOUT, "a layout name on one line")]
FileName = Annotated[str, _matching(_LAYOUT, "a file name on one line")]


class Colours(Model):
    """The palette: one accent colour, its tint and greys."""

    accent: Colour
    tint: Colour
    text: Colour
    muted: Colour
    rule: Colour
    paper: Colour


class FontRole(Model):
    """A font role with its Latin and East-Asian typefaces."""

    latin: FontName
    east_asian: FontName

    def measurer(self, bold: bool = False, latin_scale: float = 1.0) -> Measurer:
        """Return the measurer of text set in this role's typefaces (Latin widths times ``latin_scale``)."""
        return measurer(self.latin, self.east_asian, bold, latin_scale)

    def families(self) -> list[str]:
        """Return the role's font families in CSS order: Latin face first, then the East-Asian one (once if the same)."""
        return list(dict.fromkeys((self.latin, self.east_asian)))


class Fonts(Model):
    """Typefaces: headings (both outputs), the brief's body text, and slide text."""

    heading: FontRole
    body: FontRole
    slides: FontRole


class Page(Model):
    """The brief's page: size and margins (inner = binding side)."""

    size: PageSize
    margin_top: Length
    margin_bottom: Length
    margin_inner: Length
    margin_outer: Length

    def dimensions(self) -> tuple[float, float]:
        """Return the page's (width, height) in mm."""
        return page_dimensions(self.size)

    def margins(self) -> dict[str, str]:
        """Return the margins (top, bottom, inner, outer) as CSS lengths, those of each pair shrunk together
        where the theme's would take more than MAX_MARGIN_SHARE of the page (a small page keeps a column)."""
        width, height = self.dimensions()
        pairs = {("top", "bottom"): height, ("inner", "outer"): width}
        result: dict[str, str] = {}
        for pair, side in pairs.items():
            lengths = [to_mm(getattr(self, f"margin_{name}")) for name in pair]
            scale = min(1.0, MAX_MARGIN_SHARE * side / sum(lengths)) if sum(lengths) else 1.0
            for name, length in zip(pair, lengths, strict=True):
                result[name] = getattr(self, f"margin_{name}") if scale == 1.0 else _mm(length * scale)
        return result

    def text_width(self) -> float:
        """Return the width in mm between the side margins."""
        margins = self.margins()
        return self.dimensions()[0] - to_mm(margins["inner"]) - to_mm(margins["outer"])

    def cover_scale(self) -> float:
        """Return how much smaller than on A4 the cover title is set (1.0 on a page as wide as A4 or wider)."""
        return round(min(1.0, self.dimensions()[0] / 210) ** 0.5, 3)

    def cover_title_top(self) -> str:
        """Return the space between the cover's band and its title: 78 mm on A4, less than in proportion on a
        shorter page, whose band (set in fixed sizes) takes a larger share of it."""
        share = self.dimensions()[1] / 297
        return _mm(max(10.0, 78 * share - 35 * max(0.0, 1 - share)))

    def narrow(self) -> bool:
        """Return whether the page is too narrow for the back cover's series list in three columns."""
        return self.dimensions()[0] < 170

    def scaled(self, a4_length: float, along: str = "height") -> str:
        """Return ``a4_length`` mm of an A4 page scaled to this page's height (or width) as a CSS length:
        where the cover and back cover place things."""
        width, height = self.dimensions()
        return _mm(a4_length * (height / 297 if along == "height" else width / 210))


class BriefStyle(Model):
    """Page and text sizes of the PDF brief."""

    page: Page
    body_size: Length
    line_height: float = Field(ge=1, le=3)
    measure: int = Field(41, ge=20, le=60)  # the text column, in Han characters (ems of body_size)
    indent: float = Field(2, ge=0, le=4)     # first-line indent of body paragraphs, in ems
    print_marks: bool = False                # 3 mm bleed and crop marks, for a print shop

    def column(self) -> int:
        """Return the text column in Han characters: ``measure``, or fewer where the page is narrower."""
        return max(1, min(self.measure, int(self.page.text_width() / to_mm(self.body_size) + 0.01)))


class Layouts(Model):
    """The master's layout name for each slide role.

    The first five every master must have; a master without one of the others
    (an older or corporate master) gets that role's slides on the topic
    layout instead, and the build says so.
    """

    title: LayoutName
    agenda: LayoutName
    section: LayoutName
    topic: LayoutName
    closing: LayoutName
    overview: LayoutName = "Overview"
    statement: LayoutName = "Statement"
    two_columns: LayoutName = "Two Columns"
    three_columns: LayoutName = "Three Columns"
    team: LayoutName = "Team"
    sources: LayoutName = "Sources"


# The slide roles a deck template may ask for; the theme maps each to a layout of the master.
ROLES = tuple(Layouts.model_fields)
REQUIRED_ROLES = ("title", "agenda", "section", "topic", "closing")
# Where a role's slides go when the master lacks its layout.
FALLBACK_ROLE = "topic"


def _largest_first(steps: list[list[float]]) -> list[list[float]]:
    """Return ``steps`` when each (headline, body) step is smaller than the one before it; raise otherwise."""
    for bigger, smaller in zip(steps, steps[1:], strict=False):
        if not (smaller[0] <= bigger[0] and smaller[1] <= bigger[1] and smaller != bigger):
            raise ValueError("list the steps largest first, each smaller than the one before")
    return steps


Size = Annotated[float, Field(ge=10, le=96)]
Step = Annotated[list[Size], Field(min_length=2, max_length=2)]  # [headline, body]
Steps = Annotated[list[Step], Field(min_length=1, max_length=6), AfterValidator(_largest_first)]


class TypeScale(Model):
    """The named steps of the slides that show points: (headline, body) in points, largest first, per kind of slide."""

    statement: Steps = [[36, 28], [32, 24]]
    columns: Steps = [[26, 24], [24, 20]]
    list: Steps = [[32, 28], [28, 24], [24, 20], [22, 18]]


class DeckStyle(Model):
    """The deck's master, its layouts by role, text sizes (points) and where point bodies go."""

    master: FileName
    layouts: Layouts
    bodies: Literal["slides", "notes"] = "slides"
    title_size: float = Field(ge=12, le=96)
    body_size: float = Field(ge=12, le=72)
    min_title_size: float = Field(default=24, ge=12, le=72)
    min_headline_size: float = Field(default=18, ge=10, le=72)
    min_body_size: float = Field(ge=10, le=72)
    line_spacing: float = Field(default=1.35, ge=1, le=2.5)  # of body text, in ems: exact, so every viewer spaces lines alike
    title_line_spacing: float = Field(default=1.15, ge=1, le=2.5)  # of titles and headlines
    scale: TypeScale = TypeScale()
    min_point_body_size: float = Field(default=18, ge=10, le=72)  # no body on a point slide under this: continue instead
    max_points: int = Field(default=4, ge=1, le=12)
    max_bullets: int = Field(ge=1, le=20)
    # The East-Asian face written into the file, when it differs from the one text is measured in
    # (fonts.slides.east_asian): e.g. Microsoft JhengHei for a Windows audience. It need not be installed here.
    east_asian_font: FontName | None = None

    @model_validator(mode="after")
    def _readable_bodies(self) -> DeckStyle:
        """Return the style when no step of the type scale sets a body under ``min_point_body_size``; raise otherwise."""
        for kind in TypeScale.model_fields:
            small = [body for _, body in getattr(self.scale, kind) if body < self.min_point_body_size]
            if small:
                raise ValueError(f"scale.{kind} sets a body at {min(small):g} pt, under min_point_body_size "
                                 f"({self.min_point_body_size:g} pt); raise the step or lower the minimum")
        return self


class Theme(Model):
    """Every design token of the brief and the deck."""

    colours: Colours
    fonts: Fonts
    brief: BriefStyle
    deck: DeckStyle
    logo: FileName | None = None
    extra: Extra = {}  # the user's own texts, for their templates: theme.extra.brand
    _folder: Path = PrivateAttr(default=Path("."))  # where theme.yaml was found: not a key of the file
    _font_places: dict[str, tuple[str, int, str]] = PrivateAttr(default_factory=dict)  # role → (file, line, key)
    _warnings: list[str] = PrivateAttr(default_factory=list)  # what a build should say about the theme

    def warnings(self) -> list[str]:
        """Return the located warnings about this theme (e.g. a heading face without bold)."""
        return list(self._warnings)

    def font_roles(self) -> list[tuple[str, ...]]:
        """Return the font families of each role (body, heading, slides; each distinct list once), for the glyph check."""
        roles = {role: getattr(self.fonts, role) for role in ("body", "heading", "slides")}
        found: dict[tuple[str, ...], Families] = {}
        for role, face in roles.items():
            found.setdefault(tuple(face.families()), Families(face.families(), self._font_places.get(role)))
        return list(found.values())

    def layout_name(self, role: str) -> str:
        """Return the master's layout name for slide ``role`` (a literal layout name passes through)."""
        return getattr(self.deck.layouts, role) if role in ROLES else role

    def written_east_asian(self) -> str:
        """Return the East-Asian typeface the deck names on its runs and in its theme."""
        return self.deck.east_asian_font or self.fonts.slides.east_asian

    def logo_path(self) -> Path | None:
        """Return the logo file (None without a logo)."""
        return (self._folder / self.logo).resolve() if self.logo else None

    def logo_uri(self) -> str:
        """Return the logo as a file URI ('' without a logo)."""
        return (self._folder / self.logo).resolve().as_uri() if self.logo else ""


def find_theme(folders: list[Path]) -> Path:
    """Return the first ``theme.yaml`` on the search path ``folders``."""
    found = find_file(folders, THEME_FILE)
    if found is not None:
        return found
    raise TemplateError(f"{THEME_FILE}: not found; looked in: {', '.join(map(str, folders))}.")


def load_theme(folders: list[Path]) -> Theme:
    """Return the validated theme found first on the search path (over the built-in one); raise ContentError with file and line."""
    path = find_theme(folders)
    document = load_yaml(path, shown_path(path), example="colours")
    builtin = builtin_templates().resolve() / THEME_FILE
    if path.resolve() != builtin and isinstance(document.data, dict):
        # A user's theme.yaml need hold only what it changes; the rest is the built-in theme's.
        document.data = _merged(load_yaml(builtin, shown_path(builtin)).data, document.data)
    theme = validate(document, Theme)
    theme._folder = path.parent.resolve()
    theme._font_places = {role: (shown_path(path), document.line_of(("fonts", role, "east_asian")), f"fonts.{role}")
                          for role in ("body", "heading", "slides")}
    if theme.logo:
        _check_logo(theme, f"{shown_path(path)}:{document.line_of(('logo',))}", folders)
    _check_master(theme, f"{shown_path(path)}:{document.line_of(('deck', 'master'))}", folders)
    for role, kind in ((role, kind) for role in ("heading", "body", "slides") for kind in ("latin", "east_asian")):
        _check_font(getattr(getattr(theme.fonts, role), kind), f"{shown_path(path)}:{document.line_of(('fonts', role, kind))}",
                    f"fonts.{role}.{kind}")
    for kind in ("latin", "east_asian"):
        family = getattr(theme.fonts.heading, kind)
        if not _has_bold(family):
            theme._warnings.append(
                f"{shown_path(path)}:{document.line_of(('fonts', 'heading', kind))}: fonts.heading.{kind}: {family} has no "
                "bold face, so headings come out in its regular weight; name a family with a bold face (e.g. Noto Sans CJK TC).")
    return theme


def _has_bold(family: str) -> bool:
    """Return whether the installed ``family`` has a bold face of its own.

    Asked for bold, fontconfig answers with the regular face (marked to be
    emboldened) when there is none: the same file and face index.
    """
    bold, regular = installed(family, WEIGHTS["bold"]), installed(family, WEIGHTS["normal"])
    return bold is not None and regular is not None and (bold.path, bold.index) != (regular.path, regular.index)


def _check_font(family: str, where: str, key: str) -> None:
    """Raise TemplateError (at ``where``, file:line) when font ``family`` is not installed.

    Otherwise the PDF would silently fall back to another font, and the deck
    would be fitted with metrics of a font the slides do not use.
    """
    if installed(family, WEIGHTS["normal"]) is None:
        raise TemplateError(f"{where}: {key}: the font {family!r} is not installed on this machine; "
                            "install it, or name an installed family (fc-list : family lists them).")


def _merged(base: object, override: object) -> object:
    """Return ``override`` laid over ``base``: mappings key by key, anything else replaced whole."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    return {**base, **{key: _merged(base.get(key), value) for key, value in override.items()}}


# A logo is drawn a few centimetres wide: these are far above any real one, and
# stop an image whose header declares billions of pixels before it is decoded.
MAX_LOGO_BYTES = 10_000_000
MAX_LOGO_PIXELS = 40_000_000
MAX_LOGO_SIDE = 20_000


def _check_logo(theme: Theme, where: str, folders: list[Path]) -> None:
    """Raise TemplateError (at ``where``, file:line) when the logo is missing, outside the template folders or cannot be drawn."""
    logo = (theme._folder / theme.logo).resolve()
    if not any(logo.is_relative_to(Path(folder).resolve()) for folder in folders):
        raise TemplateError(f"{where}: logo {theme.logo!r} is outside the template folders; put the image next to theme.yaml.")
    if not logo.is_file():
        raise TemplateError(f"{where}: logo {theme.logo!r} not found next to theme.yaml; check the file name.")
    if logo.stat().st_size > MAX_LOGO_BYTES:
        raise TemplateError(f"{where}: logo {theme.logo!r} is {logo.stat().st_size / 1_000_000:.1f} MB, more than the "
                            f"{MAX_LOGO_BYTES // 1_000_000} MB a logo may have; save a smaller image.")
    problem = _svg_problem(logo) if logo.suffix.lower() == ".svg" else _raster_problem(logo)
    if problem:
        # WeasyPrint would leave it out of the cover with no more than a log line.
        raise TemplateError(f"{where}: logo {theme.logo!r} {problem}.")


_NOT_AN_IMAGE = "is not a PNG, JPEG, GIF, WebP or SVG image; save the logo in one of these formats"


def _raster_problem(path: Path) -> str | None:
    """Return what keeps the raster image at ``path`` from being a logo, or None (the header is read, nothing decoded)."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # open reads only the header: its size is checked below
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS or max(width, height) > MAX_LOGO_SIDE:
                    return _too_large(width, height)
                image.verify()
                if image.format not in {"PNG", "JPEG", "GIF", "WEBP"}:
                    return _NOT_AN_IMAGE
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return _NOT_AN_IMAGE
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    return None


def _too_large(width: int, height: int) -> str:
    """Return the problem of an image declaring ``width`` × ``height`` pixels."""
    return f"declares {width:,} × {height:,} pixels, more than the {MAX_LOGO_PIXELS // 1_000_000} million a logo may have; save it smaller (a few hundred pixels wide is plenty)"


def _svg_problem(path: Path) -> str | None:
    """Return what keeps the SVG at ``path`` from being drawn as a logo, or None.

    The file is parsed with expat, entity declarations refused (no "billion
    laughs"); its root must be an ``<svg>`` element with a numeric viewBox
    and size, and every reference (href, ``url(…)``) must be inside the SVG,
    a ``data:`` URL or a file next to it: the outputs' sandbox refuses the
    rest, and the logo would silently go missing.
    """
    from xml.parsers import expat

    elements: list[tuple[str, dict[str, str]]] = []
    texts: list[str] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse_entities(*_: object) -> None:
        raise ValueError("it declares XML entities, which a logo must not")

    parser.EntityDeclHandler = refuse_entities
    parser.StartElementHandler = lambda name, attributes: elements.append((name, attributes))
    parser.CharacterDataHandler = texts.append
    try:
        parser.Parse(path.read_bytes(), True)
    except expat.ExpatError as error:
        return f"is not a valid SVG image (line {error.lineno}: {expat.ErrorString(error.code)}); save it again from the drawing program"
    except ValueError as error:
        return f"is not a valid SVG image ({error}); save it again from the drawing program"
    if not elements or elements[0][0].split(" ")[-1] != "svg":
        return "is not an SVG image (its first element is not <svg>); save the logo as SVG, PNG or JPEG"
    root = elements[0][1]
    box = root.get("viewBox", "").replace(",", " ").split()
    if root.get("viewBox") is not None and (len(box) != 4 or not all(re.fullmatch(r"-?[0-9.]+(e-?[0-9]+)?", n) for n in box)
                                            or float(box[2]) <= 0 or float(box[3]) <= 0):
        return f"has the viewBox {root['viewBox'][:40]!r}, not four numbers with a positive width and height; correct it"
    for name in ("width", "height"):
        if name in root and not re.match(r"[0-9.]*[0-9]", root[name]):
            return f"has the {name} {root[name][:40]!r}, not a number; correct it or remove it"
    references = [value for _, attributes in elements for key, value in attributes.items() if key.split(" ")[-1] == "href"]
    styles = [value for _, attributes in elements for key, value in attributes.items() if key.split(" ")[-1] == "style"]
    references += re.findall(r"url\(\s*['\"]?([^'\")]*)", " ".join([*styles, *texts]))
    references += re.findall(r"@import\s+['\"]([^'\"]*)", " ".join(texts))
    for reference in references:
        if not _inside_logo(reference.strip(), path.parent):
            shown = reference.strip() if len(reference.strip()) <= 60 else reference.strip()[:59] + "…"
            return (f"refers to {shown!r}, which is not allowed: an SVG logo may use only itself, data: URLs "
                    "and files next to it; copy the file next to the logo")
    return None


def _inside_logo(reference: str, folder: Path) -> bool:
    """Return True for a reference an SVG logo may make: a fragment, a data: URL or a file inside ``folder``."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(reference)
    if reference.startswith("#") or parts.scheme.lower() == "data":
        return True
    if parts.scheme or parts.netloc or not parts.path:
        return False
    return (folder / unquote(parts.path)).resolve().is_relative_to(folder.resolve())


def _check_master(theme: Theme, where: str, folders: list[Path]) -> None:
    """Raise TemplateError (at ``where``, file:line) when deck.master is not in the template folders."""
    if find_file(folders, theme.deck.master) is None:
        shown = ", ".join(shown_path(Path(folder)) for folder in folders)
        raise TemplateError(f"{where}: deck.master: {theme.deck.master!r} is not in the template folders ({shown}); "
                            "save your master there, or correct the name (it is relative to the templates folder).") from None
