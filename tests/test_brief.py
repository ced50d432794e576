"""The built 107005 brief, read back with real PDF readers (poppler, pypdf, qpdf).

Structure, text, contents page numbers, bookmarks, fonts, metadata,
reproducibility, and the URL sandbox seen from the command line.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from policybrief.compose.context import template_context
from policybrief.compose.environment import search_path
from policybrief.compose.theme import load_theme

from .conftest import CONTENT, run_cli, run_process

CLOSING = "，。、；：！？」』）》"
OPENING = "「『（《"


def squash(text: str) -> str:
    """Return ``text`` without whitespace, so line breaks do not matter."""
    return re.sub(r"\s+", "", text)


def pages_text(pdf: Path, *, layout: bool = False) -> list[str]:
    """Return the text of every page of ``pdf``, as poppler's pdftotext extracts it."""
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.split("\f")[:-1]


def drawn_lines(pdf: Path) -> list[str]:
    """Return the text of every line drawn in ``pdf``: its characters on one baseline, left to right (pdfplumber)."""
    import pdfplumber

    lines = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            rows: dict[int, list] = {}
            for char in page.chars:
                rows.setdefault(round(char["bottom"]), []).append(char)
            lines += ["".join(c["text"] for c in sorted(rows[key], key=lambda c: c["x0"])) for key in sorted(rows)]
    return lines


def body_lines(page: str, context: dict) -> list[str]:
    """Return a page's non-empty lines without the running header and the page number."""
    furniture = {context["short_title"], context["series_label"]}
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return [line for line in lines if line not in furniture and not line.isdigit()]


