"""Bad input never crashes, never corrupts a previous output, always says what to fix.

Every case runs ``python3 build.py`` as a user would, in a folder that already
holds yesterday's good 107005.pdf and 107005.pptx, and asserts: exit code 1,
exactly the expected one-sentence message, no traceback, and the previous
outputs byte-identical with their modification times unchanged and no
temporary ``.part`` file left behind. ``CUSTOM_CASES`` are a designer's
mistakes (theme.yaml, template folders, policybrief.yaml, init-templates, the
slide master), each run in an empty folder with the command that finds it:
exit code 1, the exact message, no traceback, no output written. Every
message of these tables is listed in docs/errors.md.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from policybrief.cache import CACHE_NAME

from .conftest import CONTENT, ROOT, run_cli
from .test_cli_errors import GOOD
from .test_customising import corporate_master
from .test_theme import themed

BUILTIN = ROOT / "templates"
BAD = "107005.yaml"  # the same name as the shipped report, so its outputs would collide


@pytest.fixture(scope="module")
def previous(built: Path) -> Path:
    """Return a folder holding a good 107005 build (the session's; each test works on its own copy)."""
    return built


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Return every file in ``folder`` (hidden ones too) with its bytes and mtime."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()}


def content(text: str | bytes) -> Callable[[Path], list[str]]:
    """Return a case setup writing ``text`` as the content file and naming it."""

    def setup(folder: Path) -> list[str]:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / BAD).write_bytes(data)
        return [BAD]

    return setup


def override(name: str, source: str) -> Callable[[Path], list[str]]:
    """Return a case setup building the good content with template override ``tpl/name``."""

    def setup(folder: Path) -> list[str]:
        (folder / "tpl" / name).parent.mkdir(parents=True)
        (folder / "tpl" / name).write_text(source, encoding="utf-8")
        return [str(CONTENT), "--templates", "tpl"]

    return setup


def args(*given: str, files: dict[str, str] = {}, folders: tuple[str, ...] = ()) -> Callable[[Path], list[str]]:  # noqa: B006
    """Return a case setup creating ``files`` and ``folders``, then passing ``given``."""

    def setup(folder: Path) -> list[str]:
        for name in folders:
            (folder / name).mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return list(given)

    return setup


def master(make: Callable[[Path], None]) -> Callable[[Path], list[str]]:
    """Return a case setup building the good content with a master made by ``make(path)`` in ``tpl/deck/``."""

    def setup(folder: Path) -> list[str]:
        (folder / "tpl" / "deck").mkdir(parents=True)
        make(folder / "tpl" / "deck" / "master.pptx")
        return [str(CONTENT), "--templates", "tpl"]

    return setup


def master_without_topic(path: Path) -> None:
    """Write the built-in master with its 'Topic' layout renamed, as a designer might."""
    from pptx import Presentation

    deck = Presentation(str(BUILTIN / "deck" / "master.pptx"))
    next(layout for layout in deck.slide_layouts if layout.name == "Topic").name = "內容"
    deck.save(str(path))


