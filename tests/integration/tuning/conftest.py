"""The tuner's API tests share one demo simulator per module and an app wired to it (a module
that needs another app, such as the library tests' stored runs, defines its own `api`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tuning_driver import Api, DemoSimulator, app_api, simulator_fixture, tuning_settings

from benchstudio.config import Settings


@pytest.fixture(scope="module")
def simulator() -> Iterator[DemoSimulator]:
    yield from simulator_fixture()


@pytest.fixture
def api(settings: Settings, simulator: DemoSimulator) -> Iterator[Api]:
    yield from app_api(tuning_settings(settings, simulator.base_url))
