"""The brief's fonts are subset before WeasyPrint embeds them: smaller PDFs, the same pages."""

from __future__ import annotations

import io
import subprocess

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from policybrief import api
from policybrief.brief import subset as fonts
from policybrief.brief.html import font_families
from policybrief.brief.pdf import write_pdf
from policybrief.compose.theme import load_theme
from policybrief.typography import cff
from policybrief.typography.subset import FEATURES

from .conftest import CONTENT
from .engines import correlations, pdfium_pages, poppler_pages

SERIF, SANS = "Noto Serif CJK TC", "Noto Sans CJK TC"


def embedded_fonts(data: bytes) -> dict[str, int]:
    """Return the decoded size in bytes of every font program embedded in PDF ``data``, by font name."""
    sizes = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            sizes[str(font["/BaseFont"])] = len(descriptor["/FontFile3"].get_object().get_data())
    return sizes


@pytest.fixture(scope="module")
def brief_pdfs(tmp_path_factory):
    """Return the 107005 brief's PDF made with font subsets, and made with the installed fonts only."""
    folders = api.template_folders([])
    html = api.brief_html(CONTENT)
    families = font_families(load_theme(folders))
    subset, _ = write_pdf(html, folders, folders[-1], families=families, font_dir=tmp_path_factory.mktemp("fonts"))
    installed, _ = write_pdf(html, folders, folders[-1])
    return subset, installed


def test_subset_fonts_draw_every_page_as_the_installed_fonts(brief_pdfs, tmp_path):
    # The reference is made from the same HTML now, not kept as pictures: the
    # installed fonts, where WeasyPrint sets a compressed bracket as the font's
    # full-width glyph moved by its own ``halt`` positioning. The subsets draw
    # it as a half-width glyph of their own (typography/cff.py): the same
    # shape in the same place, anti-aliased a hair differently. PDFium draws
    # both (poppler takes half a minute over the installed fonts' PDF).
    (tmp_path / "subset.pdf").write_bytes(brief_pdfs[0])
    (tmp_path / "installed.pdf").write_bytes(brief_pdfs[1])
    scores = correlations(pdfium_pages(tmp_path / "subset.pdf"), pdfium_pages(tmp_path / "installed.pdf"))
    assert min(scores) >= 0.99, scores


def test_poppler_draws_every_page_as_before_the_subsets_were_finished(brief_pdfs, monkeypatch, tmp_path):
    # The reference is the brief as it was made before cff.finish (HarfBuzz's
    # cuts as they are, brackets moved by the font's ``halt``), made now.
    monkeypatch.setattr(cff, "finish", lambda data: data)
    folders = api.template_folders([])
    before, _ = write_pdf(api.brief_html(CONTENT), folders, folders[-1], families=font_families(load_theme(folders)),
                          font_dir=tmp_path / "fonts")
    (tmp_path / "before.pdf").write_bytes(before)
    (tmp_path / "after.pdf").write_bytes(brief_pdfs[0])
    scores = correlations(poppler_pages(tmp_path / "after.pdf"), poppler_pages(tmp_path / "before.pdf"))
    assert min(scores) >= 0.99, scores


def test_subset_fonts_shrink_the_pdf(brief_pdfs):
    subset, installed = brief_pdfs
    sizes, before = embedded_fonts(subset), embedded_fonts(installed)
    assert all("-subset" in name for name in sizes) and len(sizes) == 2
    # Each face was 0.8-1 MB decoded with WeasyPrint's own subsetting (every glyph number kept).
    assert max(sizes.values()) < 400_000 < min(before.values())
    assert len(subset) < 400 * 1024 < len(installed)


def test_the_built_brief_embeds_the_subsets(built):
    names = subprocess.run(["pdffonts", str(built / "107005.pdf")], capture_output=True, text=True, check=True).stdout
    assert names.count("-subset") == 2
    assert not (built / fonts.OLD_FONT_FOLDER).exists()  # the subsets live in the user's cache, not next to the outputs


def test_a_character_the_subset_lacks_comes_from_the_installed_font(tmp_path):
    # 龍 appears only as a CSS escape, so it is not among the characters the subset is made from.
    css = '<style>html { font-family: "Noto Serif CJK TC subset", "Noto Serif CJK TC"; } p::after { content: "\\9F8D"; }</style>'
    html = f'<!DOCTYPE html><html lang="zh-TW"><head><meta charset="utf-8"><title>t</title>{css}</head><body><p>臺灣</p></body></html>'
    data, _ = write_pdf(html, [tmp_path], tmp_path, families=[SERIF], font_dir=tmp_path / "fonts")
    text = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
    assert "臺灣龍" in text
    names = [name.split("+", 1)[1] for name in embedded_fonts(data)]
    assert sorted(names) == ["Noto-Serif-CJK-TC", "Noto-Serif-CJK-TC-subset"]


