"""Speed benchmarks run through the platform: the `benchmark` job type, stored per-request
results, history, compare, export and import (docs/benchruns.md)."""
