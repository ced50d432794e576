"""Fitting the slide plan to the master: every text at the largest size that fits, continuations where none does.

Each text goes into the layout placeholder of its role, measured with the
theme's slide typefaces (``typography.measure``) so that it never overflows;
bullets that do not fit continue on ``（續）`` slides. A text that cannot fit
even at the minimum size is a Problem at the line that wrote it (content or
template), so ``check`` finds it without building.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from policybrief.deck.master import Master
from policybrief.deck.plan import PLACEHOLDERS, SlidePlan
from policybrief.errors import BriefError

if TYPE_CHECKING:  # the theme (and pydantic) is loaded only when a deck is made
    from policybrief.compose.theme import Theme

SPACE_BEFORE = 0.6  # space before a bullet, in em of its size
SIZE_STEP = 2  # shrink in even steps: slides of one deck share a few sizes, not one per slide
SAFETY_WIDTH, SAFETY_HEIGHT = 0.94, 0.98  # renderers differ a little in line breaking: keep a margin
CONTINUED = "（續）"


@dataclass(frozen=True)
class Slide:
    """One slide to write: its plan (texts for this page only), the master layout name and each role's font size."""

    plan: SlidePlan
    layout: str
    sizes: dict[str, float]


@dataclass(frozen=True)
class Fitted:
    """The fitted deck: its slides, and each plan slide that continued (message, slide count)."""

    slides: list[Slide]
    continued: list[str]


def fit_deck(plans: list[SlidePlan], master: Master, theme: Theme) -> Fitted:
    """Return every slide of ``plans`` fitted to ``master``'s layouts (as ``theme`` maps roles to them)."""
    from policybrief.compose.theme import ROLES

    for role in ROLES:
        master.layout(theme.layout_name(role))
    slides, continued = [], []
    for plan in plans:
        pages = _paginate(plan, theme.layout_name(plan.layout), master, theme)
        if len(pages) > 1:
            origin = plan.origin(plan.title, "title")
            continued.append(f"continued: {plan.name or plan.title} → {len(pages)} slides ({origin.file}:{origin.line})")
        slides.extend(pages)
    return Fitted(slides, continued)


def _paginate(plan: SlidePlan, layout: str, master: Master, theme: Theme) -> list[Slide]:
    """Return the slides ``plan`` needs, each with the font size of every role."""
    sizes = {role: _fit(plan, role, paragraphs, layout, master, theme)
             for role, paragraphs in plan.texts.items() if role != "bullets"}
    if not plan.bullets:
        return [Slide(plan, layout, sizes)]
    chunks, size = _split_bullets(plan, layout, master, theme)
    pages = []
    for n, chunk in enumerate(chunks):
        page = replace(plan, texts={**plan.texts, "bullets": chunk})
        page_sizes = {**sizes, "bullets": size}
        if n:  # a continuation: its longer title is fitted on its own
            page.texts["title"] = [f"{plan.title}{CONTINUED}"]
            page_sizes["title"] = _fit(page, "title", page.texts["title"], layout, master, theme)
        pages.append(Slide(page, layout, page_sizes))
    return pages


def _largest_size(paragraphs: list[str], layout: str, role: str, master: Master, theme: Theme) -> float | None:
    """Return the largest size (design size down to the theme's minimum) at which ``paragraphs`` fit, or None."""
    minimum = theme.deck.min_body_size
    placeholder = master.placeholder(layout, PLACEHOLDERS[role])
    design = placeholder.style.size or (theme.deck.title_size if role == "title" else theme.deck.body_size)
    measurer = theme.fonts.slides.measurer(placeholder.style.bold)
    width = (placeholder.width - placeholder.style.indent) * SAFETY_WIDTH
    space = SPACE_BEFORE if role == "bullets" else 0.0
    size = design
    while size >= min(minimum, design):
        if measurer.height(paragraphs, width, size, space) <= placeholder.height * SAFETY_HEIGHT:
            return size
        size -= SIZE_STEP
    return None


def _fit(plan: SlidePlan, role: str, paragraphs: list[str], layout: str, master: Master, theme: Theme) -> float:
    """Return the size at which a (non-bullet) text fits its placeholder; raise when none does."""
    size = _largest_size(paragraphs, layout, role, master, theme)
    if size is None:
        raise BriefError(_too_long(plan, role, " ".join(paragraphs), layout, theme))
    return size


def _split_bullets(plan: SlidePlan, layout: str, master: Master, theme: Theme) -> tuple[list[list[str]], float]:
    """Return the bullets cut into the fewest even slides that fit, and the one size they all use."""
    bullets = plan.bullets
    count = -(-len(bullets) // theme.deck.max_bullets)
    while count <= len(bullets):
        chunks = [bullets[i * len(bullets) // count:(i + 1) * len(bullets) // count] for i in range(count)]
        sizes = [_largest_size(chunk, layout, "bullets", master, theme) for chunk in chunks]
        if None not in sizes:
            return chunks, min(sizes)
        count += 1
    measurer = theme.fonts.slides.measurer()
    longest = max(bullets, key=measurer.width)
    raise BriefError(_too_long(plan, "bullets", longest, layout, theme))


def _too_long(plan: SlidePlan, role: str, text: str, layout: str, theme: Theme):
    """Return the Problem of a text that does not fit its placeholder even at the minimum size, at the text's origin."""
    shown = text if len(text) <= 24 else f"{text[:24]}…"
    what = "bullet" if role == "bullets" else role
    origin = plan.origin(text.removesuffix(CONTINUED), role)
    return origin.problem(
        f"the slide {what} “{shown}” of slide '{plan.name or plan.title}' does not fit layout '{layout}' "
        f"even at {theme.deck.min_body_size:g} pt",
        "shorten it in the content or enlarge the placeholder in the master")