def build_env(**extra: str) -> dict[str, str]:
    """Return the environment for a CLI run, without an inherited SOURCE_DATE_EPOCH."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return {**env, **extra}


def build_pdf(out: Path, *args: str, env: dict[str, str] | None = None, fresh: bool = False) -> Path:
    """Return the path of 107005.pdf built into ``out`` by the CLI with ``args`` (``fresh``: in a new interpreter)."""
    result = (run_process if fresh else run_cli)("pdf", str(CONTENT), "--out", str(out), *args, env=env or build_env())
    assert result.returncode == 0, result.stderr
    return out / "107005.pdf"


@pytest.fixture(scope="module")
def context(report) -> dict:
    return template_context(report, load_theme(search_path()))


@pytest.fixture(scope="module")
def pdf(built) -> Path:
    return built / "107005.pdf"


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    return pages_text(pdf)


def toc_page_index(pages: list[str]) -> int:
    """Return the index of the contents page."""
    return next(i for i, page in enumerate(pages) if squash(page).startswith("目次"))


def test_every_page_is_a4(pdf):
    sizes = {(round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72)) for p in PdfReader(pdf).pages}
    assert sizes == {(210, 297)}


def test_headings_headlines_bodies_and_date_extract_verbatim(pages, context):
    text = squash("".join("".join(body_lines(page, context)) for page in pages))
    expected = [context["roc_date"], "序", "目次", "提要", "參考資料", context["report"].title]
    for section in context["sections"]:
        expected.append(section.label + section.heading)
        for topic in section.topics:
            expected.append(topic.label + topic.heading)
            expected += [t for point in topic.points for t in (point.headline, point.body)]
    expected += [*context["report"].preface, *(entry.title for entry in context["report"].series_list)]
    missing = [t for t in expected if squash(t) not in text]
    assert not missing


def test_preface_names_the_editor_and_every_contributor(pages, context):
    report = context["report"]
    preface = squash(next(page for page in pages if squash(page).startswith("序")))
    assert squash(f"{report.publisher}　謹誌{context['roc_date']}") in preface
    for person in [report.editor, *report.contributors]:
        assert squash(person.name + person.affiliation) in preface or squash(person.name) in preface
        assert squash(person.affiliation) in preface


def test_contents_page_numbers_are_the_pages_of_the_headings(pdf, pages, context):
    toc = toc_page_index(pages)
    listed = {}
    for line in pages_text(pdf, layout=True)[toc].splitlines():
        match = re.fullmatch(r"\s*(\S.*?)[\s.]*?(\d+)\s*", line)
        if match:
            listed[squash(match[1]).rstrip(".")] = int(match[2])
    headings = [s.label + s.heading for s in context["sections"]]
    headings += [t.label + t.heading for s in context["sections"] for t in s.topics] + ["參考資料"]
    for heading in headings:
        found_on = next(i + 1 for i, page in enumerate(pages) if i > toc and squash(heading) in squash(page))
        assert listed[squash(heading)] == found_on, heading


def test_each_section_starts_a_new_page(pages, context):
    starts = [next(i for i, p in enumerate(pages) if i > toc_page_index(pages) and squash(s.label + s.heading) in squash(p))
              for s in context["sections"]]
    assert len(set(starts)) == len(starts)
    for index, section in zip(starts[1:], context["sections"][1:], strict=True):
        assert body_lines(pages[index], context)[0] == section.label + section.heading


def test_no_heading_or_headline_ends_a_page(pages, context):
    headings = {s.label + s.heading for s in context["sections"]}
    headings |= {t.label + t.heading for s in context["sections"] for t in s.topics}
    headings |= {p.headline for s in context["sections"] for t in s.topics for p in t.points}
    last_lines = [body_lines(page, context)[-1] for page in pages[toc_page_index(pages) + 1:] if body_lines(page, context)]
    assert [line for line in last_lines if any(squash(line) and squash(h).endswith(squash(line)) for h in headings)] == []


def test_running_header_and_page_number_from_the_first_body_page_on(pdf, pages, context):
    layout = pages_text(pdf, layout=True)
    first_body = toc_page_index(pages) + 2  # the page after the contents, counted from 1
    for number, page in enumerate(layout, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()] or [""]
        has_number = lines[-1] == str(number)
        has_header = lines[0].startswith(context["short_title"]) and lines[0].endswith(context["series_label"])
        blank = not page.strip()  # the verso left blank before the back cover
        in_body = first_body <= number < len(layout) and not blank  # the back cover carries neither
        assert (has_number, has_header) == (in_body, in_body), number


def test_bookmarks_for_every_section_and_topic(pdf, context):
    outline = PdfReader(pdf).outline
    top = [item for item in outline if not isinstance(item, list)]
    children = [item for item in outline if isinstance(item, list)]
    sections = [item.title for item in top if item.title[1:2] == "、"]
    assert sections == [s.label + s.heading for s in context["sections"]]
    topics = [item.title for group in children for item in group]
    assert topics == [t.label + t.heading for s in context["sections"] for t in s.topics]
    assert [item.title for item in top if item.title[1:2] != "、"] == ["序", "參考資料"]


def test_sources_are_clickable_links(pdf, context):
    uris = {annot.get_object()["/A"]["/URI"] for page in PdfReader(pdf).pages
            for annot in page.get("/Annots", []) if "/URI" in annot.get_object().get("/A", {})}
    assert uris == {source.url for source in context["report"].sources}


def test_metadata_language_and_structure(pdf, context):
    reader = PdfReader(pdf)
    report = context["report"]
    info = reader.metadata
    assert (info["/Title"], info["/Author"]) == (report.title, report.publisher)
    assert info["/Subject"] == f"{context['series_label']} {report.subtitle}"
    assert info["/Keywords"] == ", ".join(report.keywords)
    assert info["/CreationDate"].startswith("D:20180701000000")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-TW"
    assert "/StructTreeRoot" in root


def test_only_embedded_subset_traditional_chinese_fonts(pdf):
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert lines
    for line in lines:
        name, *_, emb, sub, _uni, _obj, _gen = line.split()
        assert (emb, sub) == ("yes", "yes"), line
        assert re.fullmatch(r"[A-Z]{6}\+Noto-(Sans|Serif)-CJK-TC-subset(-Bold)?", name), line


def test_qpdf_finds_no_problem(pdf):
    result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(pdf):
    # Lines as drawn (characters on one baseline), not as pdftotext joins them: poppler starts
    # a new line after a half-width bracket (」、「), whose glyph box overlaps the next one.
    lines = [line.strip() for line in drawn_lines(pdf) if line.strip()]
    assert len(lines) > 200
    assert [line for line in lines if line[0] in CLOSING] == []
    assert [line for line in lines if line[-1] in OPENING] == []


def test_two_builds_are_byte_identical(pdf, rebuilt):
    again = rebuilt / "107005.pdf"  # built by the pdf command alone, in a fresh interpreter
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(pdf.read_bytes()).hexdigest()


def test_source_date_epoch_sets_the_dates_and_builds_stay_identical(tmp_path):
    env = build_env(SOURCE_DATE_EPOCH="1600000000")
    first, second = build_pdf(tmp_path / "a", env=env), build_pdf(tmp_path / "b", env=env, fresh=True)
    assert first.read_bytes() == second.read_bytes()
    info = PdfReader(first).metadata
    assert info["/CreationDate"].startswith("D:20200913122640")
    assert info["/ModDate"].startswith("D:20200913122640")


def test_pdf_variant_option_makes_an_archival_pdf(tmp_path):
    pdf = build_pdf(tmp_path, "--pdf-variant", "pdf/a-3u")
    xmp = PdfReader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp), xmp
    assert re.search(r"pdfaid:conformance(>|=\")U", xmp), xmp
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0


def balanced_lines(text: str, width: float) -> list[str]:
    """Return ``text`` in balanced cover-title lines, measured as the brief's cover sets it."""
    return load_theme(search_path()).fonts.heading.measurer(bold=True).balanced_lines(text, width)


