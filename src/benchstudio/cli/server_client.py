"""HTTP client for `benchstudio bench --server URL`: submit a benchmark as a job on a
BenchStudio server, follow its events, fetch the results; upload a local results file.

Authenticates with a personal API token from `BENCHSTUDIO_TOKEN` (create one under
Account → API tokens, scopes `read` and `run`). The token is sent only as a bearer header.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

TOKEN_ENV = "BENCHSTUDIO_TOKEN"  # noqa: S105 (the variable's name, not a secret)
FINAL_JOB_STATUSES = frozenset({"done", "failed", "cancelled", "interrupted"})
DEFAULT_POLL_S = 0.5


class ServerError(RuntimeError):
    """The server refused or failed a call; the message is the server's own, sanitised one."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        # A 422's field problems from the error envelope (`loc`, `msg`, `type`), if any.
        self.details = details or []


def token_from_env() -> str:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ServerError(f"set {TOKEN_ENV} to a personal API token of the server")
    return token


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return f"{error['message']} (HTTP {response.status_code})"
    return f"HTTP {response.status_code}"


def _details(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


class ServerClient:
    def __init__(self, base_url: str, token: str, *, timeout_s: float = 60.0) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout_s,
            follow_redirects=False,
        )

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerError(f"cannot reach the server: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise ServerError(_message(response), response.status_code, _details(response))
        return response.json() if response.content else None

    def providers(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", "/api/providers")
        return found

    def resolve_provider(self, name_or_id: str) -> str:
        """A provider id from an id or a (case-insensitive) name."""
        providers = self.providers()
        for provider in providers:
            if provider["id"] == name_or_id:
                return str(provider["id"])
        matches = [p for p in providers if p["name"].lower() == name_or_id.lower()]
        if len(matches) != 1:
            names = ", ".join(sorted(p["name"] for p in providers)) or "none"
            raise ServerError(f"no single provider named {name_or_id!r} (yours: {names})")
        return str(matches[0]["id"])

    def preview(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/api/benchmarks/preview", json=body)
        return result

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/api/benchmarks", json=body)
        return result

    def job(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/api/jobs/{job_id}")
        return result

    def events(self, job_id: str, after: int) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call(
            "GET", f"/api/jobs/{job_id}/events", params={"after": after}
        )
        return result

    def cancel(self, job_id: str) -> None:
        try:
            self._call("POST", f"/api/jobs/{job_id}/cancel")
        except ServerError as exc:
            if exc.status != 409:  # already finished
                raise

    def resume(self, job_id: str) -> dict[str, Any]:
        """Queue an interrupted job again (409 with the reason if it is not interrupted)."""
        result: dict[str, Any] = self._call("POST", f"/api/jobs/{job_id}/resume")
        return result

    def run(self, run_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/api/benchmarks/{run_id}")
        return result

    def results(self, run_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "GET", f"/api/benchmarks/{run_id}/export", params={"format": "json"}
        )
        return result

    def parameter_sets(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/api/parameter-sets")
        return result

    def parameter_set(self, set_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/api/parameter-sets/{set_id}")
        return result

    def resolve_parameter_set(self, name_or_id: str) -> dict[str, Any]:
        """One of your parameter sets by id or (case-insensitive) name; unknown or ambiguous
        names are refused with the names you have, so the fix is obvious."""
        sets = self.parameter_sets()
        for found in sets:
            if found["id"] == name_or_id:
                return found
        matches = [s for s in sets if s["name"].lower() == name_or_id.lower()]
        if len(matches) == 1:
            return matches[0]
        if matches:
            ids = ", ".join(str(s["id"]) for s in matches)
            raise ServerError(
                f"{len(matches)} parameter sets are named {name_or_id!r}: give the id ({ids})"
            )
        names = ", ".join(sorted(s["name"] for s in sets)) or "none"
        raise ServerError(f"no parameter set named {name_or_id!r} (yours: {names})")

    def create_parameter_set(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/api/parameter-sets", json=body)
        return result

    def delete_parameter_set(self, set_id: str) -> None:
        self._call("DELETE", f"/api/parameter-sets/{set_id}")

    def import_results(self, content: bytes, *, allow_duplicate: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST",
            "/api/benchmarks/import",
            params={"duplicate": "allow"} if allow_duplicate else None,
            content=content,
            headers={"Content-Type": "application/json"},
        )
        return result

    def create_suite(self, name: str, description: str) -> dict[str, Any]:
        body = {"name": name, "description": description}
        result: dict[str, Any] = self._call("POST", "/api/suites", json=body)
        return result

    def patch_suite(self, suite_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("PATCH", f"/api/suites/{suite_id}", json=changes)
        return result

    def delete_suite(self, suite_id: str) -> None:
        self._call("DELETE", f"/api/suites/{suite_id}")

    def delete_eval_run(self, run_id: str) -> None:
        self._call("DELETE", f"/api/evals/{run_id}")

    def prompts(self, filters: dict[str, str]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/api/prompts", params=filters)
        return result

    def prompt(self, entry_id: str, version: int | None = None) -> dict[str, Any]:
        path = f"/api/prompts/{entry_id}"
        result: dict[str, Any] = self._call(
            "GET", path if version is None else f"{path}/versions/{version}"
        )
        return result

    def prompt_action(
        self, method: str, entry_id: str | None, suffix: str = "", **kwargs: Any
    ) -> Any:
        """The library's other routes: create (no id), new version, diff, copy, delete."""
        path = "/api/prompts" if entry_id is None else f"/api/prompts/{entry_id}{suffix}"
        return self._call(method, path, **kwargs)

    def resolve_suite(self, name_or_id: str) -> str:
        """A suite id from a (case-insensitive, unique) name; anything else is taken as an id
        (the server answers 404 for an unknown one)."""
        page = self._call("GET", "/api/suites", params={"search": name_or_id, "limit": 200})
        matches = [s for s in page["items"] if s["name"].lower() == name_or_id.lower()]
        if len(matches) > 1:
            ids = ", ".join(str(s["id"]) for s in matches)
            raise ServerError(
                f"{len(matches)} suites are named {name_or_id!r}: give the id ({ids})"
            )
        return str(matches[0]["id"]) if matches else name_or_id

    def model(self, model_ref_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/api/models/{model_ref_id}")
        return result

    def resolve_model(self, name_or_id: str) -> str:
        """A catalog model's id from its id, or from its model id or display name
        (case-insensitive) when one model of yours has it; anything else is taken as an id
        (the server answers 404 for an unknown one)."""
        models: list[dict[str, Any]] = self._call("GET", "/api/models")
        wanted = name_or_id.lower()
        if any(m["id"] == name_or_id for m in models):
            return name_or_id
        matches = [
            m for m in models if wanted in (m["model_id"].lower(), m["display_name"].lower())
        ]
        if len(matches) > 1:
            ids = ", ".join(str(m["id"]) for m in matches)
            raise ServerError(
                f"{len(matches)} models are named {name_or_id!r}: give the id ({ids})"
            )
        return str(matches[0]["id"]) if matches else name_or_id

    def experiment_action(
        self, method: str, experiment_id: str | None, suffix: str = "", **kwargs: Any
    ) -> Any:
        """The experiment routes: list and create (no id), detail, baseline, filing, re-run."""
        path = "/api/experiments" if experiment_id is None else f"/api/experiments/{experiment_id}"
        return self._call(method, path + suffix, **kwargs)

    def tuning_action(self, method: str, suffix: str, **kwargs: Any) -> Any:
        """The tuner routes: estimate, submit (`/runs`), a run's detail (`/runs/{id}`)."""
        return self._call(method, f"/api/tuning{suffix}", **kwargs)

    def schedule_action(
        self, method: str, schedule_id: str | None, suffix: str = "", **kwargs: Any
    ) -> Any:
        """The schedule routes: list, create, drafts' next and estimate (no id: `suffix` is
        `/next` or `/estimate`), and one schedule's detail, next, occurrences and alerts."""
        path = "/api/schedules" if schedule_id is None else f"/api/schedules/{schedule_id}"
        return self._call(method, path + suffix, **kwargs)

    def notification_action(self, method: str, suffix: str = "", **kwargs: Any) -> Any:
        """The notification center: list, `/read` (ids), `/read-all`, `/unread-count`."""
        return self._call(method, f"/api/notifications{suffix}", **kwargs)

    def submit_eval(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/api/evals", json=body)
        return result

    def eval_run(self, run_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/api/evals/{run_id}")
        return result

    def eval_export(self, run_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "GET", f"/api/evals/{run_id}/export", params={"format": "json"}
        )
        return result


def follow_job(
    client: ServerClient,
    job_id: str,
    on_event: Callable[[dict[str, Any]], None],
    *,
    cancel: threading.Event | None = None,
    poll_s: float = DEFAULT_POLL_S,
) -> dict[str, Any]:
    """Poll the job's stored events (each seen once, in order) until the job ends; when
    `cancel` gets set, ask the server to cancel the job (it keeps the stored results)."""
    seen = 0
    cancel_sent = False
    while True:
        if cancel is not None and cancel.is_set() and not cancel_sent:
            client.cancel(job_id)
            cancel_sent = True
        for event in client.events(job_id, seen):
            seen = max(seen, int(event["seq"]))
            on_event(event)
        job = client.job(job_id)
        if job["status"] in FINAL_JOB_STATUSES:
            for event in client.events(job_id, seen):
                seen = max(seen, int(event["seq"]))
                on_event(event)
            return job
        time.sleep(poll_s)


# CLI flag -> field of the server's BenchmarkCreate (same meaning as for a local run).
_SIMPLE_FIELDS = {
    "max_tokens": "max_tokens",
    "temperature": "temperature",
    "runs": "runs",
    "warmup": "warmup",
    "corpus": "corpus",
    "concurrency": "concurrency",
    "request_rate": "request_rate",
    "arrival": "arrival",
    "burstiness": "burstiness",
    "num_requests": "num_requests",
    "duration_s": "duration_s",
    "timeout_s": "timeout_s",
    "max_cost": "max_cost",
}


def _server_targets(client: ServerClient, options: dict[str, Any]) -> list[dict[str, str]]:
    """`--provider P --model M` and/or `--target PROVIDER=MODEL` (provider name or id)."""
    pairs: list[tuple[str, str]] = []
    if options.get("model"):
        if not options.get("provider"):
            raise ServerError("with --server, --model needs --provider (a provider name or id)")
        pairs.append((options["provider"], options["model"]))
    for spec in options.get("target") or []:
        provider, sep, model = spec.partition("=")
        if not sep or not provider or not model:
            raise ServerError(f"with --server, --target wants PROVIDER=MODEL, got {spec!r}")
        pairs.append((provider, model))
    if not pairs:
        raise ServerError("give --provider and --model, or --target PROVIDER=MODEL")
    targets = [
        {"provider_id": client.resolve_provider(provider), "model_id": model}
        for provider, model in pairs
    ]
    if options.get("parameter_set"):
        set_id = str(client.resolve_parameter_set(options["parameter_set"])["id"])
        for target in targets:
            target["parameter_set_id"] = set_id
    return targets


def _mode(options: dict[str, Any], body: dict[str, Any]) -> None:
    if options.get("sweep_concurrency"):
        body.update(mode="sweep_concurrency", sweep=options["sweep_concurrency"])
    elif options.get("sweep_rate"):
        body.update(mode="sweep_rate", sweep=options["sweep_rate"])
    elif options.get("request_rate") is not None:
        body["mode"] = "rate"
    elif options.get("concurrency") is not None:
        body["mode"] = "concurrency"


def benchmark_body(client: ServerClient, options: dict[str, Any]) -> dict[str, Any]:
    """The `POST /api/benchmarks` body for the CLI's options (already parsed numbers)."""
    if options.get("base_url") or options.get("config"):
        raise ServerError("--server runs the server's providers: use --provider/--model")
    body: dict[str, Any] = {"targets": _server_targets(client, options)}
    if options.get("prompt_file") is not None:
        body["prompt"] = options["prompt_file"].read_text(encoding="utf-8")
    elif options.get("prompt") is not None:
        body["prompt"] = options["prompt"]
    for flag, name in _SIMPLE_FIELDS.items():
        if options.get(flag) is not None:
            body[name] = options[flag]
    for flag in ("context_tokens", "slo"):
        if options.get(flag):
            body[flag] = options[flag]
    for flag in ("cache_probe", "parallel_models", "cold"):
        if options.get(flag):
            body[flag] = True
    _mode(options, body)
    return body
