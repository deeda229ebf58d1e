"""`benchstudio tune` on this machine: the space checked against the provider's parameter rules
(shown before the first request), then the study loop (`study_loop.run_study`) with the
in-process trial evaluator (`local_trials`; with `--objective judge` wrapped by
`local_judging`, the judge any endpoint), a progress bar trial by trial, the results.

Ctrl-C asks the loop to stop: the trials in flight end as "pruned" with what they finished,
finished trials are kept, the results are printed and written, the exit code is 130.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from benchstudio.cli.tune_judge import JUDGE_WARNING, judge_concurrency, open_local_judge
from benchstudio.cli.tune_options import (
    TuneOptions,
    objective_spec,
    stopping_rules,
    strategy_spec,
    study_budget,
)
from benchstudio.cli.tune_results import local_results
from benchstudio.cli.tune_view import KIND_LABELS, finish, percent, point_text, print_estimate

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from benchstudio.judge.service.verdict_call import JudgeModel
    from benchstudio.toolcall.live.records import EvalTarget
    from benchstudio.toolcall.schemas import Suite
    from benchstudio.tuning.service.local_trials import LocalTrialEvaluator
    from benchstudio.tuning.service.study_types import (
        Baseline,
        FinishedTrialRecord,
        StudyPlan,
        StudyProgress,
        TrialEvaluator,
        TrialRequest,
    )

EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


class ProgressSink:
    """The study's sink on a terminal: one bar over the planned trials, the running best."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress, self._task = progress, task

    async def trial_started(self, request: TrialRequest) -> None:
        self._progress.update(
            self._task, description=f"trial {request.number} · {point_text(request.effective)}"
        )

    async def trial_finished(self, record: FinishedTrialRecord) -> None:
        score = "–" if record.score is None else percent(record.score.score)
        kind = KIND_LABELS.get(record.kind, record.kind)
        self._progress.console.print(
            f"  trial {record.number} ({kind}) {record.state}: {score} · "
            f"{point_text(record.effective)}"
        )

    async def progress(self, progress: StudyProgress) -> None:
        best = "–" if progress.best_score is None else percent(progress.best_score)
        self._progress.update(
            self._task,
            completed=progress.trials_done,
            total=max(progress.planned_trials, progress.trials_done),
            best=best,
            calls=progress.calls_used,
        )


def _load_suite(path: str) -> Suite:
    from benchstudio.toolcall.suite_file import SuiteFileError, load_suite

    try:
        return load_suite(Path(path))
    except SuiteFileError as error:
        raise typer.BadParameter(str(error), param_hint="--suite") from None


def _placeholders_accepted(suite: Suite, options: TuneOptions, err_console: Console) -> bool:
    import sys

    from benchstudio.evals.runs.domain.placeholders import (
        placeholder_case_ids,
        placeholder_message,
    )

    held = placeholder_case_ids(suite)
    if not held:
        return True
    err_console.print(f"[yellow]Warning: {placeholder_message(held)}[/]")
    if options.yes or not sys.stdin.isatty():
        return True
    return typer.confirm("Tune anyway?", default=False, err=True)


def _api_key(options: TuneOptions) -> str | None:
    import os

    if not options.api_key_env:
        return None
    key = os.environ.get(options.api_key_env)
    if not key:
        raise typer.BadParameter(
            f"environment variable {options.api_key_env} is not set", param_hint="--api-key-env"
        )
    return key


def _target(options: TuneOptions) -> EvalTarget:
    from benchstudio.toolcall.live.conversation import parse_tool_choice
    from benchstudio.toolcall.live.records import EvalTarget

    assert options.base_url is not None and options.model is not None
    return EvalTarget(
        label=options.model,
        model=options.model,
        base_url=options.base_url,
        protocol=options.protocol,
        provider=options.provider,
        api_key=_api_key(options),
        tool_choice=parse_tool_choice(options.tool_choice),
        system_prompt=options.system_prompt,
        params=dict(options.fixed),
        timeout_s=options.timeout_s,
    )


def _baselines(options: TuneOptions) -> list[Baseline]:
    from benchstudio.tuning.domain.presets import preset_by_id
    from benchstudio.tuning.service.study_types import Baseline

    baselines = [Baseline("baseline_default", "provider defaults", {})]
    preset = preset_by_id(options.vendor_preset) if options.vendor_preset else None
    if preset is not None:
        baselines.append(Baseline("baseline_preset", preset.label, dict(preset.recommended)))
    return baselines


