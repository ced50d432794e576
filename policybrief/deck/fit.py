"""Fitting the slide plan to the master: layouts chosen by the material, every text at the largest size that fits.

Texts are measured with the theme's slide typefaces (``typography.measure``)
in the real placeholder boxes of the master, with a margin for renderers and
substitute faces. A slide of points gets a layout by its material: one point
→ statement, two or three that fit → columns, more or longer → a list,
continued on ``（續）`` slides rather than shrunk below the theme's minimums; a
headline never leaves its body. A title that cannot fit even at the minimum
size is a Problem at the line that wrote it (content or template), so
``check`` finds it without building.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from policybrief.deck.master import Geometry, Placeholder
from policybrief.deck.plan import PLACEHOLDERS, PointPlan, SlidePlan
from policybrief.errors import BriefError
from policybrief.typography import rules

if TYPE_CHECKING:  # the theme (and pydantic) is loaded only when a deck is made
    from policybrief.compose.theme import Theme

SIZE_STEP = 2  # shrink in even steps: slides of one deck share a few sizes, not one per slide
# Renderers differ a little in line breaking: keep a margin. A recipient without our font gets a substitute
# face: its Han characters are 1 em like ours, its Latin letters and digits may run wider (WenQuanYi Zen Hei's by
# up to a tenth), so Latin text is measured that much wider.
SAFETY_WIDTH, SAFETY_HEIGHT = 0.97, 0.97
LATIN_ALLOWANCE = 1.12
LEGACY_SPACE = 0.6  # space before a paragraph (em) when the master sets none
CONTINUED = "（續）"
SLOT_ROLES = {1: "statement", 2: "two_columns", 3: "three_columns"}
# A columns slide whose fullest body box is less full than this is sparse: its points go into a list instead;
# so is a one-point statement (below STATEMENT_SPARSE) in a run of such slides of one section: they share list slides.
SPARSE = 0.65
STATEMENT_SPARSE = 0.75
LIST_ROLES = ("topic", "team", "sources", "overview")
MAX_CARDS = 3  # short one-point topics of a section sharing a slide: as many side by side as the master has columns
SHORT_LAST_LINE = 4  # a text whose last line holds this many characters or fewer is set on balanced lines
MAX_PARTITIONS = 4096  # ways of cutting a list into slides tried for the most even cut (20 points in 5 slides: 3,876)


@dataclass(frozen=True)
class Para:
    """One paragraph as it will be written: text (line breaks as \\n), size, bold, list level (0 or 1), space before and line pitch (pt)."""

    text: str
    size: float
    bold: bool
    level: int = 0
    space_before: float = 0.0
    line_pitch: float = 0.0  # exact distance between lines; 0: the font's own
    link: str = ""  # the address the paragraph's text links to


@dataclass(frozen=True)
class Box:
    """The paragraphs that go into one placeholder (by name) of a slide's layout."""

    placeholder: str
    paragraphs: list[Para]
    shift: float = 0.0  # how far (pt) the text is moved down from where the layout puts it: short material centred

    def height(self) -> float:
        """Return the height (pt) the paragraphs take, as measured: lines at their exact pitch, spaces between paragraphs."""
        return sum((para.text.count("\n") + 1) * para.line_pitch + para.space_before for para in self.paragraphs)


@dataclass(frozen=True)
class Slide:
    """One slide to write: the master layout, its filled boxes, speaker notes, footer, and whether it shows the logo."""

    layout: str
    boxes: list[Box]
    notes: list[str] = field(default_factory=list)
    footer: str = ""
    logo: bool = False
    step: int = -1  # the step of the type scale its points are set at (-1: a slide without points)


@dataclass(frozen=True)
class Fitted:
    """The fitted deck: its slides, and what the build should tell the user (continuations, layout fallbacks)."""

    slides: list[Slide]
    messages: list[str]


