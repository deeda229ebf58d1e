"""What one client frame on `/ws` may hold; `serve` sizes the protocol layer's cap from it."""

from __future__ import annotations

MAX_CLIENT_FRAME = 16 * 1024
# Jobs one resume may name (the web app names the jobs it shows as active).
MAX_RESUME_JOBS = 200
MAX_JOB_ID = 32