def test_subsets_are_made_once_per_set_of_characters(tmp_path):
    folder = tmp_path / "fonts"
    first = fonts.face_rules([SERIF], "<p>臺灣</p>", folder)
    made = sorted(folder.iterdir())
    assert len(made) == 2 and first.count("@font-face") == 2  # regular and bold
    assert fonts.face_rules([SERIF], "<p>臺灣</p>", folder) == first
    assert sorted(folder.iterdir()) == made
    fonts.face_rules([SERIF], "<p>臺灣龍</p>", folder)
    assert len(list(folder.iterdir())) == 4


def test_old_subsets_are_pruned(tmp_path):
    for text in ["甲", "乙", "丙"]:
        fonts.face_rules([SERIF], text, tmp_path)
    newest = fonts.face_rules([SERIF], "丙", tmp_path)
    fonts.prune(tmp_path, keep=2)
    assert len(list(tmp_path.iterdir())) == 6  # all used just now: another build may be about to read them
    fonts.prune(tmp_path, keep=2, recent=0)
    kept = sorted(path.as_uri() for path in tmp_path.iterdir())
    assert kept == sorted(uri.split('url("')[1].split('")')[0] for uri in newest.splitlines())


def test_a_family_that_is_not_installed_gets_no_subset(tmp_path):
    assert fonts.installed("No Such Family", fonts.WEIGHTS["normal"]) is None
    assert fonts.face_rules(["No Such Family", SANS], "字", tmp_path).count("@font-face") == 2


def cut(family: str, text: str, features: tuple[str, ...], drop: tuple[str, ...] = ()) -> bytes:
    """Return ``family``'s regular face cut by HarfBuzz to ``text``, keeping layout ``features`` and dropping tables ``drop``."""
    import uharfbuzz as hb

    face = fonts.installed(family, fonts.WEIGHTS["normal"])
    request = hb.SubsetInput()
    for char in text:
        request.unicode_set.add(ord(char))
    for kind, tags in ((hb.SubsetInputSets.LAYOUT_FEATURE_TAG, features), (hb.SubsetInputSets.DROP_TABLE_TAG, drop)):
        chosen = request.sets(kind)
        chosen.clear()
        for tag in tags:
            chosen.add(int.from_bytes(tag.encode(), "big"))
    return hb.subset(hb.Face(hb.Blob.from_file_path(face.path), face.index), request).blob.data


def shaped(data: bytes, text: str, halt: bool) -> list[tuple[int, int, int]]:
    """Return (glyph, advance, x offset) of each glyph of ``text`` shaped as zh-TW in font ``data``."""
    import uharfbuzz as hb

    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.language = "zh-TW"
    hb.shape(hb.Font(hb.Face(data)), buffer, {"halt": halt})
    return [(info.codepoint, position.x_advance, position.x_offset)
            for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)]


@pytest.mark.parametrize("features, drop", [
    (FEATURES, ()),  # as the brief cuts
    (("halt",), ()),  # a cut whose scripts kept no language system
    (FEATURES, ("GSUB",)),  # a font without any substitution table
], ids=["brief", "halt only", "no GSUB"])
@pytest.mark.parametrize("family", [SERIF, SANS])
def test_a_finished_subset_has_cid_equal_glyph_number_and_half_width_brackets(family, features, drop):
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(finished := cff.finish(cut(family, "「臺灣」，「中」", features, drop))))
    charset = font["CFF "].cff.topDictIndex[0].charset
    assert all(name == f"cid{index:05d}" for index, name in enumerate(charset) if index)
    full, half = shaped(finished, "」，「中", halt=False), shaped(finished, "」，「中", halt=True)
    assert [advance for _, advance, _ in full] == [1000] * 4
    # The brackets become glyphs of their own, half an em wide and not moved; the comma and 中 are not substituted.
    assert [(glyph != before, advance, offset) for (glyph, advance, offset), (before, _, _) in
            zip([half[0], half[2]], [full[0], full[2]], strict=True)] == [(True, 500, 0)] * 2
    assert half[3] == full[3]
    glyphs = font.getGlyphSet()
    bounds = {}
    for glyph in (full[2][0], half[2][0]):  # 「 full width, then half
        pen = BoundsPen(glyphs)
        glyphs[charset[glyph]].draw(pen)
        bounds[glyph] = pen.bounds
    assert bounds[half[2][0]][0] == bounds[full[2][0]][0] - 500  # its outline moved left by half an em
    assert font["hmtx"][charset[half[2][0]]][0] == 500
