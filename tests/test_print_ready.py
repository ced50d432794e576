"""A brief a print shop accepts: text clear of the trim, an even page count, bleed and crop marks on request; PDF variants."""

from __future__ import annotations

import time

import pikepdf
import pytest

from policybrief.brief.variants import VARIANTS

from .conftest import CONTENT, ROOT, run_cli
from .pdfread import MM, characters, page_size, poppler_text

CLEAR = 10 * MM  # no text closer than this to a trim edge


@pytest.fixture(scope="module", params=["107005", "second"])
def pdf(request, built, second_built):
    """Return the PDF of each test brief."""
    return built / "107005.pdf" if request.param == "107005" else second_built[1]


def test_no_text_within_10_mm_of_a_page_edge(pdf):
    width, height = page_size(pdf)
    close = [(number, char["text"], round(min(char["x0"], char["top"], width - char["x1"], height - char["bottom"]) / MM, 1))
             for number, page in enumerate(characters(pdf), start=1) for char in page
             if char["text"].strip() and min(char["x0"], char["top"], width - char["x1"], height - char["bottom"]) < CLEAR]
    assert close == []


def test_even_page_count_with_the_back_cover_last(pdf):
    pages = poppler_text(pdf).split("\f")[:-1]
    assert len(pages) % 2 == 0
    with pikepdf.open(pdf) as document:
        assert len(document.pages) == len(pages)
    assert "No." in pages[-1] and "基金會" in pages[-1]  # the series list and the publisher


def test_print_marks_add_bleed_and_crop_marks(tmp_path):
    theme = tmp_path / "print"
    theme.mkdir()
    (theme / "theme.yaml").write_text("brief:\n  print_marks: true\n", encoding="utf-8")
    result = run_cli("pdf", str(CONTENT), "--templates", str(theme), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "out" / "107005.pdf") as document:
        page = document.pages[0].obj
        media, trim, bleed = ([float(v) for v in page[key]] for key in ("/MediaBox", "/TrimBox", "/BleedBox"))
    assert trim[2] - trim[0] == pytest.approx(210 * MM, abs=0.5)  # the trim is the A4 page
    assert trim[0] - bleed[0] >= 3 * MM - 0.1 and bleed[2] - trim[2] >= 3 * MM - 0.1  # 3 mm bleed
    assert trim[0] - media[0] > bleed[0] - media[0] + 3 * MM  # room for the crop marks outside the bleed


def test_unknown_pdf_variant_is_a_usage_error_before_any_work(tmp_path):
    start = time.perf_counter()
    result = run_cli("pdf", str(CONTENT), "--out", str(tmp_path / "out"), "--pdf-variant", "pdf/z-9")
    assert result.returncode == 2
    assert time.perf_counter() - start < 10  # refused at once, not after a render
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in result.stderr
    error = [line for line in result.stderr.splitlines() if "pdf/z-9" in line]
    assert len(error) == 1 and all(variant in error[0] for variant in VARIANTS)
    assert "debug" not in error[0] and "pdf/x-" not in error[0]
    documented = next(line[3:-1] for line in (ROOT / "docs" / "errors.md").read_text(encoding="utf-8").splitlines()
                      if line.startswith("- `Error: Invalid value for '--pdf-variant'"))
    assert error[0] == documented.replace("{value}", "'pdf/z-9'")


def test_the_api_refuses_an_unknown_variant_with_a_documented_message(tmp_path):
    from policybrief.api import build
    from policybrief.errors import BriefError

    with pytest.raises(BriefError) as raised:
        build([CONTENT], out_dir=tmp_path / "out", pdf_variant="pdf/x-4")
    message = raised.value.lines()[0]
    assert message.startswith("pdf/x-4: is not a PDF variant") and not (tmp_path / "out").exists()
    documented = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert "`{variant}: is not a PDF variant the brief can be written as; use one of {variants}.`" in documented


def test_every_offered_variant_is_one_weasyprint_writes():
    from weasyprint.pdf import VARIANTS as WEASYPRINT

    assert set(VARIANTS) <= set(WEASYPRINT)
    assert "debug" not in VARIANTS and not any(v.startswith("pdf/x-") for v in VARIANTS)


def test_the_second_brief_builds_byte_identical_twice(tmp_path, second_built):
    content, first = second_built
    result = run_cli("pdf", str(content), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "second.pdf").read_bytes() == first.read_bytes()