def alias_bomb() -> str:
    """Return a 'billion laughs' YAML: nine levels of nine aliases (387 million strings)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def nested(depth: int) -> str:
    """Return GOOD with a title nested ``depth`` lists deep."""
    return GOOD.replace("title: 測試報告", "title: " + "[" * depth + "]" * depth)


LONG = "長" * 5_000
CASES: list[tuple[str, Callable[[Path], list[str]], str]] = [
    # --- the file itself ---
    ("empty-file", content(""), f"{BAD}:1: the file is empty; it must hold a mapping of keys such as 'title:'."),
    ("binary-file", content(bytes(range(256))), f"{BAD}: is a binary file, not YAML text; check the path."),
    ("big5-file", content(GOOD.encode("big5")), f"{BAD}:2: is not UTF-8 text (it looks like Big5); save the file as UTF-8."),
    ("utf16-file", content(GOOD.encode("utf-16")), f"{BAD}: is saved as UTF-16; save it as UTF-8."),
    ("utf16-without-bom", content(GOOD.encode("utf-16-le")), f"{BAD}: is saved as UTF-16; save it as UTF-8."),
    ("five-megabytes", content(GOOD.replace("內文。", "x" * 5_000_000)),
     f"{BAD}: is 5.0 MB, more than the 1 MB a content file may hold; check it is the right file."),
    ("content-is-folder", args("sub", folders=("sub",)), "sub: is a folder, not a YAML file; name a .yaml file inside it."),
    ("missing-content", args("nope.yaml"), "nope.yaml: no such file; check the path."),
    ("empty-content-folder", args(folders=("content",)), "content: holds no .yaml content file; add one or name a file."),
    ("no-content-folder", args(), "content: no such folder; name a content file, e.g. python3 build.py content/107005.yaml."),
    # --- YAML structure ---
    ("tab-indent", content(GOOD.replace("  name:", "\tname:")),
     f"{BAD}:2: YAML syntax error: found character '\\t' that cannot start any token; indent with spaces, not tabs."),
    ("duplicate-key", content(GOOD.replace("title: 測試報告\n", "title: 測試報告\ntitle: 又一個\n")),
     f"{BAD}:5: title: duplicate key (first at line 4); keep only one."),
    ("alias-bomb", content(alias_bomb()),
     f"{BAD}:1: the file holds more than 250,000 characters of text (YAML aliases counted each time they are used); "
     "a report needs far fewer — write the content out plainly or split it into several reports."),
    ("nested-200", content(nested(200)), f"{BAD}:4: title: nested more than 20 levels deep; a report needs only a few levels."),
    ("nested-10000", content(nested(10_000)), f"{BAD}:1: the YAML is nested too deeply; a report needs only a few levels."),
    ("top-level-list", content("- title: x\n"), f"{BAD}:1: the top level is a list; it must be a mapping of keys such as 'title:'."),
    ("python-tag", content(GOOD.replace("title: 測試報告", "title: !!python/object/apply:os.system [echo hi]")),
     f"{BAD}:4: title: the tag '!!python/object/apply:os.system' is not allowed; "
     "content is plain text, numbers, lists and mappings — remove the tag."),
    # --- values ---
    ("unknown-key", content(GOOD + "colour: red\n"),
     f"{BAD}:14: colour: unknown key; allowed here: series, title, short_title, subtitle, publisher, date, "
     "keywords, editor, contributors, preface, sections, sources, series_list, extra."),
    ("wrong-type", content(GOOD.replace("title: 測試報告", "title: 42")), f"{BAD}:4: title: expected text, got the number 42."),
    ("empty-headline", content(GOOD.replace("headline: 標題", 'headline: ""')),
     f"{BAD}:12: sections[0].topics[0].points[0].headline: must not be empty."),
    ("long-headline", content(GOOD.replace("headline: 標題", f"headline: {LONG}")),
     f"{BAD}:12: sections[0].topics[0].points[0].headline: is 5,000 characters long; "
     "a one-line text such as a headline may hold at most 200 — shorten it."),
    ("long-body", content(GOOD.replace("body: 內文。", f"body: {LONG}")),
     f"{BAD}:13: sections[0].topics[0].points[0].body: is 5,000 characters long; "
     "a paragraph may hold at most 3,000 — shorten or split it."),
    ("no-topics", content(GOOD.split("    topics:")[0] + "    topics: []\n"),
     f"{BAD}:9: sections[0].topics: must have at least one item."),
    ("not-a-date", content(GOOD.replace('date: "2018-07"', "date: next July")),
     f"{BAD}:6: date: expected a month as YYYY-MM, e.g. \"2018-07\", not 'next July'."),
    ("escaped-control-character", content(GOOD.replace("body: 內文。", 'body: "內\\x07文。"')),
     f"{BAD}:13: sections[0].topics[0].points[0].body: contains a control character U+0007 at position 2; remove it."),
    ("raw-control-character", content(GOOD.replace("內文。", "內\x1b文。")),
     f"{BAD}:13: contains a control character U+001B; remove it."),
    ("raw-nul", content(GOOD.replace("內文。", "內\x00文。")), f"{BAD}:13: contains a control character U+0000; remove it."),
    ("raw-line-separator", content(GOOD.replace("內文。", "內\u2028文。")),
     f"{BAD}:13: contains a hidden line break U+2028; replace it with a normal line break or remove it."),
    ("direction-mark", content(GOOD.replace("headline: 標題", 'headline: "\\u200f(標題)"')),
     f"{BAD}:12: sections[0].topics[0].points[0].headline: contains an invisible text-direction mark U+200F at position 1; remove it."),
    ("no-glyph", content(GOOD.replace("headline: 標題", "headline: 標題😀")),
     f"{BAD}:12: sections[0].topics[0].points[0].headline: U+1F600 (GRINNING FACE) has no glyph in Noto Serif CJK TC; "
     "replace or remove it."),
    ("no-glyph-extension-b", content(GOOD.replace("body: 內文。", "body: 內文𠀀。")),
     f"{BAD}:13: sections[0].topics[0].points[0].body: U+20000 (CJK UNIFIED IDEOGRAPH-20000) has no glyph in "
     "Noto Serif CJK TC; replace or remove it."),
    # --- templates ---
    ("missing-template-folder", args(str(CONTENT), "--templates", "tpl"),
     "tpl: no such template folder; check the path given to --templates."),
    ("missing-include", override("brief/brief.html", '<p>\n{% include "brief/nothere.html" %}</p>\n'),
     f"tpl/brief/brief.html:2: includes 'brief/nothere.html', which is not in the template folders (tpl, {BUILTIN}); "
     "check the name — templates may use only files inside those folders."),
    ("include-outside", override("brief/brief.html", '{% include "../../../etc/passwd" %}\n'),
     f"tpl/brief/brief.html:1: includes '../../../etc/passwd', which is not in the template folders (tpl, {BUILTIN}); "
     "check the name — templates may use only files inside those folders."),
    ("syntax-error", override("brief/brief.html", '{% extends "brief/base.html" %}\n{% if report %}\nx\n'),
     "tpl/brief/brief.html:3: template syntax error: '{% if %}' is not closed; add '{% endif %}' where its block ends."),
    ("undefined-variable", override("brief/brief.html", "<p>\n{{ report.title }}\n{{ no_such_thing }}</p>\n"),
     "tpl/brief/brief.html:3: 'no_such_thing' is undefined; check the name against the template variables."),
    ("sandbox-escape", override("brief/brief.html", "<p>\n{{ report.__class__.__mro__ }}</p>\n"),
     "tpl/brief/brief.html:2: not allowed in a template: access to attribute '__class__' of 'Report' object is unsafe; "
     "use only the template variables and their fields."),
    ("deck-error-after-pdf", override("deck/deck.xml", "<deck>\n{{ report.no_such_field }}\n</deck>\n"),
     "tpl/deck/deck.xml:2: Report has no field 'no_such_field'; "
     "check the name against the template variables."),
    # --- master (the tmp folder's real path stands for {tmp}) ---
    ("master-not-a-zip", master(lambda path: path.write_bytes(b"PK? not really a zip")),
     "{tmp}/tpl/deck/master.pptx: is not a PowerPoint file (.pptx); save the master as .pptx."),
    ("master-missing-layout", master(master_without_topic),
     "{tmp}/tpl/deck/master.pptx: has no slide layout named 'Topic'; it has: Title, Agenda, Overview, Section, Statement, "
     "Two Columns, Three Columns, 內容, Team, Sources, Closing."),
    # --- outputs ---
    # Root ignores permission bits, so "not writable" is made real for anyone:
    # the output folder would have to be created inside a regular file.
    ("out-under-a-file", args(str(CONTENT), "--out", "afile/sub", files={"afile": "x"}),
     "afile/sub: cannot create the output folder (Not a directory); choose another --out."),
    ("out-is-a-file", args(str(CONTENT), "--out", "afile", files={"afile": "x"}),
     "afile: exists and is not a folder; choose another --out."),
    ("same-output-name", args("a/107005.yaml", "b/107005.yaml", files={"a/107005.yaml": GOOD, "b/107005.yaml": GOOD}, folders=("a", "b")),
     "a/107005.yaml and b/107005.yaml: both would be written as 107005.pdf/.pptx; rename one or build them one at a time."),
    ("output-is-a-folder", args(str(CONTENT), "--out", "D", folders=("D/107005.pdf",)),
     "D/107005.pdf: is a folder; remove it or choose another --out."),
]


def assert_one_message(result: subprocess.CompletedProcess[str], expected: str, tmp_path: Path) -> None:
    """Assert that ``result`` failed with exit code 1 and exactly ``expected`` ({tmp}: ``tmp_path``), no traceback."""
    assert (result.returncode, result.stderr.strip()) == (1, expected.replace("{tmp}", str(tmp_path.resolve())))
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("name", "setup", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_message_and_keeps_previous_outputs(tmp_path, previous, name, setup, expected):
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = snapshot(out)
    given = setup(tmp_path)
    result = run_cli(*given, *([] if "--out" in given else ["--out", "out"]), cwd=tmp_path)
    assert_one_message(result, expected, tmp_path)
    assert snapshot(out) == before
    assert not [p for p in tmp_path.rglob("*.part")]


def command(name: str, setup: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
    """Return ``setup`` run as the command ``name`` (e.g. ``slides``) instead of the default build."""
    return lambda folder: [name, *setup(folder)]


def theme(*replacements: tuple[str, str]) -> Callable[[Path], list[str]]:
    """Return a case setup checking the good content with the built-in theme.yaml, changed, in ``tpl/``."""

    def setup(folder: Path) -> list[str]:
        themed(folder / "tpl", *replacements)
        return ["check", str(CONTENT), "--templates", "tpl"]

    return setup


def theme_with_logo(name: str, data: bytes) -> Callable[[Path], list[str]]:
    """Return a case setup like ``theme`` whose theme names the logo ``name``, saved holding ``data``."""
    themed_setup = theme(("logo:  ", f"logo: {name} "))

    def setup(folder: Path) -> list[str]:
        command = themed_setup(folder)
        (folder / "tpl" / name).write_bytes(data)
        return command

    return setup


def partial_theme(text: str, command: str = "check") -> Callable[[Path], list[str]]:
    """Return a case setup running ``command`` on the good content with a user's ``tpl/theme.yaml`` holding only ``text``."""
    return args(command, str(CONTENT), "--templates", "tpl", files={"tpl/theme.yaml": text}, folders=("tpl",))