def _estimate(
    options: TuneOptions, target: EvalTarget, suite: Suite, plan: StudyPlan, report: Any
) -> dict[str, Any]:
    """The server's estimate of this study (planned trials, calls, cost at --price-*) and its
    refusals (a budget below one trial), as exit 2."""
    from benchstudio.core.errors import AppError
    from benchstudio.evals.runs.schemas import EvalTargetIn
    from benchstudio.tuning.schemas.runs import BaselineOut, TunerRunCreate
    from benchstudio.tuning.service.estimate import EstimateInputs, estimate

    # A local study has no stored suite, provider or judge model: "local" stands in for their
    # ids (the estimate reads the strategy and the budget).
    judged = options.judge is not None
    objective = {**options.settings["objective"], "judge_model_ref_id": "local" if judged else None}
    data = TunerRunCreate.model_validate(
        {
            "suite_id": "local",
            "target": EvalTargetIn(provider_id="local", model_id=target.model),
            "space": options.space,
            **options.settings,
            "objective": objective,
        }
    )
    baselines = [BaselineOut(kind=b.kind, label=b.label, point=b.point) for b in plan.baselines]
    max_tokens = plan.base_params.get("max_tokens")
    inputs = EstimateInputs(
        data=data,
        suite=suite,
        report=report,
        baselines=baselines,
        price=options.price,
        output_cap=int(max_tokens) if isinstance(max_tokens, int | float) else None,
        concurrency=plan.concurrency,
    )
    try:
        figures = estimate(inputs)
    except AppError as error:
        hint = "--trials/--max-calls/--max-cost"
        raise typer.BadParameter(error.message, param_hint=hint) from None
    if judged:
        figures.warnings.append(JUDGE_WARNING)
    return figures.model_dump(mode="json")


def _plan(
    options: TuneOptions, target: EvalTarget, suite: Suite, concurrency: int, console: Console
) -> tuple[StudyPlan, dict[str, Any]]:
    """The study plan and its estimate as shown (a refused space or budget exits 2)."""
    from benchstudio.tuning.domain.space import SpaceError
    from benchstudio.tuning.service.local_trials import target_base_params
    from benchstudio.tuning.service.space_rules import check_space, provider_rules, space_report
    from benchstudio.tuning.service.study_types import StudyPlan

    registry, model = target.provider_name, target.model
    try:
        report = space_report(options.space.to_domain(), registry, model)
        validated = check_space(options.space.to_domain(), registry, model)
    except SpaceError as error:
        raise typer.BadParameter(str(error), param_hint="--space/--param") from None
    plan = StudyPlan(
        space=validated,
        rules=provider_rules(registry, model),
        base_params=target_base_params(target),
        strategy=strategy_spec(options.settings),
        objective=objective_spec(options.settings),
        stopping=stopping_rules(options.settings),
        budget=study_budget(options.settings),
        concurrency=concurrency,
        cases=len(suite.cases),
        repeats=validated.space.repeats,
        baselines=_baselines(options),
        seed=int(options.settings["strategy"]["seed"]),
    )
    shown = _estimate(options, target, suite, plan, report)
    print_estimate(shown, console)
    return plan, shown


def _run_settings(
    options: TuneOptions,
    suite: Suite,
    target: EvalTarget,
    plan: StudyPlan,
    estimate: dict[str, Any],
) -> dict[str, Any]:
    return {
        "mode": "local",
        "name": options.name or f"{target.model} on {suite.name}",
        "suite_name": suite.name,
        "profile": options.profile,
        "target": {
            "model": target.model,
            "base_url": target.base_url,
            "protocol": target.protocol,
            "provider": target.provider_name,
            "params": dict(target.params),
            "system_prompt": target.system_prompt,
        },
        "space": options.space.model_dump(mode="json"),
        "validated_space": estimate["space"],
        "estimate": estimate,
        **options.settings,
        "vendor_preset_id": options.vendor_preset,
        "concurrency": plan.concurrency,
    }


