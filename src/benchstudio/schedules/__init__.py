"""Schedules: benchmark and eval runs that start by themselves, on an interval or a cron rule.

This session holds the timing core (`domain`: when occurrences fall due, pure) and the input
shapes (`schemas`); the dispatcher, tables and endpoints sit on it (issue 22).
"""
