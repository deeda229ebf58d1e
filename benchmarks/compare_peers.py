"""Opt-in: guidellm and AIPerf beside `benchstudio bench` on the same simulator scenarios.

Not part of `make test`. Installs each peer in its own venv under `.cache/peers/<tool>/`
(git-ignored; reused on later runs), starts the simulator in its own process pinned to core 1
(the clients run on core 0, one at a time), runs every client on the same scenarios and prints
each client's TTFT and ITL error against the simulator's timing log (server truth per request:
first token event t_ns - request_read_ns; ITL truth: mean gap between token events).

How each row is computed (the `method` column):
- `request-id`: the client sent X-Request-Id (ours, AIPerf) and its per-request record is
  joined with the log by that id; errors are per request (client - server).
- `timestamps`: the client sends no id (guidellm); its wall-clock request start and first-token
  times are mapped to the monotonic clock and each request is paired with the log record that
  minimises |start - read| + |first token received - first token written| (an assignment over
  the whole run); errors are then per request.
- `distribution`: percentiles of the client's reported TTFT minus the same percentiles of the
  server-truth TTFT over the run, for every client (needs no join at all).
ITL: ours reports every gap (per-gap error shown too); peers report a mean ITL per request,
compared with the server's mean gap of that request.

Network: everything talks to 127.0.0.1; peers run with HF_HUB_OFFLINE=1, AIPerf with our
vendored o200k tokenizer as its tiktoken cache, server-metrics and GPU telemetry off.
Bounded: each run has a request count and a hard time limit, and a failing tool is reported and
skipped. Run: `.venv/bin/python benchmarks/compare_peers.py [--quick] [--tools ours,guidellm]
[--repeat 3 --check] [--only c=1]` (installing takes a few minutes the first time; a full pass
about eight minutes). `--check` compares, per scenario, the medians over the repeats of each
client's TTFT error p50 and p99 (joined per-request rows): ours must be <= the best peer's.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / ".cache" / "peers"
TOOL_VERSIONS = {"guidellm": "0.8.1", "aiperf": "0.13.0"}  # output formats parsed below
TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
# "steady" answers under any name; "short" (same timing, fewer tokens) keeps the 200-request
# c=1 scenario to about a minute per client.
MODELS = {
    "steady": {"ttft_ms": 50, "itl_ms": 10, "output_tokens": 100},
    "short": {"ttft_ms": 50, "itl_ms": 10, "output_tokens": 25},
}
C1_MIN_REQUESTS = 200
PROMPT = "Tell me a story."
TOKEN_KINDS = ("content", "reasoning", "tool")
# The simulator's collector is off: a full collection over its growing timing log would stall
# whichever request is in flight, for every client alike, and blur the truth.
SIM_SCRIPT = """
import asyncio, gc, json, sys
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
models = json.loads(sys.argv[1])
config = SimulatorConfig(
    default=ModelProfile(name="steady", **models.pop("steady")),
    models=[ModelProfile(name=name, **body) for name, body in models.items()],
    log_capacity=50000,
)
async def main():
    async with SimulatorServer(config) as sim:
        gc.collect()
        gc.freeze()
        gc.disable()
        print(sim.base_url, flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""


LEGEND = """columns: TTFT p50/p90/p99 = percentiles of the TTFT error (per-request rows) or the
  difference of percentiles (distribution rows); warm = the same once the first requests (those
  that may open a connection, unseen by the server log) are left out; ITL = error of the mean
  inter-token latency per request (distribution: difference of percentiles); gap |err| p99 =
  per-gap ITL error (only clients that report every gap). `run` lines: client process wall and
  CPU time (all its processes)."""


@dataclass(frozen=True)
class Scenario:
    name: str
    requests: int
    concurrency: int | None = None
    rate: float | None = None
    model: str = "steady"


@dataclass
class ClientRecord:
    """One request as a client reported it; times on the monotonic clock when known."""

    ttft_ms: float
    itl_ms: float | None = None
    gaps_ms: list[float] | None = None
    request_id: str | None = None
    start_ns: int | None = None
    first_token_ns: int | None = None


@dataclass
class ClientRun:
    records: list[ClientRecord] = field(default_factory=list)
    failed: int = 0


@dataclass
class Truth:
    read_ns: int
    first_ns: int
    ttft_ms: float
    mean_gap_ms: float | None
    gaps_ms: list[float]


# ---------------------------------------------------------------- installing the peers


def cpu_torch_wheel() -> tuple[Path, str] | None:
    """A local CPU-only torch wheel (find-links dirs), so guidellm does not pull CUDA (~3 GB)."""
    dirs = [*os.environ.get("PIP_FIND_LINKS", "").split(), "/opt/wheels"]
    for folder in map(Path, dirs):
        tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
        for wheel in sorted(folder.glob(f"torch-*+cpu-{tag}-*.whl")) if folder.is_dir() else []:
            return folder, wheel.name.split("-")[1]
    return None


def installed_version(venv: Path, tool: str) -> str | None:
    probe = f"import importlib.metadata as m; print(m.version({tool!r}))"
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def install(tool: str) -> Path | None:
    """The tool's executable in its own venv, installed on first use; None if that failed."""
    venv = PEERS / tool
    executable = venv / "bin" / tool
    if executable.exists() and installed_version(venv, tool) == TOOL_VERSIONS[tool]:
        return executable
    uv = Path(sys.executable).parent / "uv"
    log_path = PEERS / f"{tool}.install.log"
    PEERS.mkdir(parents=True, exist_ok=True)
    base_python = getattr(sys, "_base_executable", sys.executable)
    requirement = [f"{tool}=={TOOL_VERSIONS[tool]}"]
    if tool == "guidellm":  # it depends on torch; a CPU build is enough to benchmark HTTP
        local = cpu_torch_wheel()
        if local is not None:
            requirement += ["--find-links", str(local[0]), f"torch=={local[1]}"]
        else:
            print("  note: no local CPU torch wheel; guidellm will pull CUDA torch (~3 GB)")
    print(f"  installing {' '.join(requirement)} into {venv} (log: {log_path}) ...", flush=True)
    commands = [
        [str(uv), "venv", "--python", base_python, str(venv)],
        [str(uv), "pip", "install", "--python", str(venv / "bin" / "python"), *requirement],
    ]
    shutil.rmtree(venv, ignore_errors=True)  # a stale or partial venv
    with log_path.open("w") as log:
        for command in commands:
            if subprocess.run(command, stdout=log, stderr=log, check=False).returncode != 0:
                tail = log_path.read_text().strip().splitlines()[-8:]
                print(f"  !! {tool} could not be installed: " + "\n     ".join(tail))
                shutil.rmtree(venv, ignore_errors=True)
                return None
    return executable if executable.exists() else None


def tiktoken_cache() -> Path:
    """AIPerf's `builtin` tokenizer is tiktoken o200k: serve it our vendored copy, offline."""
    cache = PEERS / "tiktoken"
    target = cache / hashlib.sha1(TIKTOKEN_URL.encode()).hexdigest()  # noqa: S324 (tiktoken's)
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        source = ROOT / "src/benchstudio/speed/tokenizer_data/o200k_base.tiktoken.gz"
        target.write_bytes(gzip.decompress(source.read_bytes()))
    return cache


# ---------------------------------------------------------------- simulator and its log


def start_simulator() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SIM_SCRIPT, json.dumps(MODELS)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        process.kill()
        raise SystemExit("the simulator did not start")
    if (os.cpu_count() or 1) > 1:  # simulator on core 1; this script and clients on 0
        os.sched_setaffinity(process.pid, {1})
        os.sched_setaffinity(0, {0})
    return process, base_url


def clear_log(base_url: str) -> None:
    request = urllib.request.Request(f"{base_url}/_sim/requests", method="DELETE")
    urllib.request.urlopen(request).close()


def server_truth(base_url: str) -> dict[str, Truth]:
    truth: dict[str, Truth] = {}
    offset = 0
    while True:
        with urllib.request.urlopen(f"{base_url}/_sim/requests?offset={offset}&limit=1000") as r:
            page = json.load(r)
        for item in page["items"]:
            times = [e["t_ns"] for e in item["events"] if e["kind"] in TOKEN_KINDS and e["tokens"]]
            if item["status"] != 200 or not times:
                continue
            gaps = (np.diff(np.asarray(times, dtype=np.int64)) / 1e6).tolist()
            read = item["request_read_ns"]
            mean_gap = (times[-1] - times[0]) / 1e6 / (len(times) - 1) if len(times) > 1 else None
            truth[item["request_id"]] = Truth(
                read, times[0], (times[0] - read) / 1e6, mean_gap, gaps
            )
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return truth


# ---------------------------------------------------------------- running each client


def run_bounded(command: list[str], env: dict[str, str], limit_s: float, log: Path) -> bool:
    """Run a client to completion or kill its whole process group after `limit_s`."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=out, env=env, cwd=log.parent, start_new_session=True
        )
        try:
            return process.wait(limit_s) == 0
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            print(f"  !! stopped after {limit_s:.0f} s (hard limit)")
            return False


def peer_env() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", DO_NOT_TRACK="1")
    env["HF_HUB_DISABLE_TELEMETRY"] = "1"
    env["TIKTOKEN_CACHE_DIR"] = str(tiktoken_cache())
    return env


def run_ours(base_url: str, scenario: Scenario, work: Path, limit_s: float) -> ClientRun:
    output = work / "ours.json"
    command = [str(Path(sys.executable).parent / "benchstudio"), "bench"]
    command += ["--base-url", f"{base_url}/v1", "--model", scenario.model, "--prompt", PROMPT]
    command += ["--warmup", "0", "--quiet", "--num-requests", str(scenario.requests)]
    if scenario.concurrency is not None:
        command += ["--concurrency", str(scenario.concurrency)]
    else:
        command += ["--request-rate", str(scenario.rate), "--arrival", "poisson"]
    if not run_bounded(
        [*command, "--output", str(output)], dict(os.environ), limit_s, work / "ours.log"
    ):
        raise RuntimeError(f"benchstudio bench failed; see {work / 'ours.log'}")
    run = ClientRun()
    for item in json.loads(output.read_text())["requests"]:
        if item["error"] is not None or item["ttft_ms"] is None:
            run.failed += 1
            continue
        gaps = item["itl_ms"] or []
        # Per token, like the peers' figure: one read is one chunk, and a chunk that carried
        # two writes would otherwise double its gap (TPOT spreads the gaps over the tokens).
        mean_itl = item["tpot_ms"]
        run.records.append(ClientRecord(item["ttft_ms"], mean_itl, gaps, item["request_id"]))
    return run


def run_guidellm(base_url: str, scenario: Scenario, work: Path, limit_s: float) -> ClientRun:
    data = work / "prompts.jsonl"
    data.write_text(
        "".join(json.dumps({"prompt": PROMPT}) + "\n" for _ in range(scenario.requests))
    )
    output = work / "guidellm.json"
    backend = f"kind=openai_http,target={base_url},model={scenario.model}"
    backend += ",request_format=/v1/chat/completions,validate_backend=false"
    if scenario.concurrency is not None:
        profile = f"kind=concurrent,streams={scenario.concurrency}"
    else:
        profile = f"kind=poisson,rate={scenario.rate}"
    command = [str(PEERS / "guidellm/bin/guidellm"), "run", "--backend", backend]
    command += ["--profile", profile, "--data", f"kind=json_file,path={data}"]
    command += ["--constraint", f"kind=max_requests,count={scenario.requests}"]
    command += ["--constraint", f"kind=max_duration,seconds={int(limit_s)}"]
    command += ["--output", f"kind=json,path={output}", "--disable-console-interactive"]
    offset_before = time.time_ns() - time.perf_counter_ns()
    ok = run_bounded(command, peer_env(), limit_s + 30, work / "guidellm.log")
    offset = (offset_before + time.time_ns() - time.perf_counter_ns()) // 2
    if not ok or not output.exists():
        raise RuntimeError(f"guidellm failed; see {work / 'guidellm.log'}")
    requests = json.loads(output.read_text())["benchmarks"][0]["requests"]
    run = ClientRun(failed=len(requests["errored"] or []) + len(requests["incomplete"] or []))
    for item in requests["successful"]:
        timings = item["info"]["timings"]

        def mono(wall_s: float, offset: int = offset) -> int:
            return int(wall_s * 1e9) - offset

        run.records.append(
            ClientRecord(
                item["time_to_first_token_ms"],
                item["inter_token_latency_ms"],
                start_ns=mono(timings["request_start"]),
                first_token_ns=mono(timings["first_token_iteration"]),
            )
        )
    return run


def run_aiperf(base_url: str, scenario: Scenario, work: Path, limit_s: float) -> ClientRun:
    artifacts = work / "aiperf"
    command = [str(PEERS / "aiperf/bin/aiperf"), "profile", "-m", scenario.model, "--url", base_url]
    command += ["--endpoint-type", "chat", "--streaming", "--tokenizer", "builtin"]
    osl = MODELS[scenario.model]["output_tokens"]
    command += ["--isl", "16", "--osl", str(osl), "--ui", "none"]
    command += ["--request-count", str(scenario.requests), "--use-server-token-count"]
    command += ["--no-server-metrics", "--no-gpu-telemetry", "--export-level", "records"]
    command += ["--artifact-dir", str(artifacts)]
    if scenario.concurrency is not None:
        command += ["--concurrency", str(scenario.concurrency)]
    else:
        command += ["--request-rate", str(scenario.rate), "--arrival-pattern", "poisson"]
    ok = run_bounded(command, peer_env(), limit_s + 60, work / "aiperf.log")
    export = artifacts / "profile_export.jsonl"
    if not ok or not export.exists():
        raise RuntimeError(f"aiperf failed; see {work / 'aiperf.log'}")
    run = ClientRun()
    for line in export.read_text().splitlines():
        item = json.loads(line)
        metrics = item.get("metrics", {})
        if "time_to_first_token" not in metrics or item.get("error"):
            run.failed += 1
            continue
        itl = metrics.get("inter_token_latency", {}).get("value")
        request_id = item["metadata"].get("x_request_id")
        run.records.append(
            ClientRecord(metrics["time_to_first_token"]["value"], itl, None, request_id)
        )
    return run


CLIENTS: dict[str, Callable[[str, Scenario, Path, float], ClientRun]] = {
    "ours": run_ours,
    "guidellm": run_guidellm,
    "aiperf": run_aiperf,
}


# ---------------------------------------------------------------- errors against the log


@dataclass
class ErrorRow:
    client: str
    method: str
    count: int
    ttft: list[float]  # p50, p90, p99 of the error (ms)
    itl: list[float] | None = None  # p50, p99 of the per-request mean ITL error (ms)
    gap_p99: float | None = None  # p99 of |client gap - server gap| (ms), per gap
    warm: list[float] | None = None  # p50, p99 of the TTFT error once connections are open


def pcts(values: list[float], qs: tuple[float, ...]) -> list[float]:
    return [float(np.percentile(values, q)) for q in qs] if values else [float("nan")] * len(qs)


def pair_by_id(run: ClientRun, truth: dict[str, Truth]) -> list[tuple[ClientRecord, Truth]]:
    return [(r, truth[r.request_id]) for r in run.records if r.request_id in truth]


def pair_by_timestamps(run: ClientRun, truth: dict[str, Truth]) -> list[tuple[ClientRecord, Truth]]:
    """Optimal pairing of client requests with log records on start and first-token times."""
    records = [r for r in run.records if r.start_ns is not None and r.first_token_ns is not None]
    server = list(truth.values())
    if not records or not server:
        return []
    starts = np.array([r.start_ns for r in records], dtype=np.float64)[:, None]
    firsts = np.array([r.first_token_ns for r in records], dtype=np.float64)[:, None]
    reads = np.array([t.read_ns for t in server], dtype=np.float64)[None, :]
    writes = np.array([t.first_ns for t in server], dtype=np.float64)[None, :]
    cost = np.abs(reads - starts) + np.abs(firsts - writes)
    rows, cols = linear_sum_assignment(cost)
    return [(records[i], server[j]) for i, j in zip(rows, cols, strict=True)]


def error_rows(client: str, run: ClientRun, truth: dict[str, Truth], cold: int) -> list[ErrorRow]:
    """Joined per-request errors when possible, and the distribution difference always.

    `cold` requests (the first ones the server read) may include opening a connection, which
    the server's log cannot see; the `warm` figures leave them out.
    """
    rows: list[ErrorRow] = []
    pairs, method = pair_by_id(run, truth), "request-id"
    if not pairs:
        pairs, method = pair_by_timestamps(run, truth), "timestamps"
    if pairs:
        pairs.sort(key=lambda pair: pair[1].read_ns)
        ttft = [r.ttft_ms - t.ttft_ms for r, t in pairs]
        itl = [r.itl_ms - t.mean_gap_ms for r, t in pairs if r.itl_ms and t.mean_gap_ms]
        gaps: list[float] = []
        for record, server in pairs:
            # Requests whose reads merged writes are left out here (see speed_accuracy's join).
            if record.gaps_ms and len(record.gaps_ms) == len(server.gaps_ms):
                gaps.extend(abs(a - b) for a, b in zip(record.gaps_ms, server.gaps_ms, strict=True))
        rows.append(
            ErrorRow(
                client,
                method,
                len(pairs),
                pcts(ttft, (50, 90, 99)),
                pcts(itl, (50, 99)) if itl else None,
                pcts(gaps, (99,))[0] if gaps else None,
                pcts(ttft[cold:], (50, 99)) if len(ttft) > cold else None,
            )
        )
    reported = [r.ttft_ms for r in run.records]
    server_ttft = [t.ttft_ms for t in truth.values()]
    difference = [
        a - b
        for a, b in zip(pcts(reported, (50, 90, 99)), pcts(server_ttft, (50, 90, 99)), strict=True)
    ]
    itl_reported = [r.itl_ms for r in run.records if r.itl_ms is not None]
    server_gaps = [t.mean_gap_ms for t in truth.values() if t.mean_gap_ms is not None]
    itl_difference = None
    if itl_reported and server_gaps:
        itl_difference = [
            a - b
            for a, b in zip(pcts(itl_reported, (50, 99)), pcts(server_gaps, (50, 99)), strict=True)
        ]
    rows.append(ErrorRow(client, "distribution", len(reported), difference, itl_difference))
    return rows


def print_table(title: str, rows: list[ErrorRow], notes: dict[str, str]) -> None:
    print(f"\n{title}: errors = client - server, ms")
    print(
        f"  {'client':<9} {'method':<13} {'n':>4} | {'TTFT p50':>8} {'p90':>7} {'p99':>7}"
        f" | {'warm p50':>8} {'p99':>7} | {'ITL p50':>7} {'p99':>6} | {'gap |err| p99':>13}"
    )

    def cell(value: float | None, width: int) -> str:
        return f"{value:>{width}.2f}" if value is not None else f"{'-':>{width}}"

    for row in rows:
        none: list[float | None] = [None, None]
        itl: list[float | None] = [*row.itl] if row.itl else none
        warm: list[float | None] = [*row.warm] if row.warm else none
        print(
            f"  {row.client:<9} {row.method:<13} {row.count:>4} | {cell(row.ttft[0], 8)}"
            f" {cell(row.ttft[1], 7)} {cell(row.ttft[2], 7)} | {cell(warm[0], 8)}"
            f" {cell(warm[1], 7)} | {cell(itl[0], 7)} {cell(itl[1], 6)} | {cell(row.gap_p99, 13)}"
        )
    for client, note in notes.items():
        print(f"  {client:<9} {note}")


# ---------------------------------------------------------------- main


def scenarios(quick: bool) -> list[Scenario]:
    scale = 0.5 if quick else 1.0
    return [
        # at least 200 requests even with --quick: its p99 must not be one request's error
        Scenario(
            "c=1 (ttft 50 ms, itl 10 ms, 25 tokens)", C1_MIN_REQUESTS, concurrency=1, model="short"
        ),
        Scenario("c=64, ~6.4k events/s", int(320 * scale), concurrency=64),
        Scenario("Poisson 50 req/s, ~5k events/s", int(300 * scale), rate=50.0),
    ]


def run_client(
    client: str, base_url: str, scenario: Scenario, work: Path
) -> tuple[list[ErrorRow], str]:
    expected_s = scenario.requests / (scenario.rate or scenario.concurrency or 1) * 1.1 + 5
    clear_log(base_url)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter()
    try:
        run = CLIENTS[client](base_url, scenario, work, max(60.0, expected_s * 4))
    except (RuntimeError, OSError, KeyError, ValueError, json.JSONDecodeError) as exc:
        return [], f"FAILED: {exc}"
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    truth = server_truth(base_url)
    note = (
        f"{len(run.records)} ok, {run.failed} failed,"
        f" wall {time.perf_counter() - wall0:.1f} s, CPU {cpu_s:.1f} s"
    )
    # first requests that may open a connection: the concurrency, or the rate's mean in flight
    model = MODELS[scenario.model]
    duration_s = (model["ttft_ms"] + model["itl_ms"] * model["output_tokens"]) / 1000
    cold = scenario.concurrency or round((scenario.rate or 0) * duration_s)
    return error_rows(client, run, truth, cold), note


def verdicts(results: dict[tuple[str, str], list[list[float]]], names: list[str]) -> bool:
    """Per scenario, medians over the repeats of each client's TTFT error p50 and p99 (the
    joined per-request row); ours must be <= the best peer's on both (as absolute errors)."""
    print("\nmedians over repeats, TTFT error (ms): ours must be <= the best peer on p50 and p99")
    ok = True
    for name in names:
        medians = {
            client: [float(np.median([abs(run[i]) for run in runs])) for i in (0, 1)]
            for (scenario, client), runs in results.items()
            if scenario == name and runs
        }
        ours = medians.pop("ours", None)
        if ours is None or not medians:
            print(f"  {name}: MISSING (ours or every peer failed)")
            ok = False
            continue
        best = [min(figures[i] for figures in medians.values()) for i in (0, 1)]
        passed = ours[0] <= best[0] and ours[1] <= best[1]
        ok = ok and passed
        peers = ", ".join(f"{c} {f[0]:.2f}/{f[1]:.2f}" for c, f in medians.items())
        print(
            f"  {name}: ours p50/p99 {ours[0]:.2f}/{ours[1]:.2f}; {peers} -> "
            + ("ok" if passed else "BEHIND")
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", default="ours,guidellm,aiperf", help="clients to run")
    parser.add_argument("--quick", action="store_true", help="half the requests")
    parser.add_argument("--repeat", type=int, default=1, help="run every scenario this often")
    parser.add_argument(
        "--only", default="", help="run only scenarios whose name starts with this (e.g. c=1)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 unless, per scenario, the medians over the repeats of our TTFT error p50"
        " and p99 are <= the best peer's",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="lower the niceness of the simulator and clients by this much (root only), so that"
        " other work on a shared machine disturbs the figures less",
    )
    arguments = parser.parse_args()
    if arguments.nice:
        try:
            os.nice(-arguments.nice)  # inherited by the simulator and every client
        except PermissionError:
            print("--nice needs root; running at normal priority")
    clients = [c.strip() for c in arguments.tools.split(",") if c.strip() in CLIENTS]
    ready = []
    for client in clients:
        if client == "ours" or install(client) is not None:
            ready.append(client)
        else:
            print(f"skipping {client}: not installed (see {PEERS / (client + '.install.log')})")
    process, base_url = start_simulator()
    print(f"simulator {base_url} on core 1, clients on core 0; models {MODELS}")
    print(LEGEND)
    chosen = [s for s in scenarios(arguments.quick) if s.name.startswith(arguments.only)]
    results: dict[tuple[str, str], list[list[float]]] = {}
    try:
        for attempt in range(1, arguments.repeat + 1):
            for scenario in chosen:
                rows: list[ErrorRow] = []
                notes: dict[str, str] = {}
                for client in ready:
                    work = PEERS / "runs" / client
                    shutil.rmtree(work, ignore_errors=True)
                    work.mkdir(parents=True)
                    client_rows, notes[client] = run_client(client, base_url, scenario, work)
                    rows.extend(client_rows)
                    joined = [r for r in client_rows if r.method != "distribution"]
                    if joined:
                        ttft = joined[0].ttft
                        results.setdefault((scenario.name, client), []).append([ttft[0], ttft[2]])
                load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                print_table(f"[{attempt}] {scenario.name} (load avg {load})", rows, notes)
    finally:
        process.terminate()
        process.wait(10)
    ok = verdicts(results, [s.name for s in chosen])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end: {load}")
    if arguments.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
