"""How `benchstudio experiment` prints an experiment: the list, the detail (baseline and best,
best vs baseline with its interval and test, the results on the experiment's scale and those
shown apart), and a re-run's score against the best it confirmed."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

TESTS = {"mcnemar_exact": "McNemar exact, paired by case", "two_proportion_z": "two-proportion z"}


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _points(value: float) -> str:
    return f"{100 * value:+.1f} points"


def _score(result: dict[str, Any]) -> str:
    if result.get("score") is None:
        return "–"
    counts = f" ({result['passed']}/{result['total']})" if result.get("total") else ""
    return percent(result["score"]) + counts


def print_list(page: dict[str, Any], console: Console) -> None:
    items = page["items"]
    if not items:
        console.print("No experiments. Create one with `benchstudio experiment create`.")
        return
    table = Table("id", "name", "suite", "profile", "runs", "baseline", "best")
    for e in items:
        name = escape(e["name"]) + (" [dim](archived)[/]" if e["archived"] else "")
        suite = f"{escape(e['suite_name'])} v{e['suite_version']}"
        table.add_row(
            e["id"], name, suite, e["profile"], str(e["run_count"]),
            percent(e["baseline_score"]), percent(e["best_score"]),
        )  # fmt: skip
    console.print(table)
    shown = page["offset"] + len(items)
    if shown < page["total"]:
        console.print(f"[dim]{shown} of {page['total']}; more with --offset {shown}[/]")


def print_header(detail: dict[str, Any], console: Console, verb: str = "Experiment") -> None:
    archived = " [dim](archived)[/]" if detail["archived"] else ""
    console.print(
        f"{verb} [bold]{escape(detail['name'])}[/] (id {detail['id']}){archived} · suite "
        f"{escape(detail['suite_name'])} v{detail['suite_version']} · profile {detail['profile']}"
    )
    if detail["description"]:
        console.print(escape(detail["description"]))
    models = ", ".join(f"{escape(m['label'])} ({escape(m['model_id'])})" for m in detail["models"])
    console.print(f"models: {models}")


def _marked(results: list[dict[str, Any]], flag: str) -> dict[str, Any] | None:
    return next((r for r in results if r[flag]), None)


def print_cards(detail: dict[str, Any], console: Console) -> None:
    results = detail.get("results") or []
    baseline, best = _marked(results, "is_baseline"), _marked(results, "is_best")
    how = "chosen" if detail["baseline_chosen"] else "the first finished run"
    if baseline is None:
        console.print("baseline: none yet (file a finished eval run on this scale)")
    else:
        console.print(f"baseline: {escape(baseline['label'])} {_score(baseline)} [dim]({how})[/]")
    if best is not None:
        console.print(f"best:     {escape(best['label'])} {_score(best)}")
    comparison = detail.get("comparison")
    if comparison is None or comparison.get("difference") is None:
        if baseline is not None and best is not None:
            console.print("best vs baseline: the baseline is the best so far")
        return
    ci = comparison.get("ci95")
    span = f", 95% CI {_points(ci[0])} to {_points(ci[1])}" if ci else ""
    p_value = comparison.get("p_value")
    p_text = "–" if p_value is None else f"{p_value:.3g}"
    verdict = "significant" if comparison["significant"] else "not significant"
    console.print(
        f"best vs baseline: {_points(comparison['difference'])}{span}; "
        f"{TESTS.get(comparison['test'], comparison['test'])} p = {p_text} ({verdict} at 5%)"
    )
    if comparison.get("note"):
        console.print(f"[yellow]note:[/] {escape(comparison['note'])}")


def _results_table(title: str, rows: list[dict[str, Any]], *, on_scale: bool) -> Table:
    table = Table(title=title)
    for name in ("when", "kind", "result", "status", "score", "id"):
        table.add_column(name, justify="right" if name == "score" else "left")
    table.add_column("" if on_scale else "why apart")
    for r in rows:
        marks = " ".join(m for m, f in (("baseline", "is_baseline"), ("best", "is_best")) if r[f])
        note = marks if on_scale else escape(r.get("off_scale_reason") or "")
        table.add_row(
            str(r["at"])[:19].replace("T", " "), r["kind"], escape(r["label"]), r["status"],
            _score(r), r["ref_id"], note,
        )  # fmt: skip
    return table


def print_detail(detail: dict[str, Any], console: Console) -> None:
    print_header(detail, console)
    print_cards(detail, console)
    results = detail.get("results") or []
    if not results:
        console.print(
            "No runs filed yet: `benchstudio eval run --server URL --experiment "
            f"{detail['id']}`, or `benchstudio experiment file {detail['id']} --eval RUN_ID`."
        )
        return
    on_scale = [r for r in results if r["on_scale"]]
    apart = [r for r in results if not r["on_scale"]]
    if on_scale:
        console.print(_results_table("on this experiment's scale", on_scale, on_scale=True))
    if apart:
        console.print(_results_table("shown apart (never baseline or best)", apart, on_scale=False))


def rerun_result(detail: dict[str, Any], run_id: str) -> dict[str, Any] | None:
    """The re-run's result in the experiment (one target: the best's configuration)."""
    return next((r for r in detail.get("results") or [] if r.get("eval_run_id") == run_id), None)


def print_rerun(best: dict[str, Any], new: dict[str, Any] | None, console: Console) -> None:
    if new is None or new.get("score") is None:
        console.print(f"The re-run has no score (best stays {_score(best)}).")
        return
    change = new["score"] - best["score"]
    console.print(
        f"re-run {escape(new['label'])}: {_score(new)} vs best {_score(best)} ({_points(change)})"
    )
