"""Hypothesis strategies and the example budget shared by the parser fuzz tests.

Every fuzz test takes its example count from `fuzz_settings(default)`: the default keeps all of
them together under a minute in `make test`; `BENCHSTUDIO_FUZZ_EXAMPLES` (set by
`benchmarks/fuzz_parsers.py`) replaces it for long runs.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES_ENV = "BENCHSTUDIO_FUZZ_EXAMPLES"


def fuzz_settings(default: int) -> settings:
    """The per-test budget: `default` examples, or the long-run count from the environment."""
    override = os.environ.get(EXAMPLES_ENV)
    return settings(
        max_examples=int(override) if override else default,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=12)
)
# Any JSON value (NaN and ±inf included: `json.dumps` writes them, lenient parsers read them).
json_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=16,
)
# Values a field of a valid document is swapped for: any JSON, plus the usual troublemakers.
odd_values: st.SearchStrategy[Any] = (
    json_values
    | st.sampled_from([float("nan"), float("inf"), 10**30, -1, 2**31, "", "\x00", [], {}, True])
    | st.integers(min_value=1, max_value=200).map(lambda depth: _nested(depth))
    | st.text(min_size=1, max_size=3).map(lambda s: s * 5000)
)


def _nested(depth: int) -> Any:
    value: Any = 0
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def deep_json(depth: int) -> bytes:
    """A JSON array nested `depth` deep, beyond what a recursive parser survives."""
    return b"[" * depth + b"]" * depth


def _slots(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside `doc` (the root is `()`)."""
    found = [path]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _slots(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += _slots(value, (*path, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, doc: Any, max_changes: int = 3) -> Any:
    """`doc` with a few values deleted, retyped (NaN, huge, deep, any JSON) or wrapped."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        path = draw(st.sampled_from(_slots(doc)))
        if not path:
            doc = draw(odd_values)
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        action = draw(st.sampled_from(["delete", "retype", "retype", "wrap"]))
        if action == "delete":
            del parent[key]
        elif action == "retype":
            parent[key] = draw(odd_values)
        else:
            parent[key] = draw(st.sampled_from([[parent[key]], {"x": parent[key]}]))
        if not isinstance(doc, (dict, list)):
            break
    return doc


def dumps(value: Any) -> str:
    """JSON text as a sloppy server would write it (NaN and Infinity allowed)."""
    return json.dumps(value, allow_nan=True)
