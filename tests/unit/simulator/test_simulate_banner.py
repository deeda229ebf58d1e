"""`benchstudio simulate` shows each model's output length as configured."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from benchstudio.cli.simulate_cmd import _print_banner, length_label
from benchstudio.simulator import ModelProfile, OutputLength, SimulatorConfig


def test_length_label_spells_out_the_distribution() -> None:
    assert length_label(OutputLength(tokens=64)) == "64"
    assert length_label(OutputLength(distribution="uniform", min=16, max=256)) == "uniform 16..256"
    normal = OutputLength(distribution="normal", tokens=128, std=32.5, min=16, max=512)
    assert length_label(normal) == "normal 128±32.5 [16..512]"


def test_banner_shows_every_models_length(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    config = SimulatorConfig(
        default=ModelProfile(output_tokens=OutputLength(distribution="uniform", min=8, max=99)),
        models=[
            ModelProfile(
                name="n",
                output_tokens=OutputLength(distribution="normal", tokens=50, std=5, max=80),
            )
        ],
    )
    _print_banner(SimpleNamespace(base_url="http://127.0.0.1:1", config=config))  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert "uniform 8..99" in out
    assert "normal 50±5 [1..80]" in out
