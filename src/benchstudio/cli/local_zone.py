"""The machine's IANA time zone, for `benchstudio schedule`: accounts hold no zone, so the CLI
shows times in the machine's (as the web app shows them in the browser's) unless `--timezone`
says otherwise. `datetime.now().astimezone()` only knows an offset and an abbreviation, which
the server cannot read as a zone; tzlocal finds the name (TZ, /etc/localtime, /etc/timezone,
macOS and Windows settings)."""

from __future__ import annotations

import tzlocal

FALLBACK = "UTC"


def local_zone_name() -> str:
    """The machine's zone name, UTC when it has none that names a zone. tzlocal caches it per
    process (`tzlocal.reload_localzone()` reads it again)."""
    try:
        name = tzlocal.get_localzone_name()
    except LookupError:  # a TZ or /etc/localtime naming no zone (ZoneInfoNotFoundError)
        return FALLBACK
    return name or FALLBACK
