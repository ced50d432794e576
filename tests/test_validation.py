"""The briefs checked by an independent validator: PDF/UA-1 for the default PDF, PDF/A-3A and PDF/UA-1 for the archival one.

``page-validation`` (PyPI, a Rust validator; no Java) checks each profile's
rules on the file as written: 104 rules for PDF/UA-1, 156 for PDF/A-3A. It is
run on 107005, on the imported second report (Latin acronyms, numbers,
addresses) and on 107005 with ``print_marks: true`` (bleed and crop marks).
"""

from __future__ import annotations

from pathlib import Path

import page
import pikepdf
import pytest

from .conftest import run_cli

UA = page.ValidationProfile.PDF_UA_1
A3A = page.ValidationProfile.PDF_A_3A
CHECKED = [("107005", UA), ("second", UA), ("print", UA),
           ("107005-a3a", A3A), ("107005-a3a", UA), ("second-a3a", A3A), ("second-a3a", UA),
           ("print-a3a", A3A), ("print-a3a", UA)]


@pytest.fixture(scope="module")
def pdfs(built, second_built, variant_builds) -> dict[str, Path]:
    """Return every PDF the validator checks, by name."""
    return {"107005": built / "107005.pdf", "second": second_built[1], **variant_builds}


@pytest.mark.parametrize(("name", "profile"), CHECKED, ids=[f"{name}-{profile.name}" for name, profile in CHECKED])
def test_the_independent_validator_finds_the_pdf_compliant(pdfs, name, profile):
    report = page.validate_pdf(str(pdfs[name]), profile=profile)
    assert report.is_compliant, [(failure.rule_id, failure.message) for failure in report.failures]
    assert report.rules.total >= 100 and report.rules.failed == 0


@pytest.mark.parametrize("name", ["107005-a3a", "second-a3a", "print-a3a"])
def test_the_archival_pdf_has_uncompressed_xmp_declaring_pdf_a_3a_and_pdf_ua_1(pdfs, name):
    with pikepdf.open(pdfs[name]) as document:
        assert "/Filter" not in document.Root.Metadata  # PDF/A forbids a filter on the metadata stream
        metadata = document.open_metadata()
        assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance"), metadata.get("pdfuaid:part")) == ("3", "A", "1")


def test_the_default_pdf_declares_only_pdf_ua_1(pdfs):
    with pikepdf.open(pdfs["107005"]) as document:
        metadata = document.open_metadata()
        assert metadata.get("pdfuaid:part") == "1" and metadata.get("pdfaid:part") is None


def test_every_checked_pdf_stays_under_400_kb(pdfs):
    sizes = {name: pdf.stat().st_size for name, pdf in pdfs.items()}
    assert max(sizes.values()) < 400 * 1024, sizes


def test_the_archival_pdf_builds_byte_identical_twice(pdfs, tmp_path):
    from .conftest import CONTENT

    result = run_cli("pdf", str(CONTENT), "--out", str(tmp_path), "--pdf-variant", "pdf/a-3a")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "107005.pdf").read_bytes() == pdfs["107005-a3a"].read_bytes()
