"""Both outputs carry every heading, headline and body of the 提要."""

from __future__ import annotations

import re

import pytest
from pptx import Presentation
from pypdf import PdfReader

from .conftest import assert_same_outputs


def squash(text: str) -> str:
    """Return ``text`` without any whitespace, so PDF line breaks do not matter."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdf_text(built) -> str:
    return squash("".join(page.extract_text() for page in PdfReader(built / "107005.pdf").pages))


@pytest.fixture(scope="module")
def deck(built):
    return Presentation(str(built / "107005.pptx"))


def slide_texts(deck) -> list[str]:
    return [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]


def notes_text(deck) -> str:
    return squash("".join(slide.notes_slide.notes_text_frame.text for slide in deck.slides if slide.has_notes_slide))


def test_progress_lines(built_session):
    _, printed = built_session  # what the CLI printed as it built 107005 into an empty folder
    lines = printed.splitlines()
    assert re.fullmatch(r"wrote .*107005\.pdf \(\d+ pages, \d+ KB\) in \d+\.\d\d s", lines[0])
    assert re.fullmatch(r"wrote .*107005\.pptx \(\d+ slides, \d+ KB\) in \d+\.\d\d s", lines[1])


def test_pdf_is_a4(built):
    page = PdfReader(built / "107005.pdf").pages[0]
    assert (round(float(page.mediabox.width) * 25.4 / 72), round(float(page.mediabox.height) * 25.4 / 72)) == (210, 297)


def test_pdf_holds_every_heading_headline_and_body(report, pdf_text):
    for section in report.sections:
        assert squash(section.heading) in pdf_text
        for topic in section.topics:
            assert squash(topic.heading) in pdf_text
            for point in topic.points:
                assert squash(point.headline) in pdf_text
                assert squash(point.body) in pdf_text


def test_deck_holds_every_heading_and_headline(report, deck):
    texts = squash("\n".join(slide_texts(deck)))
    for section in report.sections:
        assert squash(section.heading) in texts
        for topic in section.topics:
            assert squash(topic.heading) in texts
            for point in topic.points:
                assert squash(point.headline) in texts


def test_deck_notes_hold_every_body(report, deck):
    notes = notes_text(deck)
    for section in report.sections:
        for topic in section.topics:
            for point in topic.points:
                assert squash(point.body) in notes


def test_outputs_are_reproducible(built, rebuilt):
    assert_same_outputs(rebuilt, built)  # rebuilt: by other processes, one output at a time
