"""`benchstudio suite import-bfcl` and `benchstudio eval score`, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from benchstudio.cli.main import app

RUNNER = CliRunner()
QUESTIONS = [
    {
        "id": "simple_python_1",
        "question": [[{"role": "user", "content": "5!"}]],
        "function": [
            {
                "name": "math.factorial",
                "description": "n!",
                "parameters": {
                    "type": "dict",
                    "properties": {"number": {"type": "integer", "description": "n"}},
                    "required": ["number"],
                },
            }
        ],
    },
    {
        "id": "irrelevance_1",
        "question": [[{"role": "user", "content": "Hi"}]],
        "function": [
            {
                "name": "get_time",
                "description": "Time.",
                "parameters": {"type": "dict", "properties": {}, "required": []},
            }
        ],
    },
]
ANSWERS = [{"id": "simple_python_1", "ground_truth": [{"math.factorial": {"number": [5]}}]}]


def write_lines(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_import_then_score_offline(tmp_path: Path) -> None:
    questions = write_lines(tmp_path / "q.json", QUESTIONS)
    answers = write_lines(tmp_path / "a.json", ANSWERS)
    suite = tmp_path / "suite.json"
    imported = RUNNER.invoke(
        app,
        [
            "suite",
            "import-bfcl",
            "--questions",
            str(questions),
            "--answers",
            str(answers),
            "--output",
            str(suite),
        ],
    )
    assert imported.exit_code == 0, imported.output
    assert "2 cases (1 irrelevance)" in imported.output

    outputs = write_lines(
        tmp_path / "outputs.jsonl",
        [
            {
                "case_id": "simple_python_1",
                "content": None,
                "tool_calls": [{"name": "math_factorial", "arguments": '{"number": 5}'}],
            },
            {
                "case_id": "irrelevance_1",
                "tool_calls": [{"name": "get_time", "arguments": "{}"}],
                "content": None,
            },
        ],
    )
    verdict_file = tmp_path / "verdicts.jsonl"
    scored = RUNNER.invoke(
        app,
        [
            "eval",
            "score",
            "--suite",
            str(suite),
            "--outputs",
            str(outputs),
            "--profile",
            "bfcl",
            "--output",
            str(verdict_file),
        ],
    )
    assert scored.exit_code == 0, scored.output
    assert "50.0% (1/2)" in scored.output
    assert "unwanted_call" in scored.output
    verdicts = [json.loads(line) for line in verdict_file.read_text().splitlines()]
    assert [(v["case_id"], v["pass"]) for v in verdicts] == [
        ("simple_python_1", True),
        ("irrelevance_1", False),
    ]
    for verdict in verdicts:
        assert {
            "case_id",
            "pass",
            "tool_selection_f1",
            "argument_accuracy",
            "error_category",
        } <= set(verdict)


def test_missing_outputs_count_as_failures_and_bad_input_exits_1(tmp_path: Path) -> None:
    suite = tmp_path / "suite.json"
    assert RUNNER.invoke(app, ["suite", "sample", "--output", str(suite)]).exit_code == 0
    assert RUNNER.invoke(app, ["suite", "validate", str(suite)]).exit_code == 0
    empty = write_lines(tmp_path / "none.jsonl", [])
    scored = RUNNER.invoke(app, ["eval", "score", "--suite", str(suite), "--outputs", str(empty)])
    assert scored.exit_code == 0
    assert "0.0% (0/8)" in scored.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n")
    failed = RUNNER.invoke(app, ["eval", "score", "--suite", str(suite), "--outputs", str(broken)])
    assert failed.exit_code == 1
    bad_profile = RUNNER.invoke(
        app, ["eval", "score", "--suite", str(suite), "--outputs", str(empty), "--profile", "loose"]
    )
    assert bad_profile.exit_code == 1


def test_eval_run_refuses_a_missing_suite_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    result = RUNNER.invoke(
        app,
        [
            "eval",
            "run",
            "--suite",
            str(missing),
            "--base-url",
            "http://127.0.0.1:9",
            "--model",
            "m",
        ],
    )
    assert result.exit_code == 2  # a usage error from the option parser: nothing was sent
