"""The first check of every input file: by ``stat``, before a byte is read.

Kept free of YAML and pydantic: a no-change rebuild checks its content files
here without importing either.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from policybrief.errors import BriefError

# A report is about 20 KB: a content file of more is the wrong file, or a hostile one.
MAX_BYTES = 1_000_000


# A report to import (its PDF) may be long and hold pictures; more than this is not a report.
MAX_REPORT_BYTES = 200_000_000


def check_size(path: Path, shown: str) -> None:
    """Raise BriefError unless ``path`` is a regular file of at most MAX_BYTES (by ``stat``: nothing is read).

    A FIFO, a device or a socket would block or never end; a huge file would
    be read whole before it could be refused.
    """
    info = _stat(path, shown, "check the path")
    _check_link(path, shown)
    if stat.S_ISDIR(info.st_mode):
        raise BriefError(f"{shown}: is a folder, not a YAML file; name a .yaml file inside it.")
    if not stat.S_ISREG(info.st_mode):
        raise BriefError(f"{shown}: is not a regular file (a pipe, device or socket); name a saved .yaml file.")
    if info.st_size > MAX_BYTES:
        raise BriefError(
            f"{shown}: is {info.st_size / 1_000_000:.1f} MB, more than the {MAX_BYTES // 1_000_000} MB "
            "a content file may hold; check it is the right file."
        )


def check_report_file(path: Path, shown: str) -> None:
    """Raise BriefError unless ``path`` is a regular file of at most MAX_REPORT_BYTES: a report to import (by ``stat``)."""
    hint = "name a report as a .txt or .pdf file"
    info = _stat(path, shown, hint)
    if stat.S_ISDIR(info.st_mode):
        raise BriefError(f"{shown}: is a folder; {hint}.")
    if not stat.S_ISREG(info.st_mode):  # /dev/zero never ends, a named pipe may never answer
        raise BriefError(f"{shown}: is not a regular file (a pipe, device or socket); {hint}.")
    if info.st_size > MAX_REPORT_BYTES:
        raise BriefError(f"{shown}: is {info.st_size / 1_000_000:,.1f} MB, more than the {MAX_REPORT_BYTES // 1_000_000} MB "
                         "a report may be; check it is the right file.")


def _stat(path: Path, shown: str, hint: str) -> os.stat_result:
    """Return ``path``'s stat; raise BriefError (no such file: ``hint``) when there is none or it cannot be read."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise BriefError(f"{shown}: no such file; {hint}.") from None
    except OSError as error:
        raise BriefError(f"{shown}: cannot be read ({error.strerror}); check the file and its permissions.") from None


def _check_link(path: Path, shown: str) -> None:
    """Raise BriefError when ``path`` is a symbolic link to a file outside both its own folder and the working folder.

    A link inside the project (``content/latest.yaml`` → ``107005.yaml``) is
    fine; one leaving it (to ``/etc/passwd``) is refused, as a logo outside
    the template folders is.
    """
    if not os.path.islink(path):
        return
    real = Path(os.path.realpath(path))
    allowed = [Path(os.path.realpath(path.parent)), Path(os.path.realpath("."))]
    if not any(folder in real.parents for folder in allowed):
        raise BriefError(f"{shown}: is a link to {real}, outside the project; copy the file into the content folder instead.")