def test_cover_title_lines_are_balanced(report):
    lines = balanced_lines(report.title, 16)
    assert "".join(lines) == report.title
    assert lines == ["「川金會」後朝鮮半島情勢發展", "對美「中」戰略布局之影響"]


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("短標題", 16, ["短標題"]),
        # Between phrases (BudouX) rather than at the even share: a title breaks only between words.
        ("一二三四五六七八九十一二三四五六七", 16, ["一二三四五六七八九十一", "二三四五六七"]),
        ("臺灣與「印太戰略」之關係及未來發展方向之研析報告", 16, ["臺灣與「印太戰略」之關係", "及未來發展方向之研析報告"]),
        ("甲乙丙丁戊己庚辛壬」癸子丑寅卯辰巳午未申", 9, ["甲乙丙丁戊己庚", "辛壬」癸子丑寅", "卯辰巳午未申"]),
        # Two lines, and the name Kim Jong-un no longer cut in two.
        ("North Korea 與 Kim Jong-un 的峰會外交及其對東亞局勢之長期影響", 16,
         ["North Korea 與 Kim Jong-un 的", "峰會外交及其對東亞局勢之長期影響"]),
    ],
)
def test_balanced_lines_never_orphan_or_split_punctuation(text, width, expected):
    assert balanced_lines(text, width) == expected


class CountingHandler(http.server.BaseHTTPRequestHandler):
    """Counts every request it receives (there must be none)."""

    requests = 0

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        type(self).requests += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """Yield the port of an HTTP server on 127.0.0.1 that counts requests; stop it afterwards."""
    CountingHandler.requests = 0
    httpd = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


NETWORK = "the brief never fetches from the network; copy the file into the template or content folder"
OUTSIDE = "it is outside the template and content folders; copy the file into one of them"


@pytest.mark.parametrize(
    ("block", "reference", "url", "reason"),
    [
        ("logo", '<img src="{url}" alt="">', "http://127.0.0.1:{port}/logo.png", NETWORK),
        ("logo", '<img src="{url}" alt="">', "file:///etc/passwd", OUTSIDE),
        ("head", '{{{{ super() }}}}<style>body {{ background: url("{url}") }}</style>', "http://127.0.0.1:{port}/bg.png", NETWORK),
        ("head", '{{{{ super() }}}}<style>body {{ background: url("{url}") }}</style>', "file:///etc/passwd", OUTSIDE),
        ("head", '{{{{ super() }}}}<link rel="attachment" href="{url}">', "http://127.0.0.1:{port}/a.txt", NETWORK),
        ("head", '{{{{ super() }}}}<link rel="attachment" href="{url}">', "file:///etc/passwd", OUTSIDE),
        ("head", '{{{{ super() }}}}<link rel="stylesheet" href="{url}">', "http://127.0.0.1:9/", NETWORK),
    ],
)
def test_template_reference_outside_the_sandbox_is_refused(tmp_path, server, block, reference, url, reason):
    url = url.format(port=server)
    override = tmp_path / "mine" / "brief" / "brief.html"
    override.parent.mkdir(parents=True)
    tag = reference.format(url=url)
    override.write_text(f'{{% extends "brief/base.html" %}}\n{{% block {block} %}}{tag}{{% endblock %}}\n', encoding="utf-8")
    result = run_cli("pdf", str(CONTENT), "--out", str(tmp_path / "out"), "--templates", str(tmp_path / "mine"))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"{override.resolve()}: refers to {url}, which is not allowed: {reason}.\n"
    assert not (tmp_path / "out" / "107005.pdf").exists()
    assert CountingHandler.requests == 0


def test_files_in_the_template_folder_may_be_used(tmp_path):
    from PIL import Image

    mine = tmp_path / "mine" / "brief"
    mine.mkdir(parents=True)
    Image.new("RGB", (40, 20), "#1f3a5f").save(mine / "logo.png")
    logo = (mine / "logo.png").resolve().as_uri()
    (mine / "brief.html").write_text(f'{{% extends "brief/base.html" %}}{{% block logo %}}<img src="{logo}" alt="標誌">{{% endblock %}}')
    pdf = build_pdf(tmp_path / "out", "--templates", str(tmp_path / "mine"))
    cover = PdfReader(pdf).pages[0]
    assert [x for x in cover["/Resources"]["/XObject"].values() if x.get_object()["/Subtype"] == "/Image"]
