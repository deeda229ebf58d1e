"""Eval runs as `tool_eval` jobs: submit, lifecycle, history, drill-down, compare, export."""
