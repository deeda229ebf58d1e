"""`benchstudio prompt list|show|create|new-version|diff|copy|delete --server`: the prompt
library from the command line, texts from files or standard input, `--output json`, and
refusals (a built-in is read-only, an unknown id) as exit code 1 with the server's words."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli_server_records import _cli, _token, server_url

__all__ = ["server_url"]  # the fixture, imported for this module's tests


def test_the_prompt_commands_round_trip(server_url: str, tmp_path: Path) -> None:
    token = _token(server_url, "cli-prompts@example.com")
    server = ["--server", server_url]
    first = tmp_path / "v1.txt"
    first.write_text("You are terse.\nAnswer in {language}.\n", encoding="utf-8")
    created = _cli(token, tmp_path, "prompt", "create", "--name", "Terse", "--kind",
                   "system", "--body-file", str(first), "-t", "style", *server,
                   "--output", "json")  # fmt: skip
    assert created.returncode == 0, created.stderr
    entry = json.loads(created.stdout)
    assert (entry["latest_version"], entry["tags"], entry["placeholders"]) == (
        1,
        ["style"],
        ["language"],
    )

    # The second version from standard input.
    second = _cli(token, tmp_path, "prompt", "new-version", entry["id"], "--body-file", "-",
                  "--note", "lists", *server, stdin="You are terse.\nNo lists.\n")  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert "version 2" in second.stdout

    diff = _cli(token, tmp_path, "prompt", "diff", entry["id"], *server)
    assert diff.returncode == 0, diff.stderr
    assert "-Answer in {language}." in diff.stdout and "+No lists." in diff.stdout
    as_json = _cli(token, tmp_path, "prompt", "diff", entry["id"], "--from", "2", "--to", "2",
                   *server, "--output", "json")  # fmt: skip
    assert json.loads(as_json.stdout)["unified"] == ""

    listed = _cli(token, tmp_path, "prompt", "list", "--kind", "system", *server, "--output",
                  "json")  # fmt: skip
    assert [e["id"] for e in json.loads(listed.stdout)] == [entry["id"]]
    table = _cli(token, tmp_path, "prompt", "list", *server)
    assert "builtin-judge-verdict" in table.stdout and "Terse" in table.stdout

    shown = _cli(token, tmp_path, "prompt", "show", entry["id"], "--version", "1", *server)
    assert shown.returncode == 0, shown.stderr
    assert "Answer in {language}." in shown.stdout and "placeholders: {language}" in shown.stdout

    copied = _cli(token, tmp_path, "prompt", "copy", "builtin-judge-verdict", "--name",
                  "My judge", *server, "--output", "json")  # fmt: skip
    assert copied.returncode == 0, copied.stderr
    copy = json.loads(copied.stdout)
    assert (copy["name"], copy["copied_from"], copy["kind"]) == (
        "My judge",
        "builtin-judge-verdict",
        "judge",
    )
    assert "judge_verdict" in copy["latest"]["body"]

    read_only = _cli(token, tmp_path, "prompt", "new-version", "builtin-judge-verdict",
                     "--body-file", str(first), *server)  # fmt: skip
    assert read_only.returncode == 1
    assert "read-only" in read_only.stderr

    deleted = _cli(token, tmp_path, "prompt", "delete", entry["id"], *server)
    assert deleted.returncode == 0, deleted.stderr
    gone = _cli(token, tmp_path, "prompt", "show", entry["id"], *server)
    assert gone.returncode == 1 and "No such prompt" in gone.stderr
