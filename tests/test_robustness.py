"""Bad input never crashes, never corrupts a previous output, always says what to fix.

Every case runs ``python build.py`` as a user would, in a folder that already
holds yesterday's good 107005.pdf and 107005.pptx, and asserts: exit code 1,
exactly the expected one-sentence message, no traceback, and the previous
outputs byte-identical with their modification times unchanged and no
temporary ``.part`` file left behind.
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
from policybrief.fonts import FONT_FOLDER

from .conftest import CONTENT, ROOT, run_cli
from .test_cli_errors import GOOD

BUILTIN = ROOT / "templates"
BAD = "107005.yaml"  # the same name as the shipped report, so its outputs would collide


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder holding a good 107005 build (built once for the module)."""
    out = tmp_path_factory.mktemp("previous")
    result = run_cli(str(CONTENT), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


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
    ("no-content-folder", args(), "content: no such folder; name a content file, e.g. python build.py content/107005.yaml."),
    # --- YAML structure ---
    ("tab-indent", content(GOOD.replace("  name:", "\tname:")),
     f"{BAD}:2: YAML syntax error: found character '\\t' that cannot start any token; indent with spaces, not tabs."),
    ("duplicate-key", content(GOOD.replace("title: 測試報告\n", "title: 測試報告\ntitle: 又一個\n")),
     f"{BAD}:5: title: duplicate key (first at line 4); keep only one."),
    ("alias-bomb", content(alias_bomb()),
     f"{BAD}:1: the file expands to more than 100,000 values (YAML aliases repeated?); write the content out plainly."),
    ("nested-200", content(nested(200)), f"{BAD}:4: title: nested more than 20 levels deep; a report needs only a few levels."),
    ("nested-10000", content(nested(10_000)), f"{BAD}:1: the YAML is nested too deeply; a report needs only a few levels."),
    ("top-level-list", content("- title: x\n"), f"{BAD}:1: the top level is a list; it must be a mapping of keys such as 'title:'."),
    ("python-tag", content(GOOD.replace("title: 測試報告", "title: !!python/object/apply:os.system [echo hi]")),
     f"{BAD}:4: title: the tag '!!python/object/apply:os.system' is not allowed; "
     "content is plain text, numbers, lists and mappings — remove the tag."),
    # --- values ---
    ("unknown-key", content(GOOD + "colour: red\n"),
     f"{BAD}:14: colour: unknown key; allowed here: series, title, short_title, subtitle, publisher, date, "
     "keywords, editor, contributors, preface, sections, sources, series_list."),
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
     "{tmp}/tpl/deck/master.pptx: has no slide layout named 'Topic'; it has: Title, Agenda, Section, 內容, Closing."),
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


@pytest.mark.parametrize(("name", "setup", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_message_and_keeps_previous_outputs(tmp_path, previous, name, setup, expected):
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = snapshot(out)
    given = setup(tmp_path)
    result = run_cli(*given, *([] if "--out" in given else ["--out", "out"]), cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (1, expected.replace("{tmp}", str(tmp_path.resolve())))
    assert "Traceback" not in result.stderr
    assert snapshot(out) == before
    assert not [p for p in tmp_path.rglob("*.part")]


def test_output_file_that_is_a_folder_writes_nothing_else(tmp_path):
    (tmp_path / "D" / "107005.pdf").mkdir(parents=True)
    result = run_cli(str(CONTENT), "--out", "D", cwd=tmp_path)
    assert result.returncode == 1
    assert sorted(set(os.listdir(tmp_path / "D")) - {FONT_FOLDER}) == ["107005.pdf"]  # the deck was made but not written alone


def test_utf8_with_bom_builds(tmp_path):
    (tmp_path / BAD).write_bytes(b"\xef\xbb\xbf" + CONTENT.read_bytes())
    result = run_cli(BAD, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(set(os.listdir(tmp_path / "out")) - {CACHE_NAME, FONT_FOLDER}) == ["107005.pdf", "107005.pptx"]


def test_every_message_is_documented():
    from .test_cli_errors import CASES as CLI_CASES

    documented = [_pattern(m) for m in re.findall(r"^- `(.+?)`(?= —|$)", (ROOT / "docs" / "errors.md").read_text(encoding="utf-8"), re.M)]
    undocumented = [
        expected for _, _, expected in [*CASES, *CLI_CASES]
        for line in expected.splitlines() if not any(p.fullmatch(line) for p in documented)
    ]
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
    assert "expands to more than 100,000 values" in result.stderr