def _concurrency(options: TuneOptions, target: EvalTarget) -> tuple[int, int]:
    """Trials in parallel and cases per trial: trials x cases stays within the endpoint's
    limit (the eval's default for it), one case per trial at least."""
    from benchstudio.toolcall.live.records import DEFAULT_CONCURRENCY, LOCAL_DEFAULT_CONCURRENCY
    from benchstudio.toolcall.live.runner import is_local_url

    limit = LOCAL_DEFAULT_CONCURRENCY if is_local_url(target.base_url) else DEFAULT_CONCURRENCY
    trials = options.concurrency or limit
    return trials, max(1, limit // trials)


@asynccontextmanager
async def _objective_judge(options: TuneOptions) -> AsyncIterator[JudgeModel | None]:
    """The judge of `--objective judge` (None for the tool-eval objective)."""
    if options.judge is None:
        yield None
        return
    async with open_local_judge(options.judge) as judge:
        yield judge


def _judge_costs(
    judge: JudgeModel | None, suite: Suite, target: EvalTarget
) -> dict[str, float] | None:
    """The judge's expected cost of each case (its price given), admitted with the case."""
    from benchstudio.cli.judge_offline import prompt_body
    from benchstudio.tuning.service.judge_estimate import judge_case_costs

    if judge is None:
        return None
    return judge_case_costs(judge, prompt_body("verdict", None), suite, target.max_tokens)


def _with_trial_cost(
    plan: StudyPlan, estimate: dict[str, Any], judge_costs: dict[str, float] | None
) -> StudyPlan:
    """The plan with a trial's expected cost: the estimate's, plus judging its cases."""
    import dataclasses

    model = estimate.get("cost_per_trial_usd")
    judged = sum(judge_costs.values()) * plan.repeats if judge_costs else 0.0
    expected = (model if isinstance(model, int | float) else 0.0) + judged
    return dataclasses.replace(plan, trial_cost_usd=expected if expected > 0 else None)


def _scored_by(
    evaluator: LocalTrialEvaluator, judge: JudgeModel | None, options: TuneOptions, limit: int
) -> TrialEvaluator:
    """The evaluator as the objective scores it: the judge's verdicts or the tool eval's.
    `limit` is the study's requests in flight (trials x cases)."""
    from benchstudio.cli.judge_offline import prompt_body
    from benchstudio.tuning.service.local_judging import JudgedTrialEvaluator

    if judge is None or options.judge is None:
        return evaluator
    concurrency = judge_concurrency(options.judge, evaluator.target.base_url, limit)
    body = prompt_body("verdict", None)  # the built-in verdict prompt, as the server's
    return JudgedTrialEvaluator(evaluator, judge, body, concurrency=concurrency)


def _progress(console: Console) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("best {task.fields[best]} · {task.fields[calls]} calls"),
    )
    return Progress(*columns, console=console)


async def _study(options: TuneOptions, console: Console, err_console: Console) -> int:
    from benchstudio.cli.eval_semantic import SemanticOptions, semantic_prepass
    from benchstudio.core.clock import utcnow
    from benchstudio.core.ids import new_id
    from benchstudio.core.net import EgressPolicy
    from benchstudio.providers.retry import RetryPolicy
    from benchstudio.toolcall.live.connect import guarded_adapters
    from benchstudio.toolcall.profiles import get_profile
    from benchstudio.tuning.service.local_trials import LocalTrialEvaluator
    from benchstudio.tuning.service.study_loop import run_study

    assert options.suite is not None
    suite = _load_suite(options.suite)
    if not _placeholders_accepted(suite, options, err_console):
        err_console.print("Not run.")
        return EXIT_FAILED
    target = _target(options)
    trials_at_once, cases_at_once = _concurrency(options, target)
    plan, estimate = _plan(options, target, suite, trials_at_once, err_console)
    run_id, started_at = new_id(), utcnow()
    cancel = asyncio.Event()
    loop = asyncio.get_running_loop()

    def interrupt() -> None:
        # The first Ctrl-C ends the study after the running cases; a second one aborts.
        err_console.print("[yellow]Stopping: finishing the cases in flight (Ctrl-C aborts)[/]")
        cancel.set()
        loop.remove_signal_handler(signal.SIGINT)

    loop.add_signal_handler(signal.SIGINT, interrupt)
    semantic = options.semantic or SemanticOptions("embeddings", None, None, None, 0.5)
    try:
        async with (
            guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for,
            semantic_prepass(suite, options.profile, semantic, err_console) as prepass,
            _objective_judge(options) as judge,
        ):
            judge_costs = _judge_costs(judge, suite, target)
            plan = _with_trial_cost(plan, estimate, judge_costs)
            local = LocalTrialEvaluator(
                suite,
                target,
                get_profile(options.profile),
                adapter_for,
                metric=plan.objective.metric,
                price=options.price,
                case_concurrency=cases_at_once,
                retry_policy=RetryPolicy(max_attempts=options.attempts),
                semantic=prepass,
                judge_case_costs=judge_costs,
            )
            evaluator = _scored_by(local, judge, options, trials_at_once * cases_at_once)
            with _progress(err_console) as progress:
                total = estimate["planned_trials"]
                task = progress.add_task("starting", total=total, best="–", calls=0)
                sink = ProgressSink(progress, task)
                outcome = await run_study(plan, evaluator, sink, cancel=cancel)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
    run = _run_settings(options, suite, target, plan, estimate)
    run.update(id=run_id, started_at=started_at.isoformat(), finished_at=utcnow().isoformat())
    described = options.judge.describe() if options.judge else None
    data = local_results(run, outcome, plan.objective, plan.space.space, run_id, described)
    return finish(data, options.output, console)


def tune_locally(options: TuneOptions, console: Console, err_console: Console) -> int:
    try:
        return asyncio.run(_study(options, console, err_console))
    except KeyboardInterrupt:
        err_console.print("[yellow]Aborted: nothing was written.[/]")
        return EXIT_INTERRUPTED
