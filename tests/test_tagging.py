"""The brief's structure tree, as a screen reader gets it: checked by a third-party PDF/UA checker and read with pikepdf.

The checker (PyPI ``pdfua``, which reads the file with pikepdf) covers part of
PDF/UA-1; the assertions here cover what it does not: artifacts, the
contents, links, headings, table headers, languages and nesting by section.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from .languages import misread_blocks, pdf_languages
from .pdfread import MM, characters, page_size


@pytest.fixture(scope="module", params=["107005", "second"])
def pdf(request, built, second_built) -> Path:
    """Return the PDF of each test brief."""
    return built / "107005.pdf" if request.param == "107005" else second_built[1]


def elements(pdf: Path) -> list[tuple[str, int, pikepdf.Dictionary]]:
    """Return every structure element as (type, depth, element), in document order."""
    found = []
    with pikepdf.open(pdf) as document:
        def walk(element, depth):
            found.append((str(element.S), depth, dict(element.items())))
            kids = element.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk(kid, depth + 1)

        for top in document.Root.StructTreeRoot.K:
            walk(top, 0)
    return found


def checker() -> list[str]:
    """Return the command that runs the pdfua checker installed with the tests."""
    found = shutil.which("pdfua", path=str(Path(sys.executable).parent))
    assert found, "the pdfua checker is not installed: pip install -e '.[test]'"
    return [found]


def test_third_party_pdfua_checker_reports_no_errors(pdf):
    result = subprocess.run([*checker(), "check", "--format", "json", str(pdf)], capture_output=True, text=True)
    report = json.loads(result.stdout)
    assert report["summary"]["errors"] == 0, report["findings"]
    assert report["summary"]["rules_run"] >= 10


def test_every_heading_has_text(pdf):
    # The checker's own empty-heading rule (UA-14-001) fails on any /K array, so it is checked here.
    with pikepdf.open(pdf) as document:
        headings = [e for e in _all(document.Root.StructTreeRoot) if re.fullmatch(r"/H[1-6]", str(e.S))]
        assert headings and all(_marks_content(heading) for heading in headings)


def _marks_content(element) -> bool:
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if not isinstance(kid, pikepdf.Dictionary) or kid.get("/Type") == "/MCR" or _marks_content(kid):
            return True
    return False


def test_running_heads_and_folios_are_artifacts(pdf):
    width, height = page_size(pdf)
    pages = characters(pdf)
    zone = [char for page in pages[3:] for char in page  # inner pages: after cover, 序 and contents
            if char["text"].strip() and (char["bottom"] < 22 * MM or char["top"] > height - 22 * MM)]
    assert len(zone) > 100
    artifacts = [char for char in zone if char["tag"] == "Artifact"]
    assert len(artifacts) >= 0.95 * len(zone)


def test_contents_is_a_toc_of_tocis_with_links_that_say_where_they_lead(pdf):
    found = elements(pdf)
    kinds = [kind for kind, _, _ in found]
    assert "/TOC" in kinds and kinds.count("/TOCI") >= 5
    with pikepdf.open(pdf) as document:
        internal = [annotation for page in document.pages for annotation in page.get("/Annots", [])
                    if "/Dest" in annotation]
        assert internal
        for annotation in internal:
            assert re.fullmatch(r"(?:[壹貳參肆伍陸柒捌玖拾]+、|[一二三四五六七八九十]+、|參考資料).+?，第 \d+ 頁|參考資料，第 \d+ 頁",
                                str(annotation.Contents)), str(annotation.Contents)
    reader = PdfReader(pdf)  # each entry's page is the page its destination is on
    for annotation in internal:
        name = str(annotation.Dest)
        page = reader.get_destination_page_number(reader.named_destinations[name]) + 1
        assert str(annotation.Contents).endswith(f"，第 {page} 頁")


def test_every_link_annotation_hangs_under_a_link_element(pdf):
    with pikepdf.open(pdf) as document:
        nums = document.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        links = [a for page in document.pages for a in page.get("/Annots", []) if a.Subtype == "/Link"]
        assert len(links) > 10
        for annotation in links:
            parent = parents[int(annotation.StructParent)]
            assert parent.S == "/Link"
            kids = parent.K if isinstance(parent.K, pikepdf.Array) else [parent.K]
            assert any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR" and kid.Obj.objgen == annotation.objgen
                       for kid in kids)


def test_headings_come_in_order_and_nest_by_section(pdf):
    found = elements(pdf)
    levels = [int(kind[2]) for kind, _, _ in found if re.fullmatch(r"/H[1-6]", kind)]
    assert levels[0] == 1 and {1, 2, 3} <= set(levels)
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False))
    # One element for the 提要, however many pages it spans, holding one Sect per section.
    parts = [(depth, i) for i, (kind, depth, _) in enumerate(found) if kind == "/Part"]
    assert len(parts) == 1
    depth, start = parts[0]
    children = [kind for kind, d, _ in found[start + 1:] if d == depth + 1]
    h2 = sum(1 for kind, _, _ in found if kind == "/H2")
    assert children.count("/Sect") >= 1 and h2 >= children.count("/Sect")


def test_tables_have_header_cells(pdf):
    found = elements(pdf)
    tables = [i for i, (kind, _, _) in enumerate(found) if kind == "/Table"]
    assert tables
    for start in tables:
        depth = found[start][1]
        cells = []
        for kind, d, entries in found[start + 1:]:
            if d <= depth:
                break
            cells.append((kind, entries))
        headers = [entries for kind, entries in cells if kind == "/TH"]
        assert headers and all("/Scope" in entries["/A"] for entries in headers)


def test_latin_source_titles_and_publishers_are_english(built):
    # 107005 cites English titles and publishers (the second report's sources are bare URLs).
    found = elements(built / "107005.pdf")
    english = [entries for kind, _, entries in found if kind == "/Span" and str(entries.get("/Lang")) == "en"]
    assert len(english) >= 8  # 6 English publishers and 2 English titles in its sources


def test_every_latin_phrase_and_address_is_english_and_no_chinese_is(pdf):
    blocks = pdf_languages(pdf)
    assert misread_blocks(blocks) == []
    english = ["".join(char for char, lang in block if lang == "en") for block in blocks]
    assert sum(1 for text in english if text) >= 8


def test_the_names_terms_and_addresses_of_107005_are_read_in_english(built, report):
    # Tagged zh-TW before: five names and terms in the body, and every source's address.
    english = "".join(char if lang == "en" else "|" for block in pdf_languages(built / "107005.pdf") for char, lang in block)
    for phrase in ("maximum pressure", "Mike Pompeo", "Philip Davidson", "Kenneth McKenzie", "https://udn.com/news/story/6809/3194417",
                   "http://www.globaltimes.cn/content/1101513.shtml", "https://www.whitehouse.gov/"):
        assert phrase in english
    assert "|Shanghai CooperationOrganization|" in english  # cut between words at a line end (no space is drawn there)
    assert english.count("https://") + english.count("http://") == sum(1 for source in report.sources if source.url)


def test_the_archival_variant_is_tagged_and_identifies_as_pdf_a_3(variant_builds):
    with pikepdf.open(variant_builds["107005-a3a"]) as document:
        assert "/StructTreeRoot" in document.Root and document.Root.MarkInfo.Marked
        metadata = document.open_metadata()
        assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) == ("3", "A")
        kinds = {str(element.S) for element in _all(document.Root.StructTreeRoot)}
        assert {"/TOC", "/TOCI", "/Link", "/TH", "/H1", "/H2", "/H3"} <= kinds


def _all(node):
    kids = node.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _all(kid)
