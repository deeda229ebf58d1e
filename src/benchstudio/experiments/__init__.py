"""Experiments: named containers around one suite snapshot that group eval runs, judge reports
and tuner runs, with a baseline, the best so far on one comparable scale, and a timeline."""
