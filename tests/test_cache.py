"""Up-to-date outputs are skipped; any change to what an output is made from rebuilds it.

Builds run through the CLI where the printed lines matter, otherwise through
the Python API (the same code path, without a process start per build).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policybrief import api, cli

from .conftest import CONTENT, ROOT, copy_of, run_cli


def content_copy(folder: Path, number: str = "107005") -> Path:
    """Return a copy of the shipped content in ``folder``, renumbered as ``number``."""
    folder.mkdir(parents=True, exist_ok=True)
    text = CONTENT.read_text(encoding="utf-8")
    path = folder / f"{number}.yaml"
    path.write_text(text.replace('number: "107005"\ntitle', f'number: "{number}"\ntitle', 1), encoding="utf-8")
    return path


def build_names(content: Path, out: Path, **options) -> list[str]:
    """Return the names of the outputs a build of ``content`` into ``out`` wrote."""
    return [written.path.name for written in api.build([content], out_dir=out, **options)]


def stamps(out: Path) -> dict[str, int]:
    """Return each file in ``out`` with its modification time in nanoseconds."""
    return {path.name: path.stat().st_mtime_ns for path in out.iterdir()}


def test_no_change_rebuild_writes_nothing_and_says_up_to_date(tmp_path, built):
    out = copy_of(built, tmp_path / "out")  # the session's CLI build of 107005, with its cache record
    before = stamps(out)
    result = run_cli(str(CONTENT), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"up to date: {out / '107005.pdf'}", f"up to date: {out / '107005.pptx'}"]
    assert stamps(out) == before


def test_force_rebuilds_an_up_to_date_output(tmp_path):
    content = content_copy(tmp_path / "content")
    assert build_names(content, tmp_path, targets=["slides"]) == ["107005.pptx"]
    assert build_names(content, tmp_path, targets=["slides"]) == []
    assert build_names(content, tmp_path, targets=["slides"], force=True) == ["107005.pptx"]


def test_force_through_the_cli(tmp_path, built):
    out = copy_of(built, tmp_path / "out")  # up to date
    result = run_cli("slides", str(CONTENT), "--out", str(out), "--force")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out / '107005.pptx'} (")


def test_editing_the_content_rebuilds(tmp_path):
    content = content_copy(tmp_path / "content")
    build_names(content, tmp_path, targets=["slides"])
    content.write_text(content.read_text(encoding="utf-8").replace("。", "；", 1), encoding="utf-8")
    assert build_names(content, tmp_path, targets=["slides"]) == ["107005.pptx"]


@pytest.mark.parametrize("edit", ["edit the brief's stylesheet", "add a theme file", "add an image"])
def test_changing_the_template_folder_rebuilds(tmp_path, edit):
    content = content_copy(tmp_path / "content")
    templates = tmp_path / "templates"
    (templates / "brief").mkdir(parents=True)
    css = templates / "brief" / "brief.css"
    css.write_text((ROOT / "templates" / "brief" / "brief.css").read_text(encoding="utf-8"), encoding="utf-8")
    options = {"targets": ["pdf"], "templates": [templates]}
    assert build_names(content, tmp_path, **options) == ["107005.pdf"]
    if edit == "edit the brief's stylesheet":
        css.write_text(css.read_text(encoding="utf-8").replace("--gap-point: 3mm;", "--gap-point: 4mm;"), encoding="utf-8")
    elif edit == "add a theme file":
        (templates / "theme.yaml").write_text("colours: {accent: '#7A1F1F'}\n", encoding="utf-8")
    else:
        (templates / "brief" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    assert build_names(content, tmp_path, **options) == ["107005.pdf"]


def test_source_date_epoch_rebuilds(tmp_path, monkeypatch):
    content = content_copy(tmp_path / "content")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build_names(content, tmp_path, targets=["slides"])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1530403200")
    assert build_names(content, tmp_path, targets=["slides"]) == ["107005.pptx"]
    assert build_names(content, tmp_path, targets=["slides"]) == []


def test_another_pdf_variant_rebuilds_only_the_pdf(tmp_path, built):
    # Through the CLI: WeasyPrint leaves the PDF/A colour profile file open, a warning that run_cli ignores
    # as an interpreter does (the API, under pytest's filterwarnings=error, would fail on it).
    copy_of(built, tmp_path)  # the default variant, up to date
    result = run_cli(str(CONTENT), "--out", str(tmp_path), "--pdf-variant", "pdf/a-3u")
    assert result.returncode == 0, result.stderr
    assert [line.split(" (")[0] for line in result.stdout.splitlines()] == [
        f"up to date: {tmp_path / '107005.pptx'}",
        f"wrote {tmp_path / '107005.pdf'}",
    ]


@pytest.mark.parametrize("damage", ["delete", "edit"])
def test_a_deleted_or_edited_output_is_rebuilt(tmp_path, damage):
    content = content_copy(tmp_path / "content")
    build_names(content, tmp_path, targets=["slides"])
    deck = tmp_path / "107005.pptx"
    original = deck.read_bytes()
    if damage == "delete":
        deck.unlink()
    else:
        deck.write_bytes(original + b"\0")
    assert build_names(content, tmp_path, targets=["slides"]) == ["107005.pptx"]
    assert deck.read_bytes() == original


def test_a_lost_cache_record_rebuilds(tmp_path):
    content = content_copy(tmp_path / "content")
    build_names(content, tmp_path, targets=["slides"])
    (tmp_path / ".policybrief-cache.json").write_text("{not json", encoding="utf-8")
    assert build_names(content, tmp_path, targets=["slides"]) == ["107005.pptx"]


def test_a_series_in_one_command_equals_one_at_a_time(tmp_path):
    folder = tmp_path / "content"
    paths = [content_copy(folder, number) for number in ("107003", "107004", "107005")]
    together, alone = tmp_path / "together", tmp_path / "alone"
    written = api.build(paths, out_dir=together)
    assert sorted(w.path.name for w in written) == sorted(f"{p.stem}{s}" for p in paths for s in (".pdf", ".pptx"))
    for path in paths:
        api.build([path], out_dir=alone)
    for path in paths:
        for suffix in (".pdf", ".pptx"):
            name = path.stem + suffix
            assert (together / name).read_bytes() == (alone / name).read_bytes(), name


def test_missing_harfbuzz_subsetting_warns_once_with_the_package(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(api, "_harfbuzz_subset", lambda: False)
    folder = tmp_path / "content"
    paths = [str(content_copy(folder, number)) for number in ("107004", "107005")]
    assert cli.main(["pdf", *paths, "--out", str(tmp_path / "out")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: {api.HARFBUZZ_WARNING}"]
    assert "sudo apt-get install libharfbuzz-subset0" in warnings[0]


def test_no_warning_when_harfbuzz_subsetting_is_installed(tmp_path, capsys):
    assert api._harfbuzz_subset()
    assert cli.main(["pdf", str(content_copy(tmp_path / "content")), "--out", str(tmp_path / "out")]) == 0
    assert "warning" not in capsys.readouterr().err


def test_no_pdf_no_harfbuzz_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(api, "_harfbuzz_subset", lambda: False)
    assert cli.main(["slides", str(content_copy(tmp_path / "content")), "--out", str(tmp_path / "out")]) == 0
    assert "warning" not in capsys.readouterr().err

