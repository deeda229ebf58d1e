"""The machine's IANA time zone, for `benchstudio schedule`: accounts hold no zone, so the CLI
shows times in the machine's (as the web app shows them in the browser's) unless `--timezone`
says otherwise. `datetime.now().astimezone()` only knows an offset and an abbreviation, which
the server cannot read as a zone, so the name comes from where Unix systems keep it."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")
FALLBACK = "UTC"


def _known(name: str) -> str | None:
    name = name.strip().removeprefix(":")
    if not name or name.startswith("/"):
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _from_localtime(path: Path) -> str | None:
    """`/etc/localtime -> /usr/share/zoneinfo/Europe/London`: the part after `zoneinfo/`."""
    try:
        target = str(path.resolve(strict=True))
    except OSError:
        return None
    _, sep, name = target.partition("zoneinfo/")
    return _known(name.removeprefix("posix/").removeprefix("right/")) if sep else None


def local_zone_name(
    env: dict[str, str] | None = None,
    localtime: Path = LOCALTIME,
    timezone_file: Path = TIMEZONE_FILE,
) -> str:
    """`TZ` if it names a zone, else the zone `/etc/localtime` links to, else `/etc/timezone`,
    else UTC."""
    environ = os.environ if env is None else env
    found = _known(environ.get("TZ", "")) or _from_localtime(localtime)
    if found is None:
        try:
            found = _known(timezone_file.read_text(encoding="utf-8"))
        except OSError:
            found = None
    return found or FALLBACK
