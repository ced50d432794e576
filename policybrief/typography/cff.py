"""A cut CJK font made right for every PDF reader: CID = glyph number, and real half-width brackets.

Noto CJK's faces are CID-keyed CFF fonts. In a PDF, WeasyPrint writes each
glyph's number as its code, and a reader that follows the PDF rules for such
a font (Ghostscript, so CUPS and many print shops' RIPs; Acrobat and Preview
are reported to) looks the code up as a CID through the font's charset.
HarfBuzz's subsetter renumbers the glyphs but keeps their original CIDs, so
those readers found no glyph and drew boxes. ``finish`` renames every glyph
so that its CID is its number (a compact charset, too).

Brackets set half width (``rules.compressed``, ``halt`` in the stylesheet)
were full-width glyphs pulled back by the font's ``halt`` positioning: in
the PDF a glyph 1000 wide moved by offsets, whose box overlaps its
neighbour, and poppler and MuPDF then cut the copied text into lines there.
``finish`` adds to the cut font a glyph of its own for each such bracket,
as wide as ``halt`` makes it (half an em) and with its outline moved as
``halt`` moves it, and a GSUB single substitution under the same ``halt``
feature that selects it. A renderer then draws the same page, the PDF
writes /W 500 without offsets, and the ToUnicode map keeps the bracket.
The font's own ``halt`` positioning stays for every other glyph; the new
glyphs are in none of its lookups, so nothing moves them twice.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from policybrief.typography import rules

HALT = "halt"
VERSION = 2  # of what ``finish`` does: part of the subset cache key, so subsets cut before it are not reused
# Pango and Chromium shape the brief with its language; HarfBuzz's own default is tried too, so
# that a glyph a language's ``locl`` picks instead of the default one also gets its half form.
LANGUAGES = (None, "zh-TW")


@dataclass(frozen=True)
class Half:
    """A glyph ``halt`` sets narrower: its number, its outline's shift and its new advance (font units)."""

    glyph: int
    shift: int
    advance: int


def finish(data: bytes) -> bytes:
    """Return the CFF-based OpenType font ``data`` with CID = glyph number and half-width bracket glyphs added."""
    from fontTools.ttLib import TTFont

    # Neither the modification time (reproducible bytes) nor the bounding boxes
    # (every outline drawn again) are recomputed: the new outlines lie inside the old box.
    font = TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False)
    if "CFF " not in font:  # a TrueType face: codes are glyph numbers, and ``halt`` stays a positioning
        return data
    halves = half_forms(data)
    names = _renumber(font, halves)
    if halves:
        _add_glyphs(font, names, halves)
        _add_substitution(font, {names[half.glyph]: names[-len(halves) + index] for index, half in enumerate(halves)})
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def half_forms(data: bytes) -> list[Half]:
    """Return the glyphs of the brackets ``rules`` compresses that the font's ``halt`` narrows, in glyph order."""
    import uharfbuzz as hb

    font = hb.Font(hb.Face(data))
    found: dict[int, Half] = {}
    for char in sorted(rules.HALF_CLOSING | rules.HALF_OPENING):
        if font.get_nominal_glyph(ord(char)) is None:
            continue
        for language in LANGUAGES:
            (full, _, width), (glyph, shift, advance) = (_shaped(font, char, language, on) for on in (False, True))
            if glyph == full and advance < width:
                found[glyph] = Half(glyph, shift, advance)
    return [found[glyph] for glyph in sorted(found)]


def _shaped(font, char: str, language: str | None, halt: bool) -> tuple[int, int, int]:
    """Return (glyph number, x offset, advance) of ``char`` shaped alone in ``font``, with or without ``halt``."""
    import uharfbuzz as hb

    buffer = hb.Buffer()
    buffer.add_str(char)
    buffer.guess_segment_properties()
    if language:
        buffer.language = language
    hb.shape(font, buffer, {HALT: halt})
    position = buffer.glyph_positions[0]
    return buffer.glyph_infos[0].codepoint, position.x_offset, position.x_advance


def _renumber(font, halves: list[Half]) -> list[str]:
    """Return the glyph names of ``font`` once glyph i of a CID-keyed font is CID i, with a name for each of ``halves`` added.

    Only the CFF table names glyphs; every other table counts them by number
    and is left as bytes (so renaming costs little), then read with the new
    names. A name-keyed CFF font keeps its names: a reader takes its codes as
    glyph numbers already.
    """
    top = font["CFF "].cff.topDictIndex[0]
    old = list(font.getGlyphOrder())
    if not hasattr(top, "ROS"):
        return old + [f"{old[half.glyph]}.half" for half in halves]
    names = [old[0]] + [f"cid{number:05d}" for number in range(1, len(old) + len(halves))]
    renamed = dict(zip(old, names, strict=False))
    strings = top.CharStrings
    strings.charStrings = {renamed[name]: value for name, value in strings.charStrings.items()}
    top.charset = names[: len(old)]
    top.CIDCount = max(top.CIDCount, len(names))
    font.setGlyphOrder(names[: len(old)])
    return names