def project(text: str, folders: tuple[str, ...] = ()) -> Callable[[Path], list[str]]:
    """Return a case setup checking the good content next to a policybrief.yaml holding ``text``."""
    return args("check", str(CONTENT), files={"policybrief.yaml": text}, folders=folders)


def corporate_without_mapped_layout(folder: Path) -> list[str]:
    """Set up docs/customising.md's example 3 with a theme mapping topics to a layout the master lacks."""
    shutil.copytree(ROOT / "examples" / "corporate", folder / "tpl")
    corporate_master(folder / "tpl" / "deck" / "corporate.pptx")
    theme_file = folder / "tpl" / "theme.yaml"
    theme_file.write_text(theme_file.read_text(encoding="utf-8").replace("topic: 內容", "topic: 正文"), encoding="utf-8")
    return ["slides", str(CONTENT), "--templates", "tpl"]


THEME = "tpl/theme.yaml"
MASTER = BUILTIN / "deck" / "master.pptx"
HEADING = "朝鮮半島情勢" * 33  # 198 characters: within the content limit, too long for a slide title at 24 pt
# Customising: the theme, template folders, policybrief.yaml, init-templates and the slide master,
# each run as the user would (``check`` where it finds the problem, ``slides`` for the master).
CUSTOM_CASES: list[tuple[str, Callable[[Path], list[str]], str]] = [
    # --- theme.yaml: a copy of the built-in one, changed ---
    ("colour-name", theme(('accent: "#1F3864"', "accent: navy")),
     THEME + ":7: colours.accent: expected a colour as #RRGGBB, e.g. \"#1F3864\", not 'navy'."),
    ("colour-short", theme(('accent: "#1F3864"', 'accent: "#123"')),
     THEME + ":7: colours.accent: expected a colour as #RRGGBB, e.g. \"#1F3864\", not '#123'."),
    ("font-injection", theme(("heading: {latin: Noto Sans CJK TC,", 'heading: {latin: "Noto\\"; } body { color: red",')),
     THEME + ":15: fonts.heading.latin: expected a font name of letters, digits, spaces and hyphens, "
     "e.g. \"Noto Sans CJK TC\", not 'Noto\"; } body { color: red'."),
    ("length-injection", theme(("margin_top: 22mm", 'margin_top: "22mm; } body { color: red"')),
     THEME + ":23: brief.page.margin_top: expected a length such as \"22mm\" or \"10.5pt\", not '22mm; } body { color: red'."),
    ("font-not-installed", theme(("body: {latin: Noto Serif CJK TC,", "body: {latin: No Such Serif,")),
     THEME + ":16: fonts.body.latin: the font 'No Such Serif' is not installed on this machine; "
     "install it, or name an installed family (fc-list : family lists them)."),
    ("page-size", theme(("size: A4", "size: A4 } html {")),
     THEME + ":21: brief.page.size: expected a page size such as \"A4\", \"A5\", \"B5\", \"letter\", \"A5 landscape\" "
     "or width and height such as \"170mm 240mm\", not 'A4 } html {'."),
    ("size-too-small", theme(("min_body_size: 14", "min_body_size: 6")), THEME + ":52: deck.min_body_size: must be at least 10, not 6."),
    ("size-too-large", theme(("  title_size: 36", "  title_size: 200")), THEME + ":48: deck.title_size: must be at most 96, not 200."),
    ("size-not-a-number", theme(("body_size: 28", "body_size: large")), THEME + ":49: deck.body_size: expected a number, got text."),
    ("bullets-not-whole", theme(("max_bullets: 5", "max_bullets: 2.5")),
     THEME + ":56: deck.max_bullets: expected a whole number, got the number 2.5."),
    ("scale-not-largest-first", theme(("list: [[32, 28], [28, 24]", "list: [[28, 24], [32, 28]")),
     THEME + ":66: deck.scale.list: list the steps largest first, each smaller than the one before."),
    ("scale-body-too-small", theme(("list: [[32, 28], [28, 24], [24, 20], [22, 18]]", "list: [[32, 28], [22, 16]]")),
     THEME + ":33: deck: scale.list sets a body at 16 pt, under min_point_body_size (18 pt); raise the step or lower the minimum."),
    ("bodies-unknown", theme(("bodies: slides", "bodies: handout")),
     THEME + ":47: deck.bodies: expected 'slides' or 'notes', not 'handout'."),
    ("unknown-colour", theme(('  paper: "#FFFFFF"', '  paper: "#FFFFFF"\n  link: "#0000FF"')),
     THEME + ":13: colours.link: unknown key; allowed here: accent, tint, text, muted, rule, paper."),
    ("empty-layout-name", theme(("topic: Topic", 'topic: ""')), THEME + ":43: deck.layouts.topic: expected a layout name on one line, not ''."),
    ("logo-outside", theme(("logo:  ", "logo: ../../etc/logo.svg ")),
     THEME + ":69: logo '../../etc/logo.svg' is outside the template folders; put the image next to theme.yaml."),
    ("logo-not-an-image", theme_with_logo("logo.png", b"not a picture"),
     THEME + ":69: logo 'logo.png' is not a PNG, JPEG, GIF, WebP or SVG image; save the logo in one of these formats."),
    ("logo-missing", theme(("logo:  ", "logo: logo.svg ")), THEME + ":69: logo 'logo.svg' not found next to theme.yaml; check the file name."),
    ("master-missing", theme(("master: deck/master.pptx", "master: deck/corporate.pptx")),
     f"{THEME}:34: deck.master: 'deck/corporate.pptx' is not in the template folders (tpl, {BUILTIN}); "
     "save your master there, or correct the name (it is relative to the templates folder)."),
    # --- a user's theme.yaml holding only what it changes ---
    ("theme-only-comments", partial_theme("# colours: {accent: \"#225522\"}\n"),
     THEME + ":1: the file is empty; it must hold a mapping of keys such as 'colours:'."),
    ("theme-is-a-list", partial_theme("- colours\n"), THEME + ":1: the top level is a list; it must be a mapping of keys such as 'colours:'."),
    ("theme-not-a-mapping", partial_theme("colours: navy\n"), THEME + ":1: colours: expected a mapping of keys, got text."),
    ("theme-master-outside", partial_theme("deck:\n  master: ../../master.pptx\n"),
     f"{THEME}:2: deck.master: '../../master.pptx' is not in the template folders (tpl, {BUILTIN}); "
     "save your master there, or correct the name (it is relative to the templates folder)."),
    # --- --templates and policybrief.yaml ---
    ("templates-is-a-file", args("check", str(CONTENT), "--templates", "tpl", files={"tpl": "x"}),
     "tpl: no such template folder; check the path given to --templates."),
    ("project-missing-folder", project("templates: [nowhere]\n"),
     "policybrief.yaml:1: templates folder 'nowhere' does not exist; fix the path (it is relative to policybrief.yaml)."),
    ("project-second-folder-missing", project("templates:\n  - house\n  - nowhere\n", folders=("house",)),
     "policybrief.yaml:3: templates folder 'nowhere' does not exist; fix the path (it is relative to policybrief.yaml)."),
    ("project-unknown-key", project("template: [house]\n"), "policybrief.yaml:1: template: unknown key; did you mean 'templates'? allowed here: templates, pdf_seconds."),
    ("project-not-a-list", project("templates: house\n"),
     "policybrief.yaml:1: templates: expected a list (lines starting with '- '), got text."),
    ("project-empty", project(""), "policybrief.yaml:1: the file is empty; it must hold a mapping of keys such as 'templates:'."),
    # --- init-templates ---
    ("init-into-a-file", args("init-templates", "mine", files={"mine": "x"}),
     "mine: is not an empty folder; name a new folder for the templates."),
    ("init-under-a-file", args("init-templates", "afile/mine", files={"afile": "x"}),
     "afile/mine: cannot create the templates folder (Not a directory); name another folder."),
    # --- the slide master and the deck template (the tmp folder's real path stands for {tmp}) ---
    ("corporate-missing-layout", corporate_without_mapped_layout,
     "{tmp}/tpl/deck/corporate.pptx: has no slide layout named '正文'; it has: 封面, 議程, 章節, 內容, 結語."),
    ("layout-without-placeholder", partial_theme("deck:\n  layouts: {topic: Title}\n", "slides"),
     f"{MASTER}: layout 'Title' has no Body placeholder; it has: Title, Series, Subtitle, Footer, Slide Number."),
    ("plan-unknown-layout", command("slides", override("deck/deck.xml", '<deck><slide layout="Chart"><title>x</title></slide></deck>')),
     f"{MASTER}: has no slide layout named 'Chart'; it has: Title, Agenda, Overview, Section, Statement, Two Columns, "
     "Three Columns, Topic, Team, Sources, Closing."),
    ("plan-unknown-placeholder", command("slides", override("deck/deck.xml", '<deck><slide layout="Topic"><numeral>壹</numeral></slide></deck>')),
     f"{MASTER}: layout 'Topic' has no Numeral placeholder; it has: Title, Body, Footer, Slide Number."),
    ("plan-unknown-element", command("slides", override("deck/deck.xml", '<deck><slide layout="Topic"><bogus>x</bogus></slide></deck>')),
     "tpl/deck/deck.xml:1: unknown element <bogus> in a <slide>; use one of <title>, <subtitle>, <series>, <numeral>, "
     "<bullets>, <body>, <lead>, <point>, <notes>, <footer>, <logo>."),
    ("title-does-not-fit", command("slides", content(CONTENT.read_text(encoding="utf-8").replace(
        "heading: 金正恩時期以「發展核武」為談判籌碼", f"heading: {HEADING}", 1))),
     f"107005.yaml:40: sections[0].topics[0].heading: the slide title “一、{HEADING[:22]}…” of slide '壹、一' "
     "does not fit layout 'Topic' even at 24 pt; shorten it in the content or enlarge the placeholder in the master."),
]


