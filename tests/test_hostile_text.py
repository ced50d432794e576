"""Hostile text in any content field either builds a valid PDF and deck or names the field.

Also: content is data, never template code, and an output is replaced only
by a complete new file.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from policybrief import output
from policybrief.api import build
from policybrief.cache import CACHE_NAME
from policybrief.errors import ContentError, OutputError, TemplateError

from .conftest import CONTENT, copy_of

FIELDS = [
    ("title",),
    ("publisher",),
    ("series", "name"),
    ("sections", 0, "heading"),
    ("sections", 0, "topics", 0, "heading"),
    ("sections", 0, "topics", 0, "points", 0, "headline"),
    ("sections", 0, "topics", 0, "points", 0, "body"),
]
SPECIAL = [
    "\u200f", "\u200e", "\u202e", "\u200d", "\u200b", "\ufeff", "\u2028",  # RTL/LTR marks, ZWJ, ZWSP, BOM, line sep.
    "\x00", "\x07", "\x0b", "\x1b", "\x7f", "\x85",  # control characters XML 1.0 forbids
    "\ud800", "\udfff",  # lone surrogates
    "😀", "👩\u200d💻", "🇹🇼", "𠀀", "𪚥",  # emoji, ZWJ sequence, flag, CJK Extension B
    "\ufffe", "\uffff", "\ue000",  # non-characters, private use
    "&", "<", ">", '"', "'", "{{ 7*7 }}", "{% raw %}", "]]>", "\\", "#", ": ",
    "中", "「", "」", "，", "。", "é", "ß", "α", "Я",
]
text = st.one_of(
    st.lists(st.one_of(st.characters(), st.sampled_from(SPECIAL)), max_size=30).map("".join),
    st.builds(lambda c, n: c * n, st.sampled_from(["W", "中", "—", "1"]), st.integers(150, 3100)),  # unbroken runs
)
# The suite is derandomized, so that a red CI run is reproducible and nothing
# is stored in the checkout; HYPOTHESIS_PROFILE=explore searches afresh.
settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("explore", parent=settings.get_profile("ci"), max_examples=300, derandomize=False)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def yaml_text(value: object, indent: str = "", raw: bool = False) -> str:
    """Return ``value`` as block YAML, every string double-quoted.

    Escapes carry any code point (even a lone surrogate) into the file; with
    ``raw``, characters stand as they are, as after a copy-paste into an editor.
    """
    if isinstance(value, dict):
        return "".join(
            f"{indent}{key}:"
            + (f"\n{yaml_text(item, indent + '  ', raw)}" if isinstance(item, (dict, list)) else f" {yaml_text(item, raw=raw)}\n")
            for key, item in value.items()
        )
    if isinstance(value, list):
        return "".join(f"{indent}-\n{yaml_text(item, indent + '  ', raw)}" for item in value)
    return '"' + "".join(_escape(c, raw) for c in str(value)) + '"'


def _escape(char: str, raw: bool) -> str:
    """Return ``char`` as it may stand inside a double-quoted YAML string."""
    plain = " " <= char <= "~" or "\u4e00" <= char <= "\u9fff" or (raw and not "\ud800" <= char <= "\udfff")
    if char in '"\\\n' or not plain:
        return f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}"
    return char


def report_with(key_path: tuple, value: str) -> dict:
    """Return a small valid report with ``value`` at ``key_path``."""
    data = {
        "series": {"name": "亞太政策報告系列", "number": "107005"},
        "title": "測試報告",
        "publisher": "亞太和平研究基金會",
        "date": "2018-07",
        "sections": [{"heading": "第一部分", "topics": [{"heading": "主題", "points": [{"headline": "標題", "body": "內文。"}]}]}],
    }
    holder = data
    for part in key_path[:-1]:
        holder = holder[part]
    holder[key_path[-1]] = value
    return data


def key_path_text(key_path: tuple) -> str:
    """Return ``key_path`` as messages write it."""
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(key_path))


@settings(PROFILE)
@given(field=st.sampled_from(FIELDS), value=text, raw=st.booleans())
def test_hostile_text_builds_or_names_the_field(tmp_path_factory, field, value, raw):
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "report.yaml"
    path.write_text(yaml_text(report_with(field, value), raw=raw), encoding="utf-8")
    try:
        build([path], out_dir=folder / "out")
    except ContentError as error:
        # A field's problem names its key path; a character the YAML reader
        # refuses is named with the line, which is the field's own line.
        where = re.escape(f"{path}") + r":\d+: (" + re.escape(key_path_text(field)) + ": |contains )"
        assert all(re.match(where + r"\S.*\.$", line) for line in error.lines()), error.lines()
        event("rejected with a message naming the field")
        return
    event("built")
    assert_opens(folder / "out" / "report.pdf", folder / "out" / "report.pptx")


def assert_opens(pdf: Path, pptx: Path) -> None:
    """Assert that pypdf reads ``pdf`` and python-pptx reopens ``pptx``."""
    from pptx import Presentation
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf.read_bytes())).pages) >= 1
    assert len(Presentation(io.BytesIO(pptx.read_bytes())).slides) >= 1


HOSTILE_BUT_VALID = "{{ 7*7 }}\u200d<b>&amp;</b>{% if 1 %}x{% endif %}"


def test_content_is_never_template_code(tmp_path):
    """Template syntax and HTML in content come out literally in the PDF and the deck (opened by LibreOffice)."""
    path = tmp_path / "report.yaml"
    path.write_text(yaml_text(report_with(FIELDS[5], HOSTILE_BUT_VALID)), encoding="utf-8")
    build([path], out_dir=tmp_path)
    literal = "{{7*7}}<b>&amp;</b>{%if1%}x{%endif%}"  # compared without spaces: the deck wraps the line
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert literal in re.sub(r"[\s\u200d]", "", pdf_text)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "deck"), str(tmp_path / "report.pptx")],
        capture_output=True, timeout=240, check=True,
    )
    deck_text = subprocess.run(["pdftotext", str(tmp_path / "deck" / "report.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert literal in re.sub(r"[\s\u200d]", "", deck_text)
    assert "49" not in pdf_text + deck_text


@pytest.fixture
def previous(tmp_path, built) -> Path:
    """Return a folder holding a good build of the shipped report (a copy of the session's build)."""
    return copy_of(built, tmp_path)


@pytest.mark.parametrize(("failure", "raised"), [(OSError(28, "No space left on device"), OutputError), (KeyboardInterrupt(), KeyboardInterrupt)])
def test_interrupted_write_keeps_the_previous_file(previous, monkeypatch, failure, raised):
    """A write that fails after the data went to the temporary file leaves the old file and no .part file."""
    target = previous / "107005.pdf"
    before = target.read_bytes(), target.stat().st_mtime_ns

    def fail(fd: int) -> None:
        raise failure

    monkeypatch.setattr(output.os, "fsync", fail)  # the data is written, the real rename never happens
    with pytest.raises(raised):
        output.write_atomic(target, b"%PDF-1.7 half a file")
    assert (target.read_bytes(), target.stat().st_mtime_ns) == before
    assert sorted(set(os.listdir(previous)) - {CACHE_NAME}) == ["107005.pdf", "107005.pptx"]


def test_failed_deck_leaves_the_previous_pdf_and_deck(previous, tmp_path_factory):
    """A deck template error after the PDF is made writes neither output."""
    templates = tmp_path_factory.mktemp("tpl")
    (templates / "deck").mkdir()
    (templates / "deck" / "deck.xml").write_text("<deck>{{ nope }}</deck>\n", encoding="utf-8")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in previous.iterdir() if p.is_file()}
    with pytest.raises(TemplateError, match="'nope' is undefined"):
        build([CONTENT], out_dir=previous, templates=[templates])
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in previous.iterdir() if p.is_file()} == before