def fit_deck(plans: list[SlidePlan], master: Geometry, theme: Theme, terms: frozenset[str] = frozenset()) -> Fitted:
    """Return every slide of ``plans`` fitted to ``master``'s layouts (as ``theme`` maps roles to them), lines broken
    between phrases with ``terms`` (the content's names, ``typography.phrases``) kept whole."""
    from policybrief.compose.theme import REQUIRED_ROLES

    for role in REQUIRED_ROLES:
        master.check_layout(theme.layout_name(role))
    fitter = _Fitter(master, theme, terms)
    plans = fitter.merged(plans)
    fitted = [fitter.slides(plan) for plan in plans]
    # The type scale across the deck: each layout's point slides in at most two steps (its smallest and the one
    # that costs the others least); a slide set larger than those allow is fitted again at the next allowed step.
    fitter.allowed = _two_steps(fitted)
    fitted = [fitter.slides(plan) if any(not fitter.allows(page.layout, page.step) for page in pages) else pages
              for plan, pages in zip(plans, fitted, strict=True)]
    slides = []
    for plan, pages in zip(plans, fitted, strict=True):
        if len(pages) > 1:
            origin = plan.origin(plan.title, "title")
            fitter.messages.append(f"continued: {plan.name or plan.title} → {len(pages)} slides ({origin.file}:{origin.line})")
        slides.extend(pages)
    return Fitted(slides, fitter.messages)


def _two_steps(fitted: list[list[Slide]]) -> dict[str, set[int]]:
    """Return, per layout whose point slides use more than two steps of the type scale, the two steps allowed: its
    smallest used (every slide fits there) and the one that moves the fewest steps down in all."""
    used: dict[str, list[int]] = {}
    for page in (page for pages in fitted for page in pages if page.step >= 0):
        used.setdefault(page.layout, []).append(page.step)
    allowed = {}
    for layout, steps in used.items():
        kinds = sorted(set(steps))
        if len(kinds) > 2:
            smallest = kinds[-1]
            moved = {other: sum(min(s for s in (other, smallest) if s >= step) - step for step in steps) for other in kinds[:-1]}
            allowed[layout] = {min(moved, key=lambda other: (moved[other], other)), smallest}
    return allowed


