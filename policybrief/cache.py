"""Skip outputs that are already current.

An output is current when the fingerprint of everything it is made from (the
tool's version, the content file, every template file on the search path that
the output may use (brief/ is not the deck's, deck/ not the PDF's), the
options and SOURCE_DATE_EPOCH) equals the one recorded when it was written, and
the file on disk is still the one written then. The check reads no YAML and
imports neither WeasyPrint nor python-pptx, so a no-change rebuild is quick.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from policybrief import __version__
from policybrief.compose.dates import source_date_epoch
from policybrief.output import write_atomic

CACHE_NAME = ".policybrief-cache.json"
# Template folders one output never reads: a CSS edit must not rebuild the deck,
# a web/ edit neither the PDF nor the deck. (The web edition extends brief/base.html.)
_NOT_READ = {"pdf": {"deck", "web"}, "slides": {"brief", "web"}, "html": {"deck"}}


def fingerprint(content: Path, folders: list[Path], *, kind: str, options: str = "") -> str:
    """Return a hex digest of all inputs of one output."""
    digest = hashlib.sha256()
    for part in (__version__, kind, options, str(source_date_epoch())):
        digest.update(part.encode() + b"\0")
    digest.update(content.read_bytes())
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                           and p.relative_to(folder).parts[0] not in _NOT_READ.get(kind, set())):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_digest(path: Path) -> str | None:
    """Return the SHA-256 of ``path``, or None when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class BuildCache:
    """The record, kept in the output folder, of what each output was built from."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / CACHE_NAME
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = {}
        # A record of another shape (edited by hand, another tool's file) is no record: everything is rebuilt.
        self.entries: dict[str, dict[str, str]] = {
            name: entry for name, entry in (entries.items() if isinstance(entries, dict) else ())
            if isinstance(entry, dict) and all(isinstance(entry.get(key), str) for key in ("inputs", "output"))
        }

    def is_current(self, output: Path, inputs: str) -> bool:
        """Return True when ``output`` exists unchanged and was built from ``inputs``."""
        entry = self.entries.get(output.name)
        return bool(entry) and entry.get("inputs") == inputs and entry.get("output") == _file_digest(output)

    def record(self, output: Path, inputs: str, data: bytes) -> None:
        """Remember that ``output`` now holds ``data``, built from ``inputs``."""
        self.entries[output.name] = {"inputs": inputs, "output": hashlib.sha256(data).hexdigest()}

    def save(self) -> None:
        """Write the record back (atomically, like every output)."""
        write_atomic(self.path, json.dumps(self.entries, indent=1, sort_keys=True).encode())
