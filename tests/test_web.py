"""The web edition (build.py html): one self-contained, accessible page holding the whole brief.

Read back as a reader meets it: in Debian's chromium (headless, through
chromium-driver), at a desktop width and on a 360 px phone, with axe-core.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from .browser import axe_violations, chromium, phone
from .conftest import CONTENT, ROOT, run_cli
from .languages import html_languages, misread

MAX_BYTES = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def web(tmp_path_factory) -> Path:
    """Return the web edition of 107005 built by the CLI."""
    out = tmp_path_factory.mktemp("web")
    result = run_cli("html", str(CONTENT), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"wrote .*107005\.html \(web edition, fonts inlined, \d+ KB\) in [\d.]+ s\n", result.stdout)
    return out / "107005.html"


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def content() -> dict:
    return yaml.safe_load(CONTENT.read_text(encoding="utf-8"))


def page_text(path: Path) -> str:
    """Return the page's text with tags dropped and entities resolved."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def own_cache(folder: Path) -> dict:
    """Return our environment with a user cache folder of its own (these builds leave the session's cache alone)."""
    return {**os.environ, "XDG_CACHE_HOME": str(folder / ".user-cache")}


def test_the_default_build_and_all_make_no_web_edition(tmp_path):
    out = tmp_path / "out"
    result = run_cli(str(CONTENT), "--out", str(out), env=own_cache(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["107005.pdf", "107005.pptx"]


def test_the_web_edition_holds_every_section_topic_headline_and_body(web, content):
    text = page_text(web)
    numerals = "壹貳參肆伍陸柒捌玖拾"
    for s, section in enumerate(content["sections"]):
        assert f"{numerals[s]}、{section['heading']}" in text
        for topic in section["topics"]:
            assert topic["heading"] in text
            for point in topic["points"]:
                assert point["headline"] in text
                assert " ".join(point["body"].split()) in " ".join(text.split())
    for paragraph in content["preface"]:
        assert " ".join(paragraph.split()) in " ".join(text.split())


def test_the_contents_are_in_page_links_and_the_sources_real_links(web, content):
    source = web.read_text(encoding="utf-8")
    targets = re.findall(r'<a href="#([\w-]+)"', source)
    assert len(targets) >= sum(1 + len(s["topics"]) for s in content["sections"])
    for target in targets:
        assert f'id="{target}"' in source, target
    for item in content["sources"]:
        assert f'href="{html.escape(item["url"])}"' in source, item["url"]


def test_the_web_edition_is_one_file_under_2_mb_that_loads_nothing_from_another_host(web):
    source = web.read_text(encoding="utf-8")
    assert web.stat().st_size < MAX_BYTES
    assert '<html lang="zh-TW">' in source
    assert not re.search(r"""src="(?!data:)|url\((?!['"]?data:)""", source)  # every image, font and style is inline
    assert not re.search(r"<link\b[^>]*\bhref=", source) and "<script" not in source
    assert source.count("@font-face") == 2 and "data:font/woff;base64," in source


def test_latin_phrases_and_addresses_are_marked_english_as_in_the_brief(web):
    page = web.read_text(encoding="utf-8")
    assert misread(page) == []
    english = "".join(char if lang == "en" else "|" for block in html_languages(page) for char, lang in block)
    for phrase in ("Philip Davidson", "Kenneth McKenzie", "https://udn.com/news/story/6809/3194417"):
        assert f"|{phrase}|" in english


def test_in_a_browser_it_draws_with_its_own_fonts_and_requests_nothing(web, browser):
    browser.get(web.as_uri())
    entries = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [name for name in entries if not name.startswith("data:")] == []
    faces = browser.execute_async_script(
        "const done = arguments[0]; document.fonts.ready.then(() => done("
        "Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight)));")
    assert sorted(faces) == ["Noto Sans CJK TC subset bold", "Noto Serif CJK TC subset normal"]


def test_no_serious_or_critical_accessibility_violation(web, browser):
    browser.get(web.as_uri())
    assert axe_violations(browser) == []


def test_landmarks_and_heading_order(web, browser):
    browser.get(web.as_uri())
    landmarks = browser.execute_script(
        "return ['header', 'nav', 'main', 'footer'].map(t => document.querySelectorAll(t).length)")
    assert landmarks == [1, 1, 1, 1]
    levels = browser.execute_script("return Array.from(document.querySelectorAll('h1,h2,h3,h4'), h => +h.tagName[1])")
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False)), levels


@pytest.mark.parametrize("width", [360, 414, 768, 1280])
def test_no_sideways_scrolling_from_a_phone_to_a_desktop(web, browser, width):
    phone(browser, width, 800)
    try:
        browser.get(web.as_uri())
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
            " Math.max(...Array.from(document.querySelectorAll('body *'), e => e.getBoundingClientRect().right))]")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert widths[0] <= widths[1] == width and widths[2] <= width + 0.5, widths


def test_a_web_css_edit_rebuilds_only_the_web_edition(tmp_path):
    out, env = tmp_path / "out", own_cache(tmp_path)
    assert run_cli("all", str(CONTENT), "--out", str(out), env=env).returncode == 0
    assert run_cli("html", str(CONTENT), "--out", str(out), env=env).returncode == 0
    mine = tmp_path / "mine" / "web"
    mine.mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "web" / "web.css", mine / "web.css")
    (mine / "web.css").write_text((mine / "web.css").read_text(encoding="utf-8") + "\n.headline { color: #000000; }\n")
    result = run_cli("all", str(CONTENT), "--out", str(out), "--templates", str(tmp_path / "mine"), env=env)
    assert result.stdout.count("up to date") == 2, result.stdout
    result = run_cli("html", str(CONTENT), "--out", str(out), "--templates", str(tmp_path / "mine"), env=env)
    assert "wrote" in result.stdout and ".headline { color: #000000; }" in (out / "107005.html").read_text(encoding="utf-8")


def test_a_template_that_loads_from_another_host_is_refused_with_its_name(tmp_path):
    mine = tmp_path / "mine" / "web"
    mine.mkdir(parents=True)
    (mine / "web.html").write_text('{% extends "brief/base.html" %}{% block logo %}<img src="https://example.com/logo.png" alt="">'
                                   "{% endblock %}", encoding="utf-8")
    result = run_cli("html", str(CONTENT), "--out", str(tmp_path / "out"), "--templates", str(tmp_path / "mine"))
    assert result.returncode == 1
    assert result.stderr == ("web/web.html: refers to https://example.com/logo.png, which is not allowed: the web edition "
                             "never loads anything from another host; copy the file into the template folder.\n")
    assert not (tmp_path / "out" / "107005.html").exists()


def test_a_logo_is_inlined(tmp_path):
    result = run_cli("html", str(CONTENT), "--out", str(tmp_path), "--templates", str(ROOT / "examples" / "monochrome"))
    assert result.returncode == 0, result.stderr
    assert '<img src="data:image/svg+xml;base64,' in (tmp_path / "107005.html").read_text(encoding="utf-8")


def test_check_reports_a_mistake_in_the_web_template_at_its_line(tmp_path):
    mine = tmp_path / "mine" / "web"
    mine.mkdir(parents=True)
    (mine / "web.html").write_text('{% extends "brief/base.html" %}\n{% block head %}{{ nope }}{% endblock %}\n', encoding="utf-8")
    result = run_cli("check", str(CONTENT), "--templates", "mine", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "mine/web/web.html:2: 'nope' is undefined; check the name against the template variables.\n")
