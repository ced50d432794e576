"""Writing outputs: atomically, so a failed build never leaves half a file."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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
    write_all([(path, data)])


def write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write every one of ``files`` (path, data) atomically, or none of them.

    Each is written to a ``.part`` file next to it first; only when all are
    complete are they renamed over the old files, and should a rename fail,
    the files already replaced get their previous content back. A ``.part``
    file's name holds the writing process's id, so a later build can tell
    one left by a killed build (``remove_stale_parts``) from one being written.
    """
    for path, _ in files:
        ensure_folder(path.parent)
        if path.is_dir():
            raise OutputError(f"{path}: is a folder; remove it or choose another --out.")
    parts: list[Path] = []
    backups: dict[Path, Path | None] = {}
    try:
        for path, data in files:
            parts.append(_part(path, data))
        for (path, _), part in zip(files, parts, strict=True):
            backups[path] = _backup(path)
            try:
                os.replace(part, path)
            except OSError as error:
                _restore(backups)
                raise OutputError(f"{path}: cannot be written ({error.strerror}); remove what is in the way or choose another --out.") from None
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
        for backup in backups.values():
            if backup is not None:
                backup.unlink(missing_ok=True)


def _part(path: Path, data: bytes) -> Path:
    """Return a new ``.part`` file next to ``path`` holding ``data``, flushed to disk."""
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".part")
    except OSError as error:
        raise OutputError(f"{path.parent}: cannot write here ({error.strerror}); choose another --out.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({error.strerror}); free some space or choose another --out.") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def _backup(path: Path) -> Path | None:
    """Return a second name (hard link, else copy) for the file at ``path`` before it is replaced; None when there is none."""
    if not path.is_file():
        return None
    backup = path.with_name(f".{path.name}.{os.getpid()}.old.part")
    try:
        backup.unlink(missing_ok=True)
        os.link(path, backup)
    except OSError:
        try:
            shutil.copy2(path, backup)
        except OSError as error:
            raise OutputError(f"{path}: cannot be replaced ({error.strerror}); free some space or choose another --out.") from None
    return backup


def _restore(backups: dict[Path, Path | None]) -> None:
    """Put back the previous files of outputs already replaced (those named in ``backups`` but the last)."""
    for path, backup in list(backups.items())[:-1]:
        try:
            if backup is not None:
                os.replace(backup, path)
            else:
                path.unlink(missing_ok=True)  # it did not exist before this write
        except OSError:
            pass


_PART = re.compile(r"^\..+\.(\d+)\.[^.]+\.part$")


def remove_stale_parts(folder: Path) -> None:
    """Remove the ``.part`` files in ``folder`` left by a process that no longer runs (e.g. a killed build)."""
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.endswith(".part")]
    except OSError:
        return
    for name in names:
        match = _PART.match(name)
        if match and not process_alive(int(match[1])):
            (folder / name).unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Return True while process ``pid`` exists (ours or another user's)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_private: list[Path] = []  # the temporary folder of the step running now, if any


@contextmanager
def private_temp() -> Iterator[Path]:
    """Run the block with every temporary file of this process and its children in a folder of its own, removed after.

    Python's ``tempfile`` (WeasyPrint's ``weasyprint-*`` font folders
    included) and child programs that honour ``TMPDIR`` (LibreOffice) write
    into ``<cache>/tmp/<pid>-…``, removed when the block ends, also on error.
    A folder left by a killed process is removed by the next step that starts.
    Nested blocks share the outer folder.
    """
    if _private:
        yield _private[-1]
        return
    base = cache_folder("tmp")
    try:
        base.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(base)
        folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))
    except OSError:  # no cache folder here: the system's temporary folder, still removed at the end
        folder = Path(tempfile.mkdtemp(prefix=f"policybrief-{os.getpid()}-"))
    before = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir, os.environ["TMPDIR"] = str(folder), str(folder)
    _private.append(folder)
    try:
        yield folder
    finally:
        _private.pop()
        tempfile.tempdir = before[0]
        if before[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before[1]
        shutil.rmtree(folder, ignore_errors=True)


def _remove_stale_temps(base: Path) -> None:
    """Remove the temporary folders under ``base`` whose process no longer runs."""
    for entry in os.scandir(base):
        pid = entry.name.split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)


def cache_folder(kind: str) -> Path:
    """Return this user's cache folder for ``kind`` (e.g. "masters"): under ``XDG_CACHE_HOME``, else ``~/.cache``.

    Things kept there are made again whenever they are missing, so deleting
    the folder (``rm -rf ~/.cache/policybrief``) is always safe.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policybrief" / kind
