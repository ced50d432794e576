"""Writing outputs: atomically, so a failed build never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from policybrief.errors import OutputError


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` (and parents); raise OutputError when that is impossible."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{folder}: exists and is not a folder; choose another --out.") from None
    except OSError as error:
        raise OutputError(f"{folder}: cannot create the output folder ({error.strerror}); choose another --out.") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder, then rename.

    The previous file, if any, stays untouched until the new one is complete.
    """
    ensure_folder(path.parent)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; remove it or choose another --out.")
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise OutputError(f"{path.parent}: cannot write here ({error.strerror}); choose another --out.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({error.strerror}); free some space or choose another --out.") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def cache_folder(kind: str) -> Path:
    """Return this user's cache folder for ``kind`` (e.g. "masters"): under ``XDG_CACHE_HOME``, else ``~/.cache``.

    Things kept there are made again whenever they are missing, so deleting
    the folder (``rm -rf ~/.cache/policybrief``) is always safe.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policybrief" / kind
