"""Eval run use cases, one module per concern.

`history` (submit, list, detail, drill-down, compare, delete), `lifecycle` (what the job
handler does to its run), `export` (streamed JSON and CSV), and `targets` (catalog models
resolved as eval targets).
"""
