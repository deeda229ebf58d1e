"""Parameter sets (formerly "model profiles"): named request parameters, validated through the
provider parameter registry when saved and laid under explicit parameters when a benchmark,
eval (and later tuner or schedule) target names one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.catalog import repository
from benchstudio.catalog.domain import merge_parameter_set
from benchstudio.catalog.models import CatalogModel, ParameterSet, Provider
from benchstudio.catalog.schemas import (
    AppliedParameterSet,
    ParameterSetIn,
    ParameterSetOut,
    ParameterSpecOut,
)
from benchstudio.core.errors import AppError, NotFoundError
from benchstudio.providers.factory import KNOWN_PROVIDERS
from benchstudio.providers.params import (
    REQUEST_FIELDS,
    ParamSpec,
    load_registry,
    parameter_specs,
    resolve_params,
)
from benchstudio.storage.service_context import ServiceContext

LOCAL_PORTS = {11434: "ollama", 1234: "lmstudio", 8000: "vllm"}


class InvalidParameterError(AppError):
    """A parameter set value the registry refuses; `param` names the offending parameter so
    the API points at the field (`params.top_p`)."""

    status_code = 422
    code = "invalid_parameter"

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.reason = message


def registry_provider(name: str, base_url: str, protocol: str) -> str:
    """Which parameter table applies to a provider: by name, by its well-known host, else by
    protocol (OpenAI-compatible servers get OpenAI's rules)."""
    known = set(load_registry().providers)
    folded = name.strip().lower()
    if folded in known:
        return folded
    parts = urlsplit(base_url)
    for info in KNOWN_PROVIDERS.values():
        default = urlsplit(info.default_base_url)
        remote = default.hostname not in ("localhost", "127.0.0.1")
        if info.name in known and remote and parts.hostname == default.hostname:
            return info.name
    if parts.port in LOCAL_PORTS and LOCAL_PORTS[parts.port] in known:
        return LOCAL_PORTS[parts.port]
    return protocol if protocol in known else "openai"


def _refusal(name: str, value: Any, provider: str, model: str) -> str | None:
    """The registry's reason to refuse `value` for `model` on `provider`, if any. Clamps count:
    a stored value outside the allowed range would silently change when sent."""
    effective = resolve_params(provider, model, {name: value})
    for adjustment in effective.adjustments:
        if adjustment.param == name and adjustment.action in ("drop", "clamp"):
            return adjustment.reason
    return None


def _generic_refusal(name: str, value: Any) -> str | None:
    """Without a model: the value must fit the spec of at least one provider that knows the
    parameter (unknown parameters pass, as the registry passes them through)."""
    tables = load_registry().providers
    knowing = [p for p, table in sorted(tables.items()) if name in table.params]
    if not knowing:
        return None
    reasons = {provider: _refusal(name, value, provider, "") for provider in knowing}
    if any(reason is None for reason in reasons.values()):
        return None
    # Word it as the default (OpenAI-compatible) table does when it knows the parameter.
    return reasons.get(load_registry().default_provider) or reasons[knowing[0]]


def check_parameter_values(params: Mapping[str, Any], provider: str | None, model: str) -> None:
    """Refuse the first value the registry would drop or clamp (None: no model, generic), and
    request fields (tool_choice): a run sets its tool choice itself, the tuner searches it."""
    for name in sorted(params):
        value = params[name]
        if value is None:
            continue
        if name in REQUEST_FIELDS:
            raise InvalidParameterError(
                name,
                "is a run setting (the request's tool choice), not a parameter-set value: "
                "set it on the run, or search it in the tuner",
            )
        reason = (
            _generic_refusal(name, value)
            if provider is None
            else _refusal(name, value, provider, model)
        )
        if reason is not None:
            raise InvalidParameterError(name, reason)


def parameter_spec_table(provider: str | None, model: str = "") -> dict[str, ParamSpec]:
    """The specs the settings page builds its controls from: the model's (family rules
    applied), or without a model every known parameter with its widest range."""
    if provider is not None:
        return parameter_specs(provider, model)
    merged: dict[str, ParamSpec] = {}
    for table in load_registry().providers.values():
        for name, spec in table.params.items():
            seen = merged.get(name)
            if seen is None:
                merged[name] = spec
            elif seen.type == spec.type:
                merged[name] = replace(
                    seen,
                    min=None if seen.min is None or spec.min is None else min(seen.min, spec.min),
                    max=None if seen.max is None or spec.max is None else max(seen.max, spec.max),
                )
    return merged


async def parameter_specs_for(
    ctx: ServiceContext, model_ref_id: str | None
) -> list[ParameterSpecOut]:
    provider: str | None = None
    model_name = ""
    if model_ref_id is not None:
        async with ctx.read() as session:
            provider, model_name = await _registry_of(session, ctx.require_owner(), model_ref_id)
    table = parameter_spec_table(provider, model_name)
    return [
        ParameterSpecOut(
            name=name,
            type=spec.type,
            min=spec.min,
            max=spec.max,
            default=spec.default,
            choices=None if spec.choices is None else list(spec.choices),
            request_field=spec.request_field,
        )
        for name, spec in sorted(table.items())
    ]


async def _registry_of(session: AsyncSession, owner_id: str, model_ref_id: str) -> tuple[str, str]:
    """(registry provider, model name) of the caller's catalog model; 404 for anyone else's."""
    model = await repository.get_owned(session, CatalogModel, owner_id, model_ref_id)
    if model is None:
        raise NotFoundError("No such model.")
    row = await repository.get_owned(session, Provider, owner_id, model.provider_id)
    provider = registry_provider(row.name, row.base_url, row.protocol) if row else "openai"
    return provider, model.model_id


async def list_parameter_sets(ctx: ServiceContext) -> list[ParameterSetOut]:
    async with ctx.read() as session:
        owner_id = ctx.require_owner()
        rows = await repository.list_owned(session, ParameterSet, owner_id)
        return [ParameterSetOut.model_validate(r) for r in rows]


async def get_parameter_set(ctx: ServiceContext, set_id: str) -> ParameterSetOut:
    async with ctx.read() as session:
        row = await repository.get_owned(session, ParameterSet, ctx.require_owner(), set_id)
        if row is None:
            raise NotFoundError("No such parameter set.")
        return ParameterSetOut.model_validate(row)


async def save_parameter_set(
    ctx: ServiceContext, data: ParameterSetIn, set_id: str | None = None
) -> ParameterSetOut:
    """Create (no id) or replace (id) a parameter set after the registry checked its values."""
    async with ctx.unit() as session:
        owner_id = ctx.require_owner()
        provider: str | None = None
        model_name = ""
        if data.model_ref_id is not None:
            provider, model_name = await _registry_of(session, owner_id, data.model_ref_id)
        check_parameter_values(data.params, provider, model_name)
        saved = await repository.save_owned(
            session, ParameterSet, owner_id, set_id, data.model_dump()
        )
        if saved is None:
            raise NotFoundError("No such parameter set.")
        action = "parameter_set.created" if set_id is None else "parameter_set.updated"
        audit.record(session, action, actor_id=ctx.actor_id, target=saved.id)
        return ParameterSetOut.model_validate(saved)


async def delete_parameter_set(ctx: ServiceContext, set_id: str) -> None:
    async with ctx.unit() as session:
        row = await repository.get_owned(session, ParameterSet, ctx.require_owner(), set_id)
        if row is None:
            raise NotFoundError("No such parameter set.")
        await session.delete(row)
        audit.record(session, "parameter_set.deleted", actor_id=ctx.actor_id, target=set_id)


async def resolve_parameter_set(
    ctx: ServiceContext,
    set_id: str,
    *,
    model_ref_id: str | None,
    explicit: Mapping[str, Any],
) -> tuple[AppliedParameterSet, dict[str, Any]]:
    """The caller's set `set_id` laid under `explicit` for a target whose catalog model is
    `model_ref_id` (None: ad hoc). Returns what was applied and the merged parameters.

    Another user's set answers exactly like a missing one (404). A set made for one model
    is refused (422) for any other target: its values were checked for that model only."""
    found = await get_parameter_set(ctx, set_id)
    if found.model_ref_id is not None and found.model_ref_id != model_ref_id:
        raise AppError(
            f"The parameter set {found.name!r} is for another model; pick a set for this "
            "model or one for any model.",
            code="parameter_set_model_mismatch",
            status_code=422,
        )
    merged = merge_parameter_set(found.params, explicit)
    applied = AppliedParameterSet(
        parameter_set_id=found.id,
        parameter_set_name=found.name,
        applied_params=merged.applied,
        overridden=merged.overridden,
    )
    return applied, merged.params
