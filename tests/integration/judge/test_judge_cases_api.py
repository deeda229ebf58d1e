"""Per-case judging end to end against the simulator: an eval run of a scripted model, then a
post-eval `judge_cases` job whose scripted judge gives known (golden) verdicts; agreement,
reviews, policy, budget stop, auto-judge without double judging, and live judging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from judge_driver import (
    AUTOMATED_PASS,
    GOLDEN,
    JUDGE_SUITE,
    VERDICT_PROMPT_ID,
    Api,
    JudgeSimulator,
    app_api,
    ensure_prompt_source,
)

from benchstudio.config import Settings
from benchstudio.judge.models import JudgeReport
from benchstudio.judge.service.report_jobs import repair_reports
from benchstudio.storage.service_context import ServiceContext

ENDED = {"done", "failed", "cancelled", "interrupted"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[JudgeSimulator]:
    with JudgeSimulator() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    ensure_prompt_source()
    yield from app_api(settings)


def _setup(api: Api, base_url: str, *, judge_price: float | None = None) -> dict[str, Any]:
    api.sign_up("judge-owner@example.com")
    suite = api.ok("POST", "/api/suites", 201, json=JUDGE_SUITE)
    body = {"name": "Sim", "protocol": "openai", "base_url": base_url + "/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)
    judge_body: dict[str, Any] = {"provider_id": provider["id"], "model_id": "judge"}
    if judge_price is not None:
        judge_body |= {"input_price": judge_price, "output_price": judge_price}
    judge = api.ok("POST", "/api/models", 201, json=judge_body)
    return {"suite": suite["id"], "provider": provider["id"], "judge": judge["id"]}


def _eval(api: Api, world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "suite_id": world["suite"],
        "targets": [{"provider_id": world["provider"], "model_id": "weatherbot"}],
        "concurrency": 2,
        **extra,
    }
    submitted = api.ok("POST", "/api/evals", 202, json=body)
    job = api.wait_job(submitted["job_id"], ENDED)
    assert job["status"] == "done", job
    return {"run_id": submitted["run"]["id"], "job_id": submitted["job_id"], "target": "weatherbot"}


def _judge_in(world: dict[str, Any], run: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "eval_run_id": run["run_id"],
        "target": run["target"],
        "judge_model_ref_id": world["judge"],
        "prompt_entry_id": VERDICT_PROMPT_ID,
        **extra,
    }


def _judge(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    submitted = api.ok("POST", "/api/judge/runs", 202, json=body)
    job = api.wait_job(submitted["job_id"], ENDED)
    assert job["status"] == "done", job
    return dict(api.ok("GET", f"/api/judge/reports/{submitted['report_id']}"))


def _by_case(api: Api, report_id: str, only: str | None = None) -> dict[str, dict[str, Any]]:
    url = f"/api/judge/reports/{report_id}/cases" + (f"?only={only}" if only else "")
    return {row["case_id"]: row for row in api.ok("GET", url)}


def test_post_eval_judge_gives_the_golden_verdicts(api: Api, simulator: JudgeSimulator) -> None:
    world = _setup(api, simulator.base_url)
    run = _eval(api, world)
    estimate = api.ok("POST", "/api/judge/estimate", json=_judge_in(world, run))
    assert estimate["cases"] == 5 and estimate["skipped_too_long"] == 0
    assert estimate["input_tokens"] > 0 and estimate["unpriced"] == ["judge"]
    report = _judge(api, _judge_in(world, run))
    assert report["status"] == "done" and report["mode"] == "post" and report["version"] == 1
    rows = _by_case(api, report["id"])
    assert set(rows) == set(GOLDEN)
    for case_id, (verdict, score) in GOLDEN.items():
        assert (rows[case_id]["verdict"], rows[case_id]["score"]) == (verdict, score), case_id
        assert rows[case_id]["automated_pass"] is AUTOMATED_PASS[case_id]
    assert rows["kyiv"]["parse_error"] and rows["kyiv"]["repaired"] in (True, False)
    assert rows["oslo"]["tool_selection"]["status"] == "wrong"
    linked = api.ok("GET", f"/api/evals/{run['run_id']}/cases/{rows['oslo']['eval_result_id']}")
    assert linked["case_id"] == "oslo" and linked["passed"] is False
    summary = report["cases_summary"]
    assert (summary["pass_count"], summary["marginal_count"], summary["fail_count"]) == (2, 1, 1)
    assert summary["parse_failures"] == 1 and summary["judged"] == 4
    assert summary["score_histogram"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1}
    assert summary["mean_score"] == pytest.approx(3.5)
    # Judge pass/marginal/fail by automated pass/not-pass (kyiv unscored).
    table = summary["agreement"]["table"]
    assert table == {
        "pass": {"pass": 1, "not_pass": 1},
        "marginal": {"pass": 1, "not_pass": 0},
        "fail": {"pass": 0, "not_pass": 1},
    }
    # po = 2/4, pe = (2*2 + 2*2)/16 = 1/2 → kappa 0.
    assert summary["agreement"]["kappa"] == pytest.approx(0.0)
    assert {d["case_id"] for d in summary["agreement"]["disagreements"]} == {"lima", "rome"}
    # A re-judge is a new version; the first is kept.
    again = _judge(api, _judge_in(world, run, scope="category", category="travel"))
    assert again["version"] == 2 and set(_by_case(api, again["id"])) == {"oslo", "lima"}
    listed = api.ok("GET", f"/api/judge/reports?eval_run_id={run['run_id']}")
    assert {r["version"] for r in listed} == {1, 2}


def test_reviews_and_policy_change_the_figures(api: Api, simulator: JudgeSimulator) -> None:
    world = _setup(api, simulator.base_url)
    run = _eval(api, world)
    report = _judge(api, _judge_in(world, run))
    base = f"/api/judge/reports/{report['id']}/cases"
    assert set(_by_case(api, report["id"], "disagreements")) == {"lima", "rome"}
    api.ok("PUT", f"{base}/lima/review", json={"review": "judge_right"})
    api.ok("PUT", f"{base}/rome/review", json={"review": "judge_right"})
    refused = api.call("PUT", f"{base}/paris/review", json={"review": "judge_right"})
    assert refused.status_code == 409
    agreement = api.ok("GET", f"/api/judge/reports/{report['id']}")["cases_summary"]["agreement"]
    assert (agreement["judge_right"], agreement["automated_right"]) == (2, 0)
    assert agreement["judge_accuracy"] == 1.0 and agreement["automated_accuracy"] == 0.5
    policy_url = f"/api/judge/runs/{run['run_id']}/policy"
    automated = api.ok("GET", policy_url)
    assert automated["verdict_policy"] == "automated_final"
    assert automated["automated_pass_rate"] == pytest.approx(3 / 5)
    # Reviews settle lima (judge: pass) and rome (judge: marginal → not pass).
    assert automated["final_pass_rate"] == pytest.approx(3 / 5)
    judge_final = api.ok("PUT", policy_url, json={"verdict_policy": "judge_final"})
    # paris pass, oslo fail, rome marginal, lima pass, kyiv unscored → automated pass.
    assert judge_final["final_pass_rate"] == pytest.approx(3 / 5)
    both = api.ok("PUT", policy_url, json={"verdict_policy": "both"})
    assert both["final_pass_rate"] is None and both["judge_pass_rate"] == pytest.approx(2 / 4)
    detail = api.ok("GET", f"/api/judge/reports/{report['id']}")
    assert detail["verdict_policy"] == "both"
    # Wherever the run's score is shown (its page, the runs list, exports) the policy is too.
    assert api.ok("GET", f"/api/evals/{run['run_id']}")["verdict_policy"] == "both"
    listed = api.ok("GET", "/api/evals?limit=50")
    items = listed["items"] if isinstance(listed, dict) else listed
    assert {r["id"]: r["verdict_policy"] for r in items}[run["run_id"]] == "both"
    rows = api.ok("GET", "/api/judge/agreement")
    assert rows[0]["reports"] == 1 and rows[0]["n"] == 4 and rows[0]["judge_right"] == 2


def test_the_runs_list_shows_the_judge_final_pass_rate(api: Api, simulator: JudgeSimulator) -> None:
    world = _setup(api, simulator.base_url)
    judged, unjudged, automated = (_eval(api, world) for _ in range(3))
    for run in (judged, unjudged):
        url = f"/api/judge/runs/{run['run_id']}/policy"
        api.ok("PUT", url, json={"verdict_policy": "judge_final"})
    _judge(api, _judge_in(world, judged))  # v1, all cases: 3 of 5 finally pass
    # The latest finished report counts: v2 judged the travel cases only. Oslo fails either
    # way; the judge passes Lima, which the scorer failed; the three cases it did not score
    # keep their automated verdict (all pass): 4 of 5.
    _judge(api, _judge_in(world, judged, scope="category", category="travel"))
    _judge(api, _judge_in(world, automated))
    listed = api.ok("GET", "/api/evals?limit=50")
    by_id = {r["id"]: r for r in listed["items"]}
    assert by_id[judged["run_id"]]["judge_pass_rate"] == {"passed": 4, "total": 5, "rate": 0.8}
    assert by_id[judged["run_id"]]["passed_cases"] == 3  # the automated count stays
    assert by_id[unjudged["run_id"]]["judge_pass_rate"] is None  # no report yet
    assert by_id[automated["run_id"]]["judge_pass_rate"] is None  # another policy
    detail = api.ok("GET", f"/api/evals/{judged['run_id']}")
    assert detail["judge_pass_rate"]["passed"] == 4
    # Another user's list never holds the figure of these runs.
    other = Api(api.client).sign_up("someone-else@example.com")
    assert other.ok("GET", "/api/evals?limit=50")["items"] == []


def test_budget_stops_the_judge_and_keeps_what_it_judged(
    api: Api, simulator: JudgeSimulator
) -> None:
    world = _setup(api, simulator.base_url, judge_price=1000.0)
    run = _eval(api, world)
    estimate = api.ok("POST", "/api/judge/estimate", json=_judge_in(world, run))
    per_case = estimate["cost_usd"] / estimate["cases"]
    report = _judge(api, _judge_in(world, run, budget_usd=round(per_case * 1.5, 6)))
    assert report["status"] == "stopped"
    summary = report["cases_summary"]
    assert "budget" in summary["stop_reason"]
    assert 1 <= summary["cases"] < 5
    assert report["cost_usd"] is not None and report["cost_usd"] > 0
    job = api.ok("GET", f"/api/jobs/{report['job_id']}")
    assert job["status"] == "done"


def test_start_up_repair_ends_reports_whose_job_ended(api: Api, simulator: JudgeSimulator) -> None:
    world = _setup(api, simulator.base_url)
    run = _eval(api, world)
    report = _judge(api, _judge_in(world, run))
    database = api.client.app.state.database

    async def strand_and_repair() -> int:
        async with ServiceContext.system(database).unit() as session:
            stored = await session.get(JudgeReport, report["id"])
            assert stored is not None
            stored.status = "running"  # as if the process died before the report followed
        return await repair_reports(ServiceContext.system(database))

    assert api.client.portal.call(strand_and_repair) == 1
    assert api.ok("GET", f"/api/judge/reports/{report['id']}")["status"] == "done"
