"""Importing this module builds the tokenizers (`tokenizer.load_encodings`).

It exists for multiprocessing's fork server, whose preload only imports modules: named there
(`benchruns.tasks.child_processes.CHILD_PRELOAD`), the encodings are built once in the fork
server, and every measuring child and summary worker forked from it starts with them.
"""

from __future__ import annotations

from benchstudio.speed.tokenizer import load_encodings

load_encodings()
