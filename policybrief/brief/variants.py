"""The PDF variants a brief can be written as, and which to pick (kept free of imports: the CLI's choices).

* ``pdf/ua-1`` (the default): tagged for screen readers (PDF/UA-1, PDF 1.7).
* ``pdf/ua-2``: the same for PDF 2.0 readers.
* ``pdf/a-3a``: for archives — archival (PDF/A-3) *and* tagged, declared
  PDF/UA-1 too; the one to hand a library or a records office.
* the other ``pdf/a-*``: archival only where an archive asks for that level;
  the ``b`` and ``u`` levels carry no structure tree (not accessible).

WeasyPrint's ``pdf/x-*`` print variants are left out: their files differ from
build to build (a random document id), and a brief must be reproducible;
``debug`` is not an output format.
"""

from __future__ import annotations

DEFAULT_VARIANT = "pdf/ua-1"
ARCHIVE_VARIANT = "pdf/a-3a"
VARIANTS = (
    "pdf/ua-1", "pdf/ua-2",
    "pdf/a-1a", "pdf/a-2a", "pdf/a-3a",
    "pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4u", "pdf/a-4e", "pdf/a-4f",
)
TAGGED = frozenset({"pdf/ua-1", "pdf/ua-2", "pdf/a-1a", "pdf/a-2a", "pdf/a-3a"})
# Archival variants that also declare PDF/UA-1 (metadata.py): checked with an independent validator for both.
ALSO_UA = frozenset({ARCHIVE_VARIANT})
