"""`Content-Disposition: attachment` for any file name, RFC 6266 with RFC 5987 `filename*`.

HTTP header values are Latin-1: a name outside it (a suite called 天気) cannot go in a plain
`filename="…"`. The plain parameter gets an ASCII stand-in, `filename*` the exact UTF-8 name,
which every current browser prefers.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ -]+")


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE_ASCII.sub("_", folded).strip(" ._")


def attachment(filename: str) -> str:
    """The header value offering `filename` (any characters) as a download."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    fallback = (_ascii(stem) or "download") + (f".{_ascii(extension)}" if _ascii(extension) else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
