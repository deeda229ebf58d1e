"""Eval run use cases, one module per concern.

`submit` (a run and its job in one unit), `history` (list, detail, drill-down, compare, delete),
`lifecycle` (what the job handler does to its run), `export` (streamed JSON and CSV), and
`targets` (catalog models resolved as eval targets).
"""