class _Fitter:
    """Fits slide plans to one master with one theme, remembering what to tell the user."""

    def __init__(self, master: Geometry, theme: Theme, terms: frozenset[str] = frozenset()) -> None:
        self.master, self.theme, self.terms = master, theme, terms
        self.messages: list[str] = []
        self._fallbacks: set[str] = set()
        self.allowed: dict[str, set[int]] = {}  # layout → the steps of the type scale its point slides may use

    def allows(self, layout: str, step: int) -> bool:
        """Return True when point slides in ``layout`` may be set at ``step`` of the type scale."""
        return step < 0 or step in self.allowed.get(layout, {step})

    # --- layouts -------------------------------------------------------------------------

    def layout_for(self, role: str) -> str:
        """Return the master layout of ``role``: its own, else the topic layout (said once per role)."""
        name = self.theme.layout_name(role)
        if self.master.has_layout(name) or role not in LIST_ROLES + tuple(SLOT_ROLES.values()):
            return name
        fallback = self.theme.layout_name("topic")
        if role not in self._fallbacks:
            self._fallbacks.add(role)
            self.messages.append(f"layout '{name}' is not in {self.master.path.name}: {role} slides use '{fallback}' "
                                 f"(add the layout, or map deck.layouts.{role} in theme.yaml)")
        return fallback

    def list_boxes(self, layout: str) -> list[str]:
        """Return the placeholders of ``layout`` that hold a list: "Body", or "Column 1", "Column 2"…"""
        names = self.master.names(layout)
        columns = sorted(name for name in names if re.fullmatch(r"Column \d+", name))
        return columns or [name for name in names if name.lower() == "body"][:1]

    def slots(self, layout: str) -> int:
        """Return how many headline/body slots ("Headline 1", "Body 1"…) ``layout`` has."""
        names = set(self.master.names(layout))
        return sum(1 for n in range(1, 10) if f"Headline {n}" in names and f"Body {n}" in names)

    # --- sizes -----------------------------------------------------------------------------

    def _minimum(self, kind: str) -> float:
        """Return the theme's minimum size for a text of ``kind`` (title, headline or body)."""
        deck = self.theme.deck
        return {"title": deck.min_title_size, "headline": deck.min_headline_size}.get(kind, deck.min_body_size)

    def _design(self, placeholder: Placeholder, level: int, kind: str) -> float:
        """Return the design size of a list level of ``placeholder`` (the theme's when the master sets none)."""
        size = placeholder.styles[level].size
        return size or (self.theme.deck.title_size if kind == "title" else self.theme.deck.body_size)

    def _steps(self, layout: str, items: list[tuple[Placeholder, int, str]]) -> int:
        """Return how many size steps the texts ``items`` (placeholder, level, kind) of ``layout`` can shrink: the
        steps of its type scale, else until all are at their minimum."""
        scale = self._scale(layout)
        if scale and any(kind != "title" for _, _, kind in items):
            return len(scale) - 1
        return max((math.ceil(max(self._design(p, level, kind) - self._minimum(kind), 0) / SIZE_STEP)
                    for p, level, kind in items), default=0)

    def _scale(self, layout: str) -> list[list[float]] | None:
        """Return the type scale ((headline, body) per step) of the point slides set in ``layout``; None for other layouts."""
        scale = self.theme.deck.scale
        for role, steps in (("statement", scale.statement), ("two_columns", scale.columns),
                            ("three_columns", scale.columns), ("topic", scale.list)):
            if self.theme.layout_name(role) == layout:
                return steps
        return None

    def _size(self, layout: str, placeholder: Placeholder, level: int, kind: str, step: int) -> float:
        """Return the size of a text of ``kind`` at ``step``: the layout's type scale, else its design size in even steps down to the minimum."""
        scale = self._scale(layout)
        if scale and kind != "title":
            return scale[min(step, len(scale) - 1)][0 if kind == "headline" else 1]
        design = self._design(placeholder, level, kind)
        return max(design - SIZE_STEP * step, min(self._minimum(kind), design))

    def box(self, layout: str, name: str, texts: list[tuple[str, int, str]], step: int) -> Box | None:
        """Return the Box of ``texts`` ((text, level, kind)…) in placeholder ``name`` at size ``step``, or None when it does not fit."""
        found, fullness = self.measure(layout, name, texts, step)
        return found if fullness <= 1 else None

    def measure(self, layout: str, name: str, texts: list[tuple[str, int, str]], step: int) -> tuple[Box, float]:
        """Return the Box of ``texts`` ((text, level, kind)…) in placeholder ``name`` at size ``step``, and how full it is (over 1: too full)."""
        placeholder = self.master.placeholder(layout, name)
        paragraphs, height = [], 0.0
        for n, (text, level, kind) in enumerate(texts):
            style = placeholder.styles[level]
            size = self._size(layout, placeholder, level, kind, step)
            measurer = self.theme.fonts.slides.measurer(style.bold, LATIN_ALLOWANCE)
            width = (placeholder.width - style.indent) * SAFETY_WIDTH
            heading = kind in ("title", "headline")
            lines = measurer.phrase_wrap(text, width, size, self.terms, whole_words=heading)
            space = (style.space_before if style.space_before is not None else LEGACY_SPACE * size) if n else 0.0
            pitch = size * (self.theme.deck.title_line_spacing if kind in ("title", "headline") else self.theme.deck.line_spacing)
            # Lines are set at an exact pitch (Para.line_pitch): PowerPoint and LibreOffice give every line, the first too, that height.
            height += len(lines) * pitch + space
            # Balanced lines: a title or headline over two lines or more, and any text whose last line would
            # hold a few characters only (an overview's topic, a body's last word and its stop).
            if len(lines) > 1 and (heading or len(lines[-1].strip()) <= SHORT_LAST_LINE):
                balanced = measurer.balanced_lines(text, width / size, self.terms)
                # Only where the rules allow breaks that give as few lines, each within the box (not inside a URL, say).
                if len(balanced) == len(lines) and all(measurer.width(line, size) <= width for line in balanced):
                    lines = balanced
            # Every line break written as measured: the renderer breaks between phrases as the fitter did, not inside words.
            paragraphs.append(Para("\n".join(lines), size, style.bold, level, space, pitch))
        return Box(name, paragraphs), height / (placeholder.height * SAFETY_HEIGHT)

    def text_box(self, plan: SlidePlan, layout: str, role: str, paragraphs: list[str]) -> Box:
        """Return the Box of a plain text role (title, subtitle…) at the largest size that fits; raise when none does."""
        kind = "title" if role == "title" else "body"
        name = PLACEHOLDERS[role]
        placeholder = self.master.placeholder(layout, name)
        # A lead card: its first paragraph (a name) on the first level, what follows one level down.
        texts = [(text, int(role == "lead" and n > 0), kind) for n, text in enumerate(paragraphs)]
        for step in range(self._steps(layout, [(placeholder, 0, kind)]) + 1):
            found = self.box(layout, name, texts, step)
            if found is not None:
                return found
        raise BriefError(self._too_long(plan, role, " ".join(paragraphs), layout))

    def _too_long(self, plan: SlidePlan, role: str, text: str, layout: str):
        """Return the Problem of a text that does not fit its placeholder even at the minimum size, at the text's origin."""
        shown = text if len(text) <= 24 else f"{text[:24]}…"
        minimum = self._minimum(role if role in ("title", "headline") else "body")
        origin = plan.origin(text.removesuffix(CONTINUED), role)
        return origin.problem(
            f"the slide {role} “{shown}” of slide '{plan.name or plan.title}' does not fit layout '{layout}' even at {minimum:g} pt",
            "shorten it in the content or enlarge the placeholder in the master")

    # --- slides ----------------------------------------------------------------------------

    def slides(self, plan: SlidePlan) -> list[Slide]:
        """Return the slides ``plan`` needs."""
        plan = self._lead_placed(plan)
        points = plan.points or [PointPlan(text) for text in plan.bullets]
        if not points:
            layout = self.layout_for(plan.layout)
            boxes = [self.text_box(plan, layout, role, texts) for role, texts in plan.texts.items() if texts]
            return [Slide(layout, boxes, list(plan.notes), plan.footer, plan.logo)]
        if plan.points and plan.layout == "points" and len(points) in SLOT_ROLES:
            layout = self.layout_for(SLOT_ROLES[len(points)])  # the topic layout (and a note) when the master lacks it
            found = self._slot_slide(plan, layout) if self.slots(layout) else None
            if found is not None:
                return [found]
        role = plan.layout if plan.layout in LIST_ROLES else "topic" if plan.points else plan.layout
        if not plan.points:
            limit = self.theme.deck.max_bullets
        elif role == "topic":
            limit = self.theme.deck.max_points
        else:
            limit = len(points)
        return self._list_slides(plan, self.layout_for(role), points, limit)

    def _lead_placed(self, plan: SlidePlan) -> SlidePlan:
        """Return ``plan`` with its lead card as the first point of its list when its layout has no "Lead" placeholder."""
        lead = plan.texts.get("lead")
        role = plan.layout if plan.layout in LIST_ROLES else "topic"
        if not lead or PLACEHOLDERS["lead"] in self.master.names(self.layout_for(role)):
            return plan
        texts = {key: value for key, value in plan.texts.items() if key != "lead"}
        return replace(plan, texts=texts, points=[PointPlan(lead[0], lead[1:]), *plan.points])

    def _title_boxes(self, plan: SlidePlan, layout: str, continued: bool) -> list[Box]:
        """Return the boxes of the plan's plain texts (title first), the title marked （續） on a continuation."""
        boxes = []
        for role, texts in plan.texts.items():
            if role in ("bullets",) or not texts or (continued and role == "lead"):
                continue
            if continued and role == "title":
                texts = [f"{plan.title}{CONTINUED}"]
            boxes.append(self.text_box(plan, layout, role, texts))
        return boxes

    def _slot_slide(self, plan: SlidePlan, layout: str) -> Slide | None:
        """Return the one slide showing each point in its own headline/body slot, or None when they do not all fit."""
        if self.slots(layout) != len(plan.points):
            return None
        items = []
        for n, _ in enumerate(plan.points, start=1):
            items += [(self.master.placeholder(layout, f"Headline {n}"), 0, "headline"),
                      (self.master.placeholder(layout, f"Body {n}"), 0, "body")]
        for step in range(self._steps(layout, items) + 1):
            if not self.allows(layout, step):
                continue
            boxes = []
            for n, point in enumerate(plan.points, start=1):
                boxes.append(self.box(layout, f"Headline {n}", [(point.headline, 0, "headline")], step))
                boxes.append(self.box(layout, f"Body {n}", [(text, 0, "body") for text in point.details], step)
                             if point.details else Box(f"Body {n}", []))
            if None not in boxes:
                if len(plan.points) > 1 and not plan.cards and self._sparse(layout, plan.points, step):
                    return None  # short points read better one under the other, in a list
                notes = [*plan.notes, *(point.note for point in plan.points if point.note)]
                if plan.cards:  # a card: its topic's title as the headline, the point's own headline bold above its body
                    boxes = [replace(box, paragraphs=[replace(box.paragraphs[0], bold=True), *box.paragraphs[1:]])
                             if box.placeholder.startswith("Body") and box.paragraphs else box for box in boxes]
                return Slide(layout, [*self._title_boxes(plan, layout, False), *self._centred(layout, boxes)], notes,
                             plan.footer, plan.logo, step if self._scale(layout) else -1)
        return None

    def _centred(self, layout: str, boxes: list[Box]) -> list[Box]:
        """Return the headline and body ``boxes`` of a slot slide shifted down together so that the block of text
        (headlines over bodies) sits in the middle of the space the two boxes span.

        A headline sits at the foot of its box, a body at the top of its own:
        the space left above the block is the headline box's, below it the
        body box's; moving both by half their difference evens them out.
        """
        heads = [box for box in boxes if box.placeholder.startswith("Headline")]
        bodies = [box for box in boxes if box.placeholder.startswith("Body")]
        if not heads or not bodies:
            return boxes
        head = self.master.placeholder(layout, heads[0].placeholder)
        body = self.master.placeholder(layout, bodies[0].placeholder)
        tallest = max(box.height() for box in bodies)
        above = head.height - max(box.height() for box in heads)
        below = body.height * SAFETY_HEIGHT - tallest
        shift = max(0.0, (below - above) / 2)
        return [replace(box, shift=round(shift, 1)) for box in boxes] if shift >= 1 else boxes

    def _centred_list(self, layout: str, box: Box) -> Box:
        """Return a list box of a point slide with its text moved down to the middle of the box."""
        if self._scale(layout) is None:
            return box
        free = self.master.placeholder(layout, box.placeholder).height * SAFETY_HEIGHT - box.height()
        return replace(box, shift=round(free / 2, 1)) if free >= 2 else box

    def _sparse(self, layout: str, points: list[PointPlan], step: int, threshold: float = SPARSE) -> bool:
        """Return True when the fullest body box of ``points`` in slot ``layout`` at ``step`` is less than ``threshold`` full."""
        fullness = [self.measure(layout, f"Body {n}", [(text, 0, "body") for text in point.details], step)[1]
                    for n, point in enumerate(points, start=1) if point.details]
        return max(fullness, default=0.0) < threshold

    def merged(self, plans: list[SlidePlan]) -> list[SlidePlan]:
        """Return ``plans`` with every run of two or more sparse one-point slides of one group merged into one list slide."""
        result: list[SlidePlan] = []
        run: list[SlidePlan] = []
        for plan in [*plans, None]:
            if plan is not None and self._mergeable(plan) and (not run or run[0].group == plan.group):
                run.append(plan)
                continue
            result.extend([_merge(run)] if len(run) > 1 else run)
            run = [plan] if plan is not None and self._mergeable(plan) else []
            if plan is not None and not run:
                result.append(plan)
        return result

    def _mergeable(self, plan: SlidePlan) -> bool:
        """Return True for a one-point slide of a group whose statement slide would be sparse."""
        if not (plan.group and plan.layout == "points" and len(plan.points) == 1 and plan.points[0].details):
            return False
        layout = self.theme.layout_name("statement")
        if not self.master.has_layout(layout) or self.slots(layout) != 1:
            return True
        return self._sparse(layout, plan.points, 0, STATEMENT_SPARSE)

    def _list_slides(self, plan: SlidePlan, layout: str, points: list[PointPlan], limit: int) -> list[Slide]:
        """Return the fewest slides showing ``points`` as lists in ``layout``'s list boxes, at the largest size that allows."""
        names = self.list_boxes(layout)
        if not names:
            self.master.placeholder(layout, "Body")  # raises the master's message: the layout has no list box
        whole = [name for name in self.master.names(layout) if name.lower() == "body"][:1]
        if whole and names != whole and len(points) <= limit:
            names = whole  # a layout with a full-width list and columns (the agenda): columns only for more than one list holds
        first = self.master.placeholder(layout, names[0])
        levels = bool(plan.points)  # plain <bullets> are one level of body text
        kinds = [(first, 0, "headline" if levels else "body"), (first, 1, "body")]
        steps = self._steps(layout, kinds)
        points = self._split_long(plan, layout, names[0], points, steps, levels)
        best = None
        least = min(len(names), len(points))  # columns side by side: each holds some (no empty panel beside a full one)
        for step in range(steps + 1):
            if not self.allows(layout, step if self._scale(layout) and plan.points else -1):
                continue
            groups = self._groups(layout, names[0], points, step, limit, levels, least)
            if groups is not None and (best is None or len(groups) < len(best[1])):
                best = (step, groups)
            if best is not None and len(best[1]) <= len(names):
                break
        step, groups = best
        slides = []
        for page, start in enumerate(range(0, len(groups), len(names))):
            on_page = list(zip(names, groups[start:start + len(names)], strict=False))
            # One step for every slide of the topic: a continuation does not change size (the type scale's promise).
            boxes = [self._centred_list(layout, self.box(layout, name, self._texts(group, levels), step)) for name, group in on_page]
            shown = [point for group in groups[start:start + len(names)] for point in group]
            boxes = _linked(boxes, {text: url for point in shown for text, url in point.links.items()})
            notes = [*(plan.notes if page == 0 else []), *(point.note for point in shown if point.note)]
            slides.append(Slide(layout, [*self._title_boxes(plan, layout, page > 0), *boxes], notes, plan.footer,
                                plan.logo and page == 0, step if self._scale(layout) and plan.points else -1))
        return slides

    @staticmethod
    def _texts(points: list[PointPlan], levels: bool) -> list[tuple[str, int, str]]:
        """Return the paragraphs of ``points`` in a list: each headline, then its details one level down."""
        texts = []
        for point in points:
            texts.append((point.headline, 0, "headline" if levels else "body"))
            texts.extend((detail, 1, "body") for detail in point.details)
        return texts

    def _groups(self, layout: str, name: str, points: list[PointPlan], step: int, limit: int,
                levels: bool, least: int = 1) -> list[list[PointPlan]] | None:
        """Return ``points`` cut into the fewest runs that each fit box ``name`` at ``step`` (at most ``limit`` each), evened out; None if one point alone does not fit."""
        fits = {}

        def fit(start: int, end: int) -> bool:
            if (start, end) not in fits:
                texts = self._texts(points[start:end], levels)
                fits[start, end] = end - start <= limit and self.box(layout, name, texts, step) is not None
            return fits[start, end]

        count, start = 0, 0
        while start < len(points):  # greedy: the fewest runs
            end = start + 1
            if not fit(start, end):
                return None
            while end < len(points) and fit(start, end + 1):
                end += 1
            count, start = count + 1, end
        # The same number of runs, as even as they fit, the larger first (7 as 4 + 3, never 2 + 3 + 2 with a heavy
        # middle, nor a last slide holding one point where 2 + 2 + 2 + 3 fits).
        weights = [1 + len(point.details) for point in points]  # paragraphs: an overview's sections differ in topics
        cuts = self._even_cuts(weights, max(count, least), fit)
        return [points[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]

    @staticmethod
    def _even_cuts(weights: list[int], count: int, fit) -> list[int]:
        """Return the cuts of items (each of ``weights`` paragraphs) into ``count`` runs that each ``fit(start, end)``:
        the most even in paragraphs, larger runs first; the greedy cuts when there are too many ways to try."""
        import itertools

        total = len(weights)
        if math.comb(total - 1, count - 1) <= MAX_PARTITIONS:
            best = None
            for inner in itertools.combinations(range(1, total), count - 1):
                cuts = [0, *inner, total]
                sizes = [sum(weights[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]
                score = (max(sizes) - min(sizes), [-size for size in sizes])
                if (best is None or score < best[0]) and all(fit(a, b) for a, b in zip(cuts, cuts[1:], strict=False)):
                    best = (score, cuts)
            if best is not None:
                return best[1]
        cuts, start = [0], 0
        while start < total:
            end = start + 1
            while end < total and fit(start, end + 1):
                end += 1
            cuts.append(end)
            start = end
        return cuts

    def _split_long(self, plan: SlidePlan, layout: str, name: str, points: list[PointPlan], steps: int,
                    levels: bool) -> list[PointPlan]:
        """Return ``points`` with any point too long for a whole box (even at the minimum sizes) cut into parts, each under its headline（續）.

        A body is cut between sentences, a sentence longer than a box between
        characters; a headline that alone does not fit is a Problem at its line.
        """

        def fits(point: PointPlan) -> bool:
            return self.box(layout, name, self._texts([point], levels), steps) is not None

        result = []
        for point in points:
            if fits(point):
                result.append(point)
                continue
            if not fits(PointPlan(point.headline)):
                raise BriefError(self._too_long(plan, "headline", point.headline, layout))
            part = PointPlan(point.headline, [], point.note)
            for piece in self._pieces(point, fits):
                trial = replace(part, details=[*part.details, piece])
                if part.details and not fits(trial):
                    result.append(part)
                    part = PointPlan(f"{point.headline}{CONTINUED}", [piece])
                else:
                    part = trial
            result.append(part)
        return result

    @staticmethod
    def _pieces(point: PointPlan, fits) -> list[str]:
        """Return the details of ``point`` as sentences, each cut so that it fits a box under the headline."""
        pieces = []
        for sentence in (piece for detail in point.details for piece in rules.clauses(detail)):
            while sentence:
                low, high = 1, len(sentence)  # the longest prefix that fits (at least one character)
                while low < high:
                    middle = (low + high + 1) // 2
                    if fits(PointPlan(point.headline, [sentence[:middle]])):
                        low = middle
                    else:
                        high = middle - 1
                pieces.append(sentence[:low])
                sentence = sentence[low:]
        return pieces


def _linked(boxes: list[Box], links: dict[str, str]) -> list[Box]:
    """Return ``boxes`` with each paragraph whose text (line breaks aside) is a key of ``links`` linked to its address."""
    if not links:
        return boxes
    return [replace(box, paragraphs=[replace(para, link=links.get(para.text.replace("\n", ""), "")) for para in box.paragraphs])
            for box in boxes]


def _merge(plans: list[SlidePlan]) -> SlidePlan:
    """Return one slide showing the one point of each of ``plans``, titled by their group: two or three as cards side
    by side (the topic's title over the point's headline and body), more as a list (each headed by its topic)."""
    first = plans[0]
    notes = [note for plan in plans for note in plan.notes]
    title = {"title": [first.group_title or first.title]}
    if len(plans) <= MAX_CARDS:
        points = [replace(plan.points[0], headline=plan.title, details=[plan.points[0].headline, *plan.points[0].details])
                  for plan in plans]
        return replace(first, layout="points", name=first.group_title or first.name, texts=title, points=points,
                       notes=notes, group="", cards=True)
    points = [replace(plan.points[0], headline=f"{plan.title}：{plan.points[0].headline}") for plan in plans]
    return replace(first, layout="topic", name=first.group_title or first.name, texts=title, points=points, notes=notes, group="")
