"""Provider parameter registry: turn requested parameters into what a provider accepts.

Data-driven (`data/params.yaml`). `resolve_params` returns the effective wire parameters and
every adjustment made (clamp, drop, rename, warn) with a reason the UI and CLI show before a
run. Unknown providers get OpenAI's table plus a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from benchstudio.providers.base import ChatRequest

Action = Literal["clamp", "drop", "rename", "warn"]
# Parameters that are fields of the request itself (`request_field: true` in the tables).
REQUEST_FIELDS = ("tool_choice",)
_TYPE_CHECKS: dict[str, tuple[type, ...]] = {
    "float": (int, float),
    "int": (int,),
    "str": (str,),
    "bool": (bool,),
    "list": (list, tuple, str),
    "object": (dict,),
}


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One change made to the requested parameters, shown to the user before a run."""

    param: str
    action: Action
    reason: str
    original: Any = None
    value: Any = None


@dataclass(slots=True)
class EffectiveParams:
    """Parameters as they will be sent (wire names), plus what was changed and why."""

    params: dict[str, Any]
    adjustments: list[Adjustment] = field(default_factory=list)

    def fingerprint(self) -> str:
        """Stable key: two combos with the same fingerprint send the same request (1 and 1.0
        are one value: a clamp to a table's whole-number bound must match the float sent)."""
        return json.dumps(_canonical(self.params), sort_keys=True, default=str)


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter of a provider table. `nest` sends the value inside an object on the wire
    (path of keys, `nest_with` the object's fixed members: Anthropic's reasoning budget is
    `thinking: {type: enabled, budget_tokens: N}`); `below` names a parameter that must stay
    above the value (raised by its default when not); `request_field` marks a field of the
    request itself (`ChatRequest.tool_choice`) that each adapter translates, not a body key;
    `note` explains why a value outside `choices` is refused."""

    type: str = "float"
    min: float | None = None
    max: float | None = None
    default: Any = None
    choices: tuple[Any, ...] | None = None
    rename: str | None = None
    required: bool = False
    nest: tuple[str, ...] | None = None
    nest_with: tuple[tuple[str, Any], ...] = ()
    below: str | None = None
    request_field: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """Overrides for a model family (regex) or for when a parameter is set."""

    reason: str
    match: re.Pattern[str] | None = None
    drop: frozenset[str] = frozenset()
    fixed: Mapping[str, Any] = field(default_factory=dict)
    rename: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, ParamSpec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Conflict:
    params: tuple[str, str]
    drop: str
    reason: str


@dataclass(frozen=True, slots=True)
class ProviderParams:
    name: str
    params: Mapping[str, ParamSpec]
    model_rules: tuple[Rule, ...] = ()
    when_set: Mapping[str, Rule] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()


def _spec(raw: Mapping[str, Any]) -> ParamSpec:
    choices = raw.get("choices")
    return ParamSpec(
        type=raw.get("type", "float"),
        min=raw.get("min"),
        max=raw.get("max"),
        default=raw.get("default"),
        choices=tuple(choices) if choices is not None else None,
        rename=raw.get("rename"),
        required=bool(raw.get("required", False)),
        nest=tuple(raw["nest"]) if raw.get("nest") else None,
        nest_with=tuple((raw.get("nest_with") or {}).items()),
        below=raw.get("below"),
        request_field=bool(raw.get("request_field", False)),
        note=raw.get("note"),
    )


def _rule(raw: Mapping[str, Any]) -> Rule:
    match = raw.get("match")
    return Rule(
        reason=str(raw.get("reason", "")),
        match=re.compile(match) if match else None,
        drop=frozenset(raw.get("drop") or ()),
        fixed=dict(raw.get("fixed") or {}),
        rename=dict(raw.get("rename") or {}),
        params={k: _spec(v) for k, v in (raw.get("params") or {}).items()},
    )


@dataclass(frozen=True, slots=True)
class ParamRegistry:
    as_of: str
    providers: Mapping[str, ProviderParams]
    default_provider: str

    def for_provider(self, provider: str) -> tuple[ProviderParams, bool]:
        """The table for `provider` and whether it is known."""
        known = self.providers.get(provider.lower())
        return (known, True) if known else (self.providers[self.default_provider], False)


@lru_cache(maxsize=1)
def load_registry() -> ParamRegistry:
    """Parse the bundled registry once per process."""
    text = resources.files("benchstudio.providers").joinpath("data/params.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    providers = {
        name: ProviderParams(
            name=name,
            params={k: _spec(v) for k, v in body["params"].items()},
            model_rules=tuple(_rule(r) for r in body.get("model_rules") or ()),
            when_set={k: _rule(v) for k, v in (body.get("when_set") or {}).items()},
            conflicts=tuple(
                Conflict((c["params"][0], c["params"][1]), c["drop"], c["reason"])
                for c in body.get("conflicts") or ()
            ),
        )
        for name, body in data["providers"].items()
    }
    return ParamRegistry(str(data["as_of"]), providers, data["default_provider"])


def supported_providers() -> list[str]:
    return sorted(load_registry().providers)


def parameter_specs(provider: str, model: str) -> dict[str, ParamSpec]:
    """Effective specs for a model (model-family overrides applied), e.g. for tuner ranges."""
    table, _ = load_registry().for_provider(provider)
    specs = dict(table.params)
    for rule in _matching_rules(table, model):
        specs.update(rule.params)
        for name in rule.drop | set(rule.fixed):
            specs.pop(name, None)
    return specs


def _matching_rules(table: ProviderParams, model: str) -> list[Rule]:
    lowered = model.lower()
    return [r for r in table.model_rules if r.match is not None and r.match.search(lowered)]


def _range_text(spec: ParamSpec) -> str:
    if spec.max is None:
        return f"must be at least {spec.min}"
    if spec.min is None:
        return f"must be at most {spec.max}"
    return f"allowed range is {spec.min} to {spec.max}"


def _check_value(name: str, value: Any, spec: ParamSpec, out: list[Adjustment]) -> Any:
    """The value to send (clamped), or None when it must be dropped."""
    allowed = _TYPE_CHECKS.get(spec.type, (object,))
    one_of = f"must be one of {', '.join(map(str, spec.choices))}" if spec.choices else ""
    if not isinstance(value, allowed) or (spec.type != "bool" and isinstance(value, bool)):
        out.append(Adjustment(name, "drop", one_of or f"expected {spec.type}", original=value))
        return None
    if spec.choices is not None and value not in spec.choices:
        reason = f"{spec.note} ({one_of})" if spec.note else one_of
        out.append(Adjustment(name, "drop", reason, original=value))
        return None
    if spec.type in ("float", "int"):
        given: Any = value  # isinstance() above narrowed it to object
        number = float(given)
        clamped: float | int = number
        if spec.min is not None:  # each bound on its own: a one-sided range clamps too
            clamped = max(clamped, spec.min)
        if spec.max is not None:
            clamped = min(clamped, spec.max)
        if spec.type == "int":
            clamped = int(clamped)
        elif clamped == number:
            clamped = given  # keep the caller's int-vs-float spelling when unchanged
        if clamped != value:
            out.append(Adjustment(name, "clamp", _range_text(spec), original=value, value=clamped))
        return clamped
    return value


@dataclass(slots=True)
class _Overrides:
    specs: dict[str, ParamSpec]
    drops: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, tuple[Any, str]] = field(default_factory=dict)
    renames: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, rule: Rule) -> None:
        self.specs.update(rule.params)
        self.drops.update(dict.fromkeys(rule.drop, rule.reason))
        self.fixed.update({k: (v, rule.reason) for k, v in rule.fixed.items()})
        self.renames.update({k: (v, rule.reason) for k, v in rule.rename.items()})


def _overrides_for(table: ProviderParams, model: str, values: Mapping[str, Any]) -> _Overrides:
    overrides = _Overrides(dict(table.params))
    for rule in _matching_rules(table, model):
        overrides.add(rule)
    for name, rule in table.when_set.items():
        if name in values and name not in overrides.drops:
            overrides.add(rule)
    return overrides


def _resolve_one(
    name: str, value: Any, rules: _Overrides, known: bool, provider: str, out: list[Adjustment]
) -> tuple[str, Any] | None:
    """(wire name, value) for one requested parameter, or None when dropped."""
    if name in rules.drops:
        out.append(Adjustment(name, "drop", rules.drops[name], original=value))
        return None
    if name in rules.fixed:
        fixed_value, reason = rules.fixed[name]
        if value != fixed_value:
            out.append(Adjustment(name, "drop", f"{reason} (fixed at {fixed_value})", value))
            return None
    spec = rules.specs.get(name)
    if spec is None:
        if known:
            out.append(Adjustment(name, "drop", f"not supported by {provider}", original=value))
            return None
        out.append(Adjustment(name, "warn", "unknown parameter passed through unchecked", value))
        return name, value
    checked = _check_value(name, value, spec, out)
    if checked is None:
        return None
    if spec.nest is not None:
        path = ".".join(spec.nest)
        out.append(Adjustment(name, "rename", f"{provider} sends it as {path}", name, path))
        return name, checked  # placed at its path by _wire_params
    wire = spec.rename
    reason = f"{provider} calls it {wire}"
    if name in rules.renames:
        wire = rules.renames[name][0]
        reason = f"this model expects {wire}"
    if wire and wire != name:
        out.append(Adjustment(name, "rename", reason, original=name, value=wire))
        return wire, checked
    return name, checked


def _kept_params(
    provider: str, model: str, requested: Mapping[str, Any], adjustments: list[Adjustment]
) -> tuple[ProviderParams, _Overrides, dict[str, tuple[str, Any]]]:
    """The requested parameters that stay, by caller name: (wire name, checked value)."""
    table, known = load_registry().for_provider(provider)
    if not known:
        reason = f"unknown provider {provider!r}: OpenAI-compatible parameter rules assumed"
        adjustments.append(Adjustment("*", "warn", reason))
    values = {k: v for k, v in requested.items() if v is not None}
    rules = _overrides_for(table, model, values)
    kept: dict[str, tuple[str, Any]] = {}
    for name in sorted(values):
        resolved = _resolve_one(name, values[name], rules, known, table.name, adjustments)
        if resolved is not None:
            kept[name] = resolved
    for conflict in table.conflicts:
        if all(p in kept for p in conflict.params):
            _, dropped_value = kept.pop(conflict.drop)
            adjustments.append(Adjustment(conflict.drop, "drop", conflict.reason, dropped_value))
    return table, rules, kept


def resolve_caller_params(
    provider: str, model: str, requested: Mapping[str, Any]
) -> dict[str, Any]:
    """What `resolve_params` would send, under the caller's own names (clamped, with drops and
    conflicts applied, but neither renamed, nested nor completed with required defaults): the
    form a parameter set holds, valid for the same provider and model."""
    _, _, kept = _kept_params(provider, model, requested, [])
    return {name: value for name, (_, value) in kept.items()}


def resolve_params(provider: str, model: str, requested: Mapping[str, Any]) -> EffectiveParams:
    """Effective wire parameters for `model` on `provider`, with every adjustment explained."""
    adjustments: list[Adjustment] = []
    table, rules, kept = _kept_params(provider, model, requested, adjustments)
    for name, spec in rules.specs.items():
        if spec.required and name not in kept and spec.default is not None:
            kept[name] = (spec.rename or name, spec.default)
            reason = f"required by {table.name}; default {spec.default} used"
            adjustments.append(Adjustment(name, "warn", reason, value=spec.default))
    _raise_above(kept, rules.specs, adjustments)
    return EffectiveParams(_wire_params(kept, rules.specs), adjustments)


def _raise_above(
    kept: dict[str, tuple[str, Any]], specs: Mapping[str, ParamSpec], out: list[Adjustment]
) -> None:
    """A value that must stay below another sent parameter (Anthropic's thinking budget below
    max_tokens) raises that parameter to the value plus its default (room for the answer)."""
    for name, spec in specs.items():
        if spec.below is None or name not in kept or spec.below not in kept:
            continue
        value = kept[name][1]
        wire, limit = kept[spec.below]
        if isinstance(limit, int | float) and limit <= value:
            headroom = specs[spec.below].default if spec.below in specs else None
            raised = value + int(headroom or value)
            kept[spec.below] = (wire, raised)
            reason = f"raised above {name} ({value}) to leave {raised - value} for the answer"
            out.append(Adjustment(spec.below, "clamp", reason, original=limit, value=raised))


def _wire_params(
    kept: Mapping[str, tuple[str, Any]], specs: Mapping[str, ParamSpec]
) -> dict[str, Any]:
    """The body parameters: flat ones by wire name, then nested ones placed at their path
    (inside an object already sent there, whose other members stay)."""
    params: dict[str, Any] = {}
    nested: list[tuple[ParamSpec, Any]] = []
    for name, (wire, value) in kept.items():
        spec = specs.get(name)
        if spec is not None and spec.nest is not None:
            nested.append((spec, value))
        else:
            params[wire] = value
    for spec, value in nested:
        assert spec.nest is not None
        *parents, leaf = spec.nest
        node = params
        for key in parents:
            inner = node.get(key)
            child = dict(inner) if isinstance(inner, dict) else {}
            node[key] = child
            node = child
        node.update(dict(spec.nest_with))
        node[leaf] = value
    return params


def apply_params(request: ChatRequest, provider: str) -> tuple[ChatRequest, list[Adjustment]]:
    """A copy of `request` whose temperature, max_tokens and extra are provider-effective; a
    request field in `extra` (tool_choice) moves to the request's own field, which the
    adapter translates to its wire format (never merged raw into the body)."""
    requested: dict[str, Any] = dict(request.extra)
    requested.setdefault("temperature", request.temperature)
    requested.setdefault("max_tokens", request.max_tokens)
    effective = resolve_params(provider, request.model, requested)
    params = dict(effective.params)
    temperature = params.pop("temperature", None)
    max_tokens = params.pop("max_tokens", None)
    fields = {name: params.pop(name) for name in REQUEST_FIELDS if name in params}
    updated = replace(
        request, temperature=temperature, max_tokens=max_tokens, extra=params, **fields
    )
    return updated, effective.adjustments
