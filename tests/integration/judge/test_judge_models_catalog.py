"""open_judge_model: a catalog model becomes a judge with its key, price and window."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from benchstudio.accounts.schemas import NewUser
from benchstudio.accounts.service import create_user
from benchstudio.catalog.schemas import ModelCreate, ProviderCreate
from benchstudio.catalog.service import CatalogContext, create_model, create_provider
from benchstudio.config import Settings
from benchstudio.core.errors import NotFoundError
from benchstudio.core.passwords import Argon2Params, PasswordHasher
from benchstudio.credentials.service import Vault
from benchstudio.judge.domain.transcript import case_from_stored
from benchstudio.judge.service.judge_models import open_judge_model
from benchstudio.judge.service.verdict_call import judge_case
from benchstudio.providers.structured_output import FallbackMemory
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.schemas import TestCase

BODY = "Grade this case (judge_verdict).\n{tools}\n{case_prompt}\n{expected_calls}\n{transcript}"


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=1, itl_ms=0.1, output_tokens=6))
    async with SimulatorServer(config) as server:
        yield server


async def _owner(settings: Settings, db: object, email: str) -> CatalogContext:
    hasher = PasswordHasher(Argon2Params(1, 1024))
    user = await create_user(
        ServiceContext.system(db),  # type: ignore[arg-type]
        NewUser(email=email, password="plain-sailing-words"),
        hasher=hasher,
    )
    vault = Vault(settings.vault_key_list())
    return CatalogContext.from_settings(db, vault, settings, owner_id=user.id)  # type: ignore[arg-type]


async def test_a_catalog_model_judges_with_its_price_and_window(
    settings: Settings, sim: SimulatorServer
) -> None:
    FallbackMemory.reset()
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        ctx = await _owner(settings, db, "judge@example.com")
        provider = await create_provider(
            ctx,
            ProviderCreate(name="sim", base_url=f"{sim.base_url}/v1", api_key="sk-judge-1234"),  # type: ignore[arg-type]
        )
        priced = await create_model(
            ctx,
            ModelCreate(
                provider_id=provider.id,
                model_id="judge-model",
                display_name="Judge",
                context_window=32_000,
                input_price=Decimal("3"),
                output_price=Decimal("15"),
            ),
        )
        async with open_judge_model(ctx, priced.id) as judge:
            assert (judge.protocol, judge.model_id, judge.display_name) == (
                "openai",
                "judge-model",
                "Judge",
            )
            assert judge.context_window == 32_000 and judge.model_ref_id == priced.id
            assert judge.price is not None and judge.price.input == Decimal("3")
            assert judge.endpoint_key.endswith("#judge-model")
            suite_case = TestCase(id="c1", prompt="Hello [sim-judge: verdict]")
            case = case_from_stored(suite_case, [], [], None, None)
            result = await judge_case(judge, BODY, case, show_automated=False)
        assert result.verdict is not None and result.verdict.verdict == "pass"
        assert result.cost_usd is not None and result.cost_usd > 0
        assert sim.request_log()[0]["status"] == 200

        stranger = await _owner(settings, db, "other@example.com")
        with pytest.raises(NotFoundError):
            async with open_judge_model(stranger, priced.id):
                pass
    finally:
        await db.dispose()