@pytest.mark.parametrize(("name", "setup", "expected"), CUSTOM_CASES, ids=[c[0] for c in CUSTOM_CASES])
def test_bad_customisation_is_one_clear_message(tmp_path, name, setup, expected):
    result = run_cli(*setup(tmp_path), cwd=tmp_path)
    assert_one_message(result, expected, tmp_path)
    assert not list(tmp_path.glob("build/*.p*")), "a failed build wrote an output"


def test_output_file_that_is_a_folder_writes_nothing_else(tmp_path):
    (tmp_path / "D" / "107005.pdf").mkdir(parents=True)
    result = run_cli(str(CONTENT), "--out", "D", cwd=tmp_path)
    assert result.returncode == 1
    assert sorted(os.listdir(tmp_path / "D")) == ["107005.pdf"]  # the deck was made but not written alone


def test_utf8_with_bom_builds(tmp_path):
    (tmp_path / BAD).write_bytes(b"\xef\xbb\xbf" + CONTENT.read_bytes())
    result = run_cli(BAD, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(set(os.listdir(tmp_path / "out")) - {CACHE_NAME}) == ["107005.pdf", "107005.pptx"]


def test_every_message_is_documented():
    from .test_cli_errors import CASES as CLI_CASES
    from .test_hostile_inputs import CASES as HOSTILE_CASES
    from .test_import_errors import BAD as IMPORT_CASES
    from .test_preview import MESSAGES as PREVIEW_MESSAGES
    from .test_untrusted import CASES as UNTRUSTED_CASES

    documented = [_pattern(m) for m in re.findall(r"^- `(.+?)`(?= —|$)", (ROOT / "docs" / "errors.md").read_text(encoding="utf-8"), re.M)]
    messages = [expected for _, _, expected in [*CASES, *CLI_CASES, *CUSTOM_CASES, *IMPORT_CASES]] + PREVIEW_MESSAGES
    messages += [case.message for case in [*HOSTILE_CASES, *UNTRUSTED_CASES] if case.code]
    undocumented = [line for expected in messages for line in expected.splitlines() if not any(p.fullmatch(line) for p in documented)]
    assert undocumented == []


def _pattern(documented: str) -> re.Pattern[str]:
    """Return a regex for a documented message: ``{file}``, ``{line}``… stand for anything."""
    parts = re.split(r"\{[a-z_]+\}", documented)
    return re.compile(".+?".join(re.escape(part) for part in parts))


def test_alias_bomb_fails_within_bounded_memory(tmp_path):
    """Under a 600 MB address-space limit (a normal check needs far less), the bomb is refused, not expanded."""
    (tmp_path / BAD).write_text(alias_bomb(), encoding="utf-8")
    limit = 600 * 1024 * 1024
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", BAD], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
    )
    assert (result.returncode, "Traceback" in result.stderr) == (1, False)
    assert "holds more than 250,000 characters of text" in result.stderr
