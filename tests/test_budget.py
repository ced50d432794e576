"""The input budget and a cost that grows with the input, not with its square.

A topic of many points makes many ``（續）`` slides: the deck's cost must grow
about linearly with them (python-pptx names each notes slide by walking the
whole package, which made 1,000 points take minutes), each continued slide's
notes must hold only its own points, and a file amplified by YAML aliases is
refused while it is read, before any template or layout.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from policybrief import api
from policybrief.compose.context import template_context
from policybrief.compose.theme import load_theme
from policybrief.deck.fit import fit_deck
from policybrief.deck.master import find_master, geometry
from policybrief.deck.plan import render_plan
from policybrief.errors import ContentError
from policybrief.load.content import load_report
from policybrief.load.yamlfile import MAX_CHARACTERS, load_yaml

from .conftest import CONTENT
from .test_cli_errors import GOOD

HEADLINE = ("政策建議第一項要點" * 5)[:40]
BODY = ("面對區域情勢快速變動，我方應持續強化與理念相近國家之合作，並審慎評估各項政策選項。" * 3)[:120]


def long_topic(folder: Path, points: int) -> Path:
    """Return a content file: GOOD whose one topic holds ``points`` points of a 40-character headline and a 120-character body."""
    lines = "".join(f"          - headline: {HEADLINE}{n}\n            body: {BODY}\n" for n in range(points))
    text = GOOD.split("          - headline:")[0] + lines
    path = folder / f"points-{points}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def settings() -> api.Settings:
    """Return the build settings over the built-in templates, theme loaded."""
    folders = api.template_folders([])
    made = api.Settings(folders, "pdf/ua-1", Path("unused"))
    made.theme = load_theme(folders)
    return made


def deck_work(path: Path, settings: api.Settings, monkeypatch) -> tuple[int, int, int]:
    """Return how many boxes the fitter measured, how many XML parts python-pptx serialised for the deck of ``path``, and its slide count.

    Work counted, not time: a test must not depend on how busy the machine is.
    """
    from policybrief.deck import fit

    context = template_context(load_report(path, settings.theme.font_roles()), settings.theme)
    counted = {"boxes": 0}
    measure = fit._Fitter.measure

    def counting(self, *args, **kwargs):
        counted["boxes"] += 1
        return measure(self, *args, **kwargs)

    monkeypatch.setattr(fit._Fitter, "measure", counting)
    data, detail, _ = api._pptx(context, settings)
    monkeypatch.setattr(fit._Fitter, "measure", measure)
    return counted["boxes"], len(data), int(detail.split()[0])


def test_a_deck_costs_about_linear_in_its_points(tmp_path, settings, monkeypatch):
    small_boxes, small_bytes, small_slides = deck_work(long_topic(tmp_path, 100), settings, monkeypatch)
    large_boxes, large_bytes, large_slides = deck_work(long_topic(tmp_path, 400), settings, monkeypatch)
    assert large_slides > 3.5 * small_slides
    # Four times the points: linear work is about 4 times as much, quadratic 16 times.
    assert large_boxes < 6 * small_boxes, (small_boxes, large_boxes)
    assert large_bytes < 6 * small_bytes, (small_bytes, large_bytes)  # each continued slide carries only its own notes


def test_notes_slides_get_python_pptx_own_part_names_without_walking_the_package():
    """ooxml.remember_part_names gives the names python-pptx's walk of the whole package would (so the bytes stay equal)."""
    from pptx import Presentation

    from policybrief.compose.environment import builtin_templates
    from policybrief.deck import ooxml

    names = {}
    for remember in (False, True):
        deck = Presentation(str(builtin_templates() / "deck" / "master.pptx"))
        deck.notes_master  # noqa: B018 - as write_deck makes it, first
        if remember:
            ooxml.remember_part_names(deck.part.package)
        for _ in range(12):
            deck.slides.add_slide(deck.slide_layouts[0]).notes_slide  # noqa: B018 - adds the notes slide part
        names[remember] = sorted(str(part.partname) for part in deck.part.package.iter_parts())
    assert names[True] == names[False]
    assert "/ppt/notesSlides/notesSlide12.xml" in names[True]


def test_continued_slides_carry_only_their_own_notes(tmp_path, settings):
    path = long_topic(tmp_path, 300)
    context = template_context(load_report(path, settings.theme.font_roles()), settings.theme)
    plans = render_plan(settings.env(), context, settings.folders)
    fitted = fit_deck(plans, geometry(find_master(settings.folders, settings.theme.deck.master)), settings.theme)
    notes = sum(len(slide.notes) for slide in fitted.slides)
    planned = sum(len(plan.notes) + sum(1 for point in plan.points if point.note) for plan in plans)
    assert len(fitted.slides) > 50
    assert notes <= planned  # every note once, on the slide that shows its point


def test_an_alias_amplified_file_is_refused_while_read(tmp_path):
    """28 KB on disk, 600,000 characters once its 200 aliases are expanded: refused by the loader, before any layout."""
    text = GOOD.replace("body: 內文。", "body: &long " + "長" * 3000) + "preface:\n" + "  - *long\n" * 200
    path = tmp_path / "amplified.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size < 30_000
    with pytest.raises(ContentError, match=f"more than {MAX_CHARACTERS:,} characters"):
        load_yaml(path)


def test_the_shipped_report_is_far_inside_the_budget():
    document = load_yaml(CONTENT)
    characters = sum(len(key) + len(str(value)) for key, value in _flat(document.data))
    assert characters < MAX_CHARACTERS / 10


def _flat(data, key=""):
    """Yield (key, scalar) pairs of nested data."""
    if isinstance(data, dict):
        for name, value in data.items():
            yield from _flat(value, name)
    elif isinstance(data, list):
        for value in data:
            yield from _flat(value, key)
    else:
        yield key, data


def test_a_render_is_stopped_at_its_time_budget(tmp_path, monkeypatch):
    """Loops over the template's own lists call nothing the sandbox counts: the time budget stops them, at their line."""
    from policybrief.compose import environment

    from .conftest import run_cli

    monkeypatch.setattr(environment, "RENDER_SECONDS", 1.0)
    (tmp_path / "tpl" / "brief").mkdir(parents=True)
    (tmp_path / "tpl" / "brief" / "brief.html").write_text(
        "<p>\n{% for a in sections * 5000 %}{% for b in sections * 5000 %}x{% endfor %}{% endfor %}</p>\n", encoding="utf-8")
    start = time.monotonic()
    result = run_cli("check", str(CONTENT), "--templates", "tpl", cwd=tmp_path)
    assert time.monotonic() - start < 30
    assert (result.returncode, result.stderr) == (1, "tpl/brief/brief.html:2: template stopped: it took more than 1 seconds to render; "
                                                     "loop over the template variables, not over large ranges or repeated lists.\n")
