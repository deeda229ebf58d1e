"""`benchstudio tune` on this machine against the demo simulator's tunable model, whose
tool-call accuracy follows temperature and top_p (`simulator/demo_models.yaml`): a full 2-D
grid, its results file checked trial by trial; and every flag mistake refused with exit 2 before
any request."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from importlib.resources import as_file
from pathlib import Path

import pytest
from click.testing import Result
from rich.console import Console
from typer.testing import CliRunner

from benchstudio.cli import tune_cmd
from benchstudio.cli.demo_simulator import demo_config
from benchstudio.cli.main import app
from benchstudio.simulator import SimulatorServer, load_config
from benchstudio.toolcall.samples import sample_suite_text

RUNNER = CliRunner()
MODEL = "benchstudio-sim-tunable"
CASES = 8  # the sample suite's
TEMPERATURES = (0.2, 0.6, 1.0)
TOP_PS = (0.6, 0.8, 1.0)


class DemoSimulator:
    """The demo simulator (the one `serve` runs) on a background thread."""

    def __init__(self) -> None:
        with as_file(demo_config()) as path:
            config = load_config(path)
        self._loop = asyncio.new_event_loop()
        self._server = SimulatorServer(config)
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> DemoSimulator:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._server.start(), self._loop).result(10)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/v1"


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with DemoSimulator() as sim:
        yield sim.base_url


@pytest.fixture
def suite_file(tmp_path: Path) -> Path:
    path = tmp_path / "suite.json"
    path.write_text(sample_suite_text())
    return path


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tune_cmd, "console", Console(width=220))
    monkeypatch.setattr(tune_cmd, "err_console", Console(width=220, stderr=True))


def _text(outcome: Result) -> str:
    """The output without the error box's borders and line breaks."""
    return " ".join(outcome.output.replace("│", " ").split())


def _tune(*args: str, code: int = 0) -> Result:
    outcome = RUNNER.invoke(app, ["tune", *args])
    assert outcome.exit_code == code, outcome.output
    return outcome


