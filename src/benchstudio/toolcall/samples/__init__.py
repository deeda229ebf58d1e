"""Suites shipped with BenchStudio."""

from __future__ import annotations

from importlib.resources import files

SAMPLE_SUITE = "weather_and_travel.suite.json"


def sample_suite_text() -> str:
    return files(__package__).joinpath(SAMPLE_SUITE).read_text(encoding="utf-8")
