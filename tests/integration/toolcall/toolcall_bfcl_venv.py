"""The venv holding BFCL's own checker, built from the hash-pinned `requirements-bfcl.txt`.

`make test` runs this file before pytest (`python tests/integration/toolcall/toolcall_bfcl_venv.py`)
so a venv that cannot be built fails the gate; the agreement test builds it too when run alone.
The wheels come from uv's cache once fetched, so rebuilding needs no network. Builds hold a file
lock: two pytest workers never build into the same directory at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
REQUIREMENTS = REPO_ROOT / "requirements-bfcl.txt"
VENV = REPO_ROOT / ".cache" / "bfcl-venv"


def pinned_version() -> str:
    """The bfcl-eval version pinned in requirements-bfcl.txt."""
    for line in REQUIREMENTS.read_text().splitlines():
        if line.startswith("bfcl-eval=="):
            return line.removeprefix("bfcl-eval==").split()[0]
    raise LookupError(f"no bfcl-eval pin in {REQUIREMENTS}")


def _marker() -> Path:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:16]
    return VENV / f"requirements-{digest}.ok"


def ensure_bfcl_venv() -> Path:
    """The venv's python, building the venv first unless this exact pin is already there.

    Raises OSError or subprocess.CalledProcessError when it cannot be built.
    """
    python = VENV / "bin" / "python"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with (VENV.parent / "bfcl-venv.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _marker().exists():
            return python
        shutil.rmtree(VENV, ignore_errors=True)
        uv = Path(sys.executable).with_name("uv")
        subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(VENV)], check=True)
        install = [str(uv), "pip", "install", "-q", "--python", str(python), "--no-deps"]
        subprocess.run([*install, "--require-hashes", "-r", str(REQUIREMENTS)], check=True)
        _marker().write_text("ok\n")
    return python


if __name__ == "__main__":
    print(f"bfcl-eval {pinned_version()}: {ensure_bfcl_venv()}")
