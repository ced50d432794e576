"""The build date: the one place ``SOURCE_DATE_EPOCH`` is read.

Outputs never carry the wall clock: their dates are the content's month, or
``SOURCE_DATE_EPOCH`` when a reproducible-builds pipeline sets it, so the same
input gives the same bytes.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone

from policybrief.errors import BriefError

TAIPEI = timezone(timedelta(hours=8))
# Past this the date no longer fits the formats the outputs write it in.
_LATEST = datetime(9999, 12, 31, tzinfo=UTC).timestamp()


def source_date_epoch() -> int | None:
    """Return ``SOURCE_DATE_EPOCH`` as seconds since 1970, or None when unset; raise BriefError when it is not a date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    # ASCII digits only (``²`` and ``٣`` are digits to str.isdigit), and the length checked before int() reads them:
    # Python refuses to convert more than 4,300 digits with a ValueError.
    if not (epoch.isascii() and epoch.isdigit()) or len(epoch) > len(str(int(_LATEST))) or int(epoch) > _LATEST:
        raise BriefError(f"SOURCE_DATE_EPOCH is {epoch[:40]!r}; set it to a whole number of seconds since 1970 or unset it.")
    return int(epoch)


def build_date(year: int, month: int) -> datetime:
    """Return the outputs' date: ``SOURCE_DATE_EPOCH`` (UTC) when set, else midnight on the 1st of the content's month in Taipei."""
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.fromtimestamp(epoch, tz=UTC)
    return datetime(year, month, 1, tzinfo=TAIPEI)
