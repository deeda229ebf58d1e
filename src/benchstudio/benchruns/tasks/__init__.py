"""The `benchmark` job: its handler (`handler`), the measuring child process it starts
(`measuring`, `child_pipe`) and the fork server both come from (`child_processes`).

Kept free of imports: the fork server and every measuring child import this package first.
"""
