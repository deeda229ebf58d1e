"""Catalog use cases: providers (`providers`), models (`model_catalog`), defaults
(`presets`), parameter sets (`parameter_sets`), all taking a context first (ADR 0011).

Other domains import from here only. Provider use cases take a `CatalogContext` (the vault and
the settings slice); the others a plain `ServiceContext`. `VaultDep` is re-exported for other
domains' endpoints that build a `CatalogContext`.
"""

from benchstudio.catalog.service.connections import (
    check_health,
    discover_models,
    open_provider_adapter,
    provider_access,
)
from benchstudio.catalog.service.context import (
    CatalogContext,
    CatalogSettings,
    egress_policy,
)
from benchstudio.catalog.service.model_catalog import (
    archive_model,
    create_model,
    get_model,
    import_models,
    list_models,
    update_model,
    usage_counts,
)
from benchstudio.catalog.service.model_prices import model_price
from benchstudio.catalog.service.parameter_sets import (
    InvalidParameterError,
    delete_parameter_set,
    get_parameter_set,
    list_parameter_sets,
    parameter_spec_table,
    parameter_specs_for,
    registry_provider,
    resolve_parameter_set,
    save_parameter_set,
)
from benchstudio.catalog.service.presets import (
    PromptOwnershipCheck,
    forget_default_template,
    get_defaults,
    register_prompt_ownership_check,
    set_defaults,
)
from benchstudio.catalog.service.providers import (
    DEMO_PROVIDER_NAME,
    archive_provider,
    create_provider,
    get_provider,
    list_providers,
    seed_demo_provider,
    set_provider_key,
    update_provider,
)
from benchstudio.catalog.service.url_repair import system_move_url_credentials
from benchstudio.credentials.service.vault_dependency import VaultDep

__all__ = [
    "DEMO_PROVIDER_NAME",
    "CatalogContext",
    "CatalogSettings",
    "InvalidParameterError",
    "PromptOwnershipCheck",
    "VaultDep",
    "archive_model",
    "archive_provider",
    "check_health",
    "create_model",
    "create_provider",
    "delete_parameter_set",
    "discover_models",
    "egress_policy",
    "forget_default_template",
    "get_defaults",
    "get_model",
    "get_parameter_set",
    "get_provider",
    "import_models",
    "list_models",
    "list_parameter_sets",
    "list_providers",
    "model_price",
    "open_provider_adapter",
    "parameter_spec_table",
    "parameter_specs_for",
    "provider_access",
    "register_prompt_ownership_check",
    "registry_provider",
    "resolve_parameter_set",
    "save_parameter_set",
    "seed_demo_provider",
    "set_defaults",
    "set_provider_key",
    "system_move_url_credentials",
    "update_model",
    "update_provider",
    "usage_counts",
]
