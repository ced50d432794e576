"""The shape of the package: a pipeline you can see, imports pointing down it, each rule in one place.

Also what a user meets because of that shape: slide problems named at the
content line, the template variables documented, templates copied before the
layout changed still building.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from policybrief.compose.context import template_context
from policybrief.compose.environment import search_path
from policybrief.compose.theme import load_theme

from .conftest import CONTENT, ROOT, run_cli

PACKAGE = ROOT / "policybrief"
# Each part of the package and its place in the pipeline: a module may import
# only from its own part or from parts with a lower number, and parts on the
# same step (brief, deck, importer) never import each other.
LAYERS = {
    "errors": 0, "output": 0, "__init__": 0,
    "typography": 1,
    "load": 2,
    "compose": 3,
    "brief": 4, "deck": 4, "importer": 4, "web": 4,
    "api": 5, "cache": 5, "cli": 5, "preview": 5, "watch": 5, "__main__": 5, "serve": 5,
}
CLOSING_PUNCTUATION = set("，。、；：！？」』）》…")


def modules() -> list[Path]:
    """Return every Python module of the package."""
    return sorted(PACKAGE.rglob("*.py"))


def part_of(path: Path) -> str:
    """Return the part (subpackage or top-level module name) that ``path`` belongs to."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_parts(path: Path) -> set[str]:
    """Return the parts of the package that ``path`` imports (anywhere in the file, TYPE_CHECKING included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("policybrief"):
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if alias.name.startswith("policybrief")]
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[1] in LAYERS:
                found.add(parts[1])
            elif len(parts) > 1:  # `from policybrief import __version__`
                found.add("__init__")
    return found


def string_literals(path: Path) -> list[str]:
    """Return every string constant written in ``path``, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_the_folder_list_shows_the_pipeline():
    top = [path.stem for path in PACKAGE.glob("*.py")]
    subpackages = [path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()]
    assert len(top) <= 10, top
    assert len(subpackages) >= 4, subpackages
    assert set(top) | set(subpackages) <= set(LAYERS), "a new part must be given its place in LAYERS"
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in subpackages:
        assert f"`{name}/`" in architecture, f"docs/architecture.md does not describe {name}/"


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_point_down_the_pipeline(path):
    own = part_of(path)
    for other in imported_parts(path) - {own}:
        assert LAYERS[other] <= LAYERS[own], f"{own} (step {LAYERS[own]}) imports {other} (step {LAYERS[other]}), later in the pipeline"
        assert LAYERS[other] < LAYERS[own] or LAYERS[own] != 4, f"{own} imports {other}, a sibling on the same step"


def test_the_closing_punctuation_is_defined_in_one_module():
    defining = sorted({
        str(path.relative_to(PACKAGE)) for path in modules()
        for text in string_literals(path) if len(CLOSING_PUNCTUATION & set(text)) >= 4
    })
    assert defining == ["typography/rules.py"]


def test_no_module_names_a_font_family():
    listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    families |= {"Microsoft JhengHei", "PingFang TC", "Arial", "Calibri", "Times New Roman", "WenQuanYi Zen Hei"}
    naming = {(str(path.relative_to(PACKAGE)), family) for path in modules() for text in string_literals(path)
              for family in families if len(family) > 4 and family in text}
    # Font families come only from templates/theme.yaml; the theme loader's messages may give one as an example.
    assert {module for module, _ in naming} <= {"compose/theme.py"}, naming


def test_the_build_date_is_read_in_one_place():
    reading = [str(path.relative_to(PACKAGE)) for path in modules() if "SOURCE_DATE_EPOCH" in string_literals(path)]
    assert reading == ["compose/dates.py"]


def test_only_ooxml_touches_python_pptx_internals():
    private = re.compile(r"\._(blob|element|r|p|rPr|txBody|spTree)\b")
    touching = [str(path.relative_to(PACKAGE)) for path in modules() if private.search(path.read_text(encoding="utf-8"))]
    assert touching == []


# --- located problems ---------------------------------------------------------------

LONG_HEADING = "朝鮮半島無核化進程與美中兩國在印太地區的戰略競逐" * 6  # 150 characters: no slide title holds it


@pytest.fixture
def long_heading(tmp_path) -> Path:
    """Return a working folder whose content/long.yaml has a topic heading no slide title can hold."""
    text = CONTENT.read_text(encoding="utf-8")
    assert "heading: 金正恩時期以「發展核武」為談判籌碼" in text
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "long.yaml").write_text(
        text.replace("heading: 金正恩時期以「發展核武」為談判籌碼", f"heading: {LONG_HEADING}", 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("command", [["check"], ["all", "--out", "out"], ["slides", "--out", "out"]])
def test_a_slide_title_that_cannot_fit_is_named_at_its_content_line(long_heading, command):
    line = next(n for n, text in enumerate((long_heading / "content" / "long.yaml").read_text(encoding="utf-8").splitlines(), 1)
                if LONG_HEADING in text)
    result = run_cli(*command, "content/long.yaml", cwd=long_heading)
    assert result.returncode == 1
    assert result.stderr.startswith(f"content/long.yaml:{line}: sections[0].topics[0].heading: the slide title “一、"), result.stderr
    assert "master.pptx" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (long_heading / "out" / "long.pdf").exists()  # nothing is written when the deck cannot be made


def test_a_continued_slide_names_its_content_line(tmp_path):
    text = CONTENT.read_text(encoding="utf-8")
    # Six more points under the first topic: more than the five a slide shows.
    extra = "".join(f"    - headline: 追加要點第{n}項\n      body: 說明。\n" for n in range(1, 7))
    anchor = "  - heading: 金正恩時期以「發展核武」為談判籌碼\n    points:\n"
    assert anchor in text
    (tmp_path / "many.yaml").write_text(text.replace(anchor, anchor + extra, 1), encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "金正恩時期以「發展核武」為談判籌碼" in row)
    result = run_cli("slides", "many.yaml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"continued: 壹、一 → \d slides \(many\.yaml:{line}\)", result.stdout), result.stdout


# --- the template context, documented -----------------------------------------------


def test_customising_lists_every_template_variable(report):
    context = template_context(report, load_theme(search_path()))
    doc = (ROOT / "docs" / "customising.md").read_text(encoding="utf-8")
    section = doc.split("## Template variables", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert sorted(documented) == sorted(context)


# --- templates copied before this layout ----------------------------------------------


def test_templates_copied_before_the_new_layout_still_build(tmp_path, built):
    # A copy made by init-templates before the pipeline and the deck changed: the old slide plan
    # (<bullets> only) and a master with five layouts; the roles it lacks fall back to its topic layout.
    old = shutil.copytree(ROOT / "tests" / "data" / "templates-0.1.0", tmp_path / "my-templates")
    result = run_cli(str(CONTENT), "--templates", str(old), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    # The brief keeps the copied (older, ragged-right) look, with the same text.
    assert _text(tmp_path / "out" / "107005.pdf") == _text(built / "107005.pdf")
    from pptx import Presentation

    slides = list(Presentation(str(tmp_path / "out" / "107005.pptx")).slides)
    assert [slide.slide_layout.name for slide in slides[:4]] == ["Title", "Agenda", "Section", "Topic"]
    assert len(slides) == 23


def _text(pdf: Path) -> str:
    """Return the text of ``pdf`` as pypdf extracts it, without whitespace."""
    from pypdf import PdfReader

    return "".join("".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