def test_a_full_grid_tries_every_point_and_reports_the_best(
    sim_url: str, suite_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "tune.json"
    outcome = _tune(
        "--suite", str(suite_file), "--base-url", sim_url, "--model", MODEL,
        "--param", "temperature=0.2:1.0:0.4", "--param", "top_p=0.6:1:0.2",
        "--strategy", "grid", "--repeats", "2", "--no-prune", "--trials", "20",
        "--output", str(output),
    )  # fmt: skip
    data = json.loads(output.read_text())
    trials = data["trials"]
    # The provider-default baseline, then the 3 x 3 grid; the grid's end stops the study.
    assert data["stop_reason"] == "space_exhausted"
    assert [t["number"] for t in trials] == list(range(10))
    assert trials[0]["kind"] == "baseline_default" and trials[0]["point"] == {}
    search = [t for t in trials if t["kind"] == "search"]
    points = {(t["point"]["temperature"], t["point"]["top_p"]) for t in search}
    assert points == {(t, p) for t in TEMPERATURES for p in TOP_PS}
    for trial in trials:
        assert trial["state"] == "complete"
        # openai passes both parameters through unchanged: sent is what was sampled.
        assert trial["effective"] == trial["point"]
        assert trial["cases"] == 2 * CASES and trial["calls"] >= 2 * CASES
        assert len(trial["repeat_scores"]) == 2
        assert trial["score"] == pytest.approx(sum(trial["repeat_scores"]) / 2)
        interval = trial["score_ci95"]
        assert interval["low"] <= trial["score"] <= interval["high"]
        assert trial["latency_p50_ms"] > 0
    best = data["best"]
    top = max(t["score"] for t in trials)
    assert best["score"] == top
    assert next(t for t in trials if t["number"] == best["number"])["score"] == top
    [baseline] = data["baselines"]
    assert baseline["kind"] == "baseline_default" and baseline["number"] == 0
    assert baseline["baseline_score"] == trials[0]["score"]
    assert baseline["difference"] == pytest.approx(top - trials[0]["score"])
    assert data["run"]["calls_used"] == sum(t["calls"] for t in trials)
    assert data["run"]["validated_space"]["grid_size"] == 9
    assert data["run"]["strategy"]["kind"] == "grid"
    # Ten complete trials over two parameters: PED-ANOVA shares, adding up to 1.
    shares = {item["param"]: item["importance"] for item in data["importance"]}
    assert set(shares) == {"temperature", "top_p"} or data["importance_note"]
    assert not shares or sum(shares.values()) == pytest.approx(1.0)
    # The terminal shows the space, the trials table and the best point.
    text = _text(outcome)
    assert "Search space for benchstudio-sim-tunable (openai rules)" in text
    assert "grid: 9 points · 2 repeats per point" in text
    assert "10 trials planned, limited by the space (9 distinct points); 16 calls" in text
    assert data["run"]["estimate"]["planned_trials"] == 10
    assert "Trials (10), best first" in text
    assert f"Best: trial {best['number']}" in text
    assert "Stopped: every point of the space was tried" in text


def test_a_vendor_preset_runs_as_a_second_baseline_and_budgets_stop_the_study(
    sim_url: str, suite_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "tune.json"
    _tune(
        "--suite", str(suite_file), "--base-url", sim_url, "--model", MODEL,
        "--space", str(_space_file(tmp_path)), "--vendor-preset", "llama-3",
        "--strategy", "random", "--seed", "3", "--trials", "4", "--output", str(output),
    )  # fmt: skip
    data = json.loads(output.read_text())
    kinds = [t["kind"] for t in data["trials"]]
    assert data["stop_reason"] == "max_trials" and len(kinds) == 4
    assert kinds[:2] == ["baseline_default", "baseline_preset"]
    assert data["trials"][1]["point"] == {"temperature": 0.6, "top_p": 0.9}
    assert [b["kind"] for b in data["baselines"]] == ["baseline_default", "baseline_preset"]
    assert data["run"]["vendor_preset_id"] == "llama-3"


def test_a_price_makes_the_cost_budget_bind(sim_url: str, suite_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "tune.json"
    outcome = _tune(
        "--suite", str(suite_file), "--base-url", sim_url, "--model", MODEL,
        "--param", "temperature=0:1", "--strategy", "random", "--trials", "50",
        "--price-input", "100", "--price-output", "200", "--max-cost", "1",
        "--output", str(output),
    )  # fmt: skip
    data = json.loads(output.read_text())
    assert data["stop_reason"] == "max_cost"
    assert 1 < len(data["trials"]) < 50
    assert all(t["cost_usd"] > 0 for t in data["trials"])
    assert data["run"]["cost_usd"] == pytest.approx(sum(t["cost_usd"] for t in data["trials"]))
    assert "cost USD" in outcome.output and "the cost budget was reached" in _text(outcome)


def test_an_unreachable_endpoint_fails_every_trial_and_exits_1(
    suite_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "tune.json"
    outcome = _tune(
        "--suite", str(suite_file), "--base-url", "http://127.0.0.1:9/v1", "--model", MODEL,
        "--param", "temperature=0:1", "--trials", "2", "--attempts", "1",
        "--output", str(output), code=1,
    )  # fmt: skip
    data = json.loads(output.read_text())
    assert [t["state"] for t in data["trials"]] == ["failed", "failed"]
    assert all("connection" in t["error"] for t in data["trials"])
    assert data["best"] is None and data["baselines"] == []
    assert "No trial completed: there is no best point." in _text(outcome)


def _space_file(folder: Path) -> Path:
    path = folder / "space.yaml"
    path.write_text(
        "dimensions:\n"
        "  - {kind: range, name: temperature, low: 0, high: 1.2}\n"
        "  - {kind: range, name: top_p, low: 0.5, high: 1}\n"
    )
    return path


def test_adjustments_are_shown_before_the_run(
    sim_url: str, suite_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "tune.json"
    outcome = _tune(
        "--suite", str(suite_file), "--base-url", sim_url, "--model", MODEL,
        "--param", "temperature=0:3:1", "--param", "top_k=10,20", "--strategy", "grid",
        "--trials", "2", "--output", str(output),
    )  # fmt: skip
    assert "Adjusted for this provider and model" in outcome.output
    space = json.loads(output.read_text())["run"]["validated_space"]
    actions = {(a["param"], a["action"]) for a in space["adjustments"]}
    # OpenAI caps temperature at 2 and has no top_k: the space shrinks to what is sent.
    assert actions == {("temperature", "clamp"), ("top_k", "drop")}
    assert [d["name"] for d in space["dimensions"]] == ["temperature"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--param", "temperature"], "write name=low:high[:step][:log][:int]"),
        (["--param", "temperature=0.7"], "one value is not a search"),
        (["--param", "temperature=hot:1"], "low 'hot' is not a number"),
        (["--param", "temperature=1:0"], "impossible range"),
        (["--param", "seed=1,2"], "seeds are not a search dimension"),
        (["--param", "temperat=0:1"], "is not a parameter any provider knows"),
        (["--param", "top_k=10,20", "--base-url", "http://x/v1"], "nothing left to search"),
        (["--param", "top_p=0:1", "--strategy", "bayes"], "--strategy: Input should be 'grid'"),
        (["--param", "top_p=0:1", "--grid-sample", "3"], "only a grid samples its points"),
        (["--param", "top_p=0:1", "--minimize", "tokens"], "--minimize: Input should be"),
        (["--param", "top_p=0:1", "--max-wall", "5"], "--max-wall: Input should be greater"),
        (["--param", "top_p=0:1", "--trials", "0"], "--trials: Input should be greater"),
        (["--param", "top_p=0:1", "--vendor-preset", "nope"], "no vendor preset 'nope'"),
        (["--param", "top_p=0:1", "--fixed", "max_tokens"], "write name=value"),
        (["--param", "top_p=0:1", "--profile", "loose"], "'loose': use one of"),
        (["--param", "top_p=0:1", "--protocol", "grpc"], "use openai, anthropic or gemini"),
        (["--param", "top_p=0:1", "--price-input", "1"], "give both --price-input and"),
        (["--param", "top_p=0:1", "--trials", "1"], "a budget of 1 trials leaves no trial after"),
        (
            ["--param", "top_p=0:1", "--max-calls", "5"],
            "max_calls 5 is below one trial's 8 calls (8 cases x 1 repeats)",
        ),
        (
            [
                "--param",
                "top_p=0:1",
                "--price-input",
                "100",
                "--price-output",
                "200",
                "--max-cost",
                "0.01",
            ],
            "max_cost_usd 0.01 is below one trial's estimated cost",
        ),
        (["--param", "top_p=0:1", "--server", "http://x"], "--server runs the server's providers"),
        (
            ["--param", "top_p=0:1", "--tool-choice", "required", "--server", "http://x"],
            "--tool-choice is for local studies",
        ),
        (
            [
                "--param",
                "top_p=0:1",
                "--price-input",
                "1",
                "--price-output",
                "2",
                "--server",
                "http://x",
            ],
            "--price-input/--price-output is for local studies",
        ),
    ],
)
def test_flag_mistakes_exit_2_with_a_clear_message(
    suite_file: Path, args: list[str], message: str
) -> None:
    # An unreachable endpoint: a refusal must come before any request.
    base = ["--suite", str(suite_file), "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]
    if "--base-url" in args:
        base = ["--suite", str(suite_file), "--model", "m"]
    outcome = _tune(*base, *args, code=2)
    assert message in _text(outcome), outcome.output


def test_a_local_study_needs_its_endpoint_and_suite(tmp_path: Path) -> None:
    outcome = _tune("--param", "top_p=0:1", "--model", "m", code=2)
    assert "a local study needs --suite FILE, --base-url and --model" in _text(outcome)
    missing = str(tmp_path / "missing.json")
    outcome = _tune(
        "--suite", missing, "--base-url", "http://x/v1", "--model", "m", "--param", "top_p=0:1",
        code=2,
    )  # fmt: skip
    assert "is not a file" in _text(outcome)


def test_presets_lists_the_ones_for_a_model() -> None:
    outcome = _tune("presets", "--model", "Llama-3.1-8B-Instruct")
    assert "llama-3" in outcome.output and "temperature=0.6 top_p=0.9" in outcome.output
    assert "qwen3" not in outcome.output


def test_ctrl_c_keeps_the_finished_trials_and_exits_130(
    sim_url: str, suite_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "tune.json"
    command = [
        str(Path(sys.executable).with_name("benchstudio")), "tune", "--suite", str(suite_file),
        "--base-url", sim_url, "--model", MODEL, "--param", "temperature=0:1.5",
        "--param", "top_p=0.5:1", "--strategy", "random", "--trials", "200",
        "--concurrency", "1", "--output", str(output),
    ]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:  # the first finished trial: interrupt the study
        if line.strip().startswith("trial 0 "):
            process.send_signal(signal.SIGINT)
            break
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 130, rest
    data = json.loads(output.read_text())
    assert data["stop_reason"] == "cancelled"
    assert data["trials"][0]["kind"] == "baseline_default"
    assert data["trials"][0]["state"] == "complete"
    assert len(data["trials"]) < 200
