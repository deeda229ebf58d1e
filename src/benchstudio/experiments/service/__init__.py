"""Experiment use cases: `crud` (create, list, detail, update, delete), `results` (the filed
runs on the experiment's scale, best vs baseline) and `filing` (baseline, file, unfile,
re-run best). Public functions take the service context first."""