def _add_glyphs(font, names: list[str], halves: list[Half]) -> None:
    """Append to ``font`` a copy of each of ``halves``' glyphs with its outline shifted and its new advance."""
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from fontTools.pens.transformPen import TransformPen

    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    strings = top.CharStrings
    metrics = font["hmtx"].metrics
    vertical = font["vmtx"].metrics if "vmtx" in font else None
    origins = font["VORG"].VOriginRecords if "VORG" in font else None
    first = len(names) - len(halves)
    for index, half in enumerate(halves):
        source, name = names[half.glyph], names[first + index]
        private = strings[source].private
        pen = T2CharStringPen(half.advance, None)
        strings[source].draw(TransformPen(pen, (1, 0, 0, 1, half.shift, 0)))
        _append(strings, name, pen.getCharString(private=private, globalSubrs=cff.GlobalSubrs))
        top.charset.append(name)
        if hasattr(top, "FDSelect"):
            top.FDSelect.append(top.FDSelect[half.glyph])
        metrics[name] = (half.advance, metrics[source][1] + half.shift)
        if vertical is not None:
            vertical[name] = vertical[source]
        if origins is not None and source in origins:
            origins[name] = origins[source]
    font.setGlyphOrder(names)


def _append(strings, name: str, charstring) -> None:
    """Add ``charstring`` as glyph ``name`` at the end of the CFF ``strings`` (read from an index, or a plain mapping)."""
    if strings.charStringsAreIndexed:
        strings.charStringsIndex.append(charstring)
        strings.charStrings[name] = len(strings.charStringsIndex) - 1
    else:
        strings.charStrings[name] = charstring


def _add_substitution(font, mapping: dict[str, str]) -> None:
    """Add to ``font``'s GSUB a ``halt`` feature, in every script and language, substituting by ``mapping``.

    The lookup comes last, so it sees the glyph the font's own ``locl`` chose.
    """
    from fontTools.ttLib.tables import otTables

    if "GSUB" not in font:
        from fontTools.feaLib.builder import addOpenTypeFeaturesFromString

        rules_text = " ".join(f"sub {source} by {target};" for source, target in mapping.items())
        addOpenTypeFeaturesFromString(font, f"languagesystem DFLT dflt; languagesystem hani dflt;\n"
                                            f"feature {HALT} {{ {rules_text} }} {HALT};", tables=["GSUB"])
        return
    table = font["GSUB"].table
    subtable = otTables.SingleSubst()
    subtable.mapping = dict(mapping)
    lookup = otTables.Lookup()
    lookup.LookupType, lookup.LookupFlag, lookup.SubTable, lookup.SubTableCount = 1, 0, [subtable], 1
    table.LookupList.Lookup.append(lookup)
    table.LookupList.LookupCount = len(table.LookupList.Lookup)
    feature = otTables.Feature()
    feature.FeatureParams, feature.LookupListIndex, feature.LookupCount = None, [len(table.LookupList.Lookup) - 1], 1
    record = otTables.FeatureRecord()
    record.FeatureTag, record.Feature = HALT, feature
    _insert_feature(table, record)


def _insert_feature(table, record) -> None:
    """Insert ``record`` in the GSUB ``table``'s feature list in tag order and switch it on in every language system.

    A script the cut left without a default language system (none of its
    features kept) gets one, else HarfBuzz would apply nothing to its text.
    """
    from fontTools.ttLib.tables import otTables

    features = table.FeatureList.FeatureRecord
    at = sum(1 for existing in features if existing.FeatureTag <= record.FeatureTag)
    features.insert(at, record)
    table.FeatureList.FeatureCount = len(features)
    for script in table.ScriptList.ScriptRecord:
        if script.Script.DefaultLangSys is None:
            system = script.Script.DefaultLangSys = otTables.LangSys()
            system.LookupOrder, system.ReqFeatureIndex, system.FeatureIndex, system.FeatureCount = None, 0xFFFF, [], 0
        for system in [script.Script.DefaultLangSys] + [entry.LangSys for entry in script.Script.LangSysRecord]:
            indices = [index + (index >= at) for index in system.FeatureIndex] + [at]
            system.FeatureIndex, system.FeatureCount = sorted(indices), len(indices)
