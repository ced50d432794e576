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


def check_size(path: Path, shown: str) -> None:
    """Raise BriefError unless ``path`` is a regular file of at most MAX_BYTES (by ``stat``: nothing is read).

    A FIFO, a device or a socket would block or never end; a huge file would
    be read whole before it could be refused.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise BriefError(f"{shown}: no such file; check the path.") from None
    except OSError as error:
        raise BriefError(f"{shown}: cannot be read ({error.strerror}); check the file and its permissions.") from None
    if stat.S_ISDIR(info.st_mode):
        raise BriefError(f"{shown}: is a folder, not a YAML file; name a .yaml file inside it.")
    if not stat.S_ISREG(info.st_mode):
        raise BriefError(f"{shown}: is not a regular file (a pipe, device or socket); name a saved .yaml file.")
    if info.st_size > MAX_BYTES:
        raise BriefError(
            f"{shown}: is {info.st_size / 1_000_000:.1f} MB, more than the {MAX_BYTES // 1_000_000} MB "
            "a content file may hold; check it is the right file."
        )
