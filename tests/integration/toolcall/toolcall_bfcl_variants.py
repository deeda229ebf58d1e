"""Model outputs for BFCL entries: the gold answer and many kinds of wrong (or oddly right) ones.

Each output is OpenAI-shaped: {"tool_calls": [{"name", "arguments": "<JSON>"}], "content"}.
Generation is deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
from typing import Any

Call = tuple[str, dict[str, Any]]
Output = dict[str, Any]


def _pick(acceptable: list[Any], rng: random.Random, prefer_first: bool) -> Any:
    values = [value for value in acceptable if value != ""]
    if not values:
        return None
    return values[0] if prefer_first else rng.choice(values)


def _gold_value(acceptable: list[Any], rng: random.Random, prefer_first: bool) -> Any:
    value = _pick(acceptable, rng, prefer_first)
    if isinstance(value, dict):  # a dict of acceptable lists: build one concrete dict
        built = {}
        for key, inner in value.items():
            inner_list = inner if isinstance(inner, list) else [inner]
            if "" in inner_list and rng.random() < 0.3:
                continue
            if any(v != "" for v in inner_list):
                built[key] = _pick(inner_list, rng, prefer_first)
        return built
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_gold_value([element], rng, prefer_first) for element in value]
    return value


def gold_calls(ground_truth: list[dict[str, Any]], rng: random.Random, first: bool) -> list[Call]:
    calls = []
    for call in ground_truth:
        ((name, params),) = call.items()
        arguments = {}
        for param, acceptable in params.items():
            omittable = "" in acceptable
            if omittable and (not first and rng.random() < 0.5):
                continue
            value = _gold_value(acceptable, rng, first)
            if value is None and omittable:
                continue
            arguments[param] = value
        calls.append((name.replace(".", "_"), arguments))
    return calls


def as_output(calls: list[Call], dotted: dict[str, str] | None = None) -> Output:
    names = dotted or {}
    return {
        "tool_calls": [
            {"name": names.get(name, name), "arguments": json.dumps(arguments)}
            for name, arguments in calls
        ],
        "content": None,
    }


def _mutate_value(value: Any, rng: random.Random) -> list[Any]:
    """Plausible wrong (and some right-by-normalisation) versions of one value."""
    if isinstance(value, bool):
        return [not value, int(value), str(value).lower()]
    if isinstance(value, int):
        return [value + 1, float(value), str(value), -value, True]
    if isinstance(value, float):
        return [value + 0.5, int(value), str(value), value * (1 + 1e-9)]
    if isinstance(value, str):
        variants = [value + " extra", value.upper(), value.replace(" ", "-"), value + ".", ""]
        variants += [value + "!", " " + value, value.replace(" ", "")]
        return [*variants, [value], 5]
    if isinstance(value, list):
        variants: list[Any] = [
            list(reversed(value)),
            value[:-1],
            [*value, value[0]] if value else [1],
        ]
        variants += [[str(v) for v in value], json.dumps(value)]
        if value and isinstance(value[0], int | float) and not isinstance(value[0], bool):
            variants.append([float(v) for v in value])
            variants.append([int(v) for v in value])
        return variants
    if isinstance(value, dict):
        variants = [{**value, "unexpected_key": "x"}]
        if value:
            key = rng.choice(sorted(value))
            variants.append({k: v for k, v in value.items() if k != key})
            variants.append({**value, key: "changed"})
        return [*variants, json.dumps(value), [value]]
    return ["text", 0]


def _with(calls: list[Call], index: int, arguments: dict[str, Any]) -> list[Call]:
    changed = list(calls)
    changed[index] = (calls[index][0], arguments)
    return changed


def _argument_variants(calls: list[Call], docs: list[dict[str, Any]], rng: random.Random):
    index = rng.randrange(len(calls))
    name, arguments = calls[index]
    doc = next((d for d in docs if d["name"].replace(".", "_") == name), None)
    properties = (doc or {}).get("parameters", {}).get("properties", {})
    required = (doc or {}).get("parameters", {}).get("required", [])
    for param in list(arguments):
        for value in _mutate_value(arguments[param], rng):
            yield _with(calls, index, {**arguments, param: value})
        yield _with(calls, index, {k: v for k, v in arguments.items() if k != param})
    for param in properties:
        if param not in arguments:
            default = properties[param].get("default", "value")
            yield _with(calls, index, {**arguments, param: default})
    yield _with(calls, index, {**arguments, "unexpected_param": 1})
    yield _with(calls, index, {k: v for k, v in arguments.items() if k in required})
    yield _with(calls, index, {})


def ast_variants(entry: dict[str, Any], answer: dict[str, Any], seed: int) -> list[Output]:
    rng = random.Random(f"{seed}:{entry['id']}")
    docs = entry["function"]
    truth = answer["ground_truth"]
    gold = gold_calls(truth, rng, first=True)
    outputs = [as_output(gold), as_output(gold_calls(truth, rng, first=False))]
    dotted = {d["name"].replace(".", "_"): d["name"] for d in docs if "." in d["name"]}
    if dotted:
        outputs.append(as_output(gold, dotted))
    shuffled = list(gold)
    rng.shuffle(shuffled)
    outputs += [as_output(shuffled), as_output(gold[:-1]), as_output([*gold, gold[0]])]
    outputs.append(as_output(list(reversed(gold))))
    other = [d["name"].replace(".", "_") for d in docs if d["name"].replace(".", "_") != gold[0][0]]
    for wrong_name in [*other[:2], "nonexistent_tool", gold[0][0].upper()]:
        outputs.append(as_output([(wrong_name, gold[0][1]), *gold[1:]]))
    outputs += [as_output(calls) for calls in _argument_variants(gold, docs, rng)]
    outputs += _format_variants(gold)
    return outputs


def _format_variants(gold: list[Call]) -> list[Output]:
    first = gold[0][0] if gold else "tool"
    arguments = json.dumps(gold[0][1]) if gold else "{}"
    return [
        {"tool_calls": [], "content": "I cannot help with that."},
        {"tool_calls": [], "content": ""},
        {"tool_calls": [], "content": None},
        {"tool_calls": [], "content": json.dumps([{first: gold[0][1] if gold else {}}])},
        {"tool_calls": [{"name": first, "arguments": arguments[:-1]}], "content": None},
        {"tool_calls": [{"name": first, "arguments": "[1, 2]"}], "content": None},
        {"tool_calls": [{"name": first, "arguments": ""}], "content": None},
        {"tool_calls": [{"name": first, "arguments": "null"}], "content": None},
    ]


def relevance_variants(entry: dict[str, Any], seed: int) -> list[Output]:
    rng = random.Random(f"{seed}:{entry['id']}")
    docs = entry["function"]
    name = rng.choice(docs)["name"].replace(".", "_") if docs else "tool"
    required = (docs[0].get("parameters", {}).get("required", []) if docs else [])[:1]
    return [
        {"tool_calls": [], "content": "That is not something these tools can do."},
        {"tool_calls": [], "content": ""},
        {"tool_calls": [{"name": name, "arguments": "{}"}], "content": None},
        {"tool_calls": [{"name": name, "arguments": json.dumps(dict.fromkeys(required, "x"))}]},
        {"tool_calls": [{"name": name, "arguments": "{not json"}], "content": None},
        {"tool_calls": [{"name": name, "arguments": "[1]"}], "content": None},
        {"tool_calls": [{"name": "made_up", "arguments": "{}"}], "content": None},
        {"tool_calls": [{"name": name, "arguments": "{}"}, {"name": name, "arguments": "5"}]},
    ]


def bfcl_model_result(output: Output) -> Any:
    """What BFCL's OpenAI FC handler stores for this response."""
    if output.get("tool_calls"):
        return [{call["name"]: call["arguments"]} for call in output["tool_calls"]]
    return output.get("content")
