"""The platform on the demo-style simulator: one simulator per test module, a fresh API per test
(modules that need another simulator or settings define their own `simulator` and `api`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from benchruns_driver import Api, SimulatorThread, fast_settings, running_api, simulator_config

from benchstudio.config import Settings


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread(simulator_config()) as sim:
        yield sim


@pytest.fixture
def api(settings: Settings, simulator: SimulatorThread) -> Iterator[Api]:
    yield from running_api(fast_settings(settings, simulator.base_url))
