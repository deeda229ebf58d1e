"""Every ORM table in one metadata, for Alembic and for tests that compare schemas."""

from benchstudio.accounts import models as accounts_models
from benchstudio.admin import models as admin_models
from benchstudio.audit import models as audit_models
from benchstudio.auth import models as auth_models
from benchstudio.benchruns import models as benchruns_models
from benchstudio.catalog import models as catalog_models
from benchstudio.credentials import models as credentials_models
from benchstudio.evals import models as evals_models
from benchstudio.experiments import models as experiments_models
from benchstudio.jobs import models as jobs_models
from benchstudio.judge import models as judge_models
from benchstudio.prompts import models as prompts_models
from benchstudio.schedules import models as schedules_models
from benchstudio.schedules.alerts import models as schedules_alert_models
from benchstudio.storage.base import Base
from benchstudio.tuning import models as tuning_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "admin_models",
    "audit_models",
    "auth_models",
    "benchruns_models",
    "catalog_models",
    "credentials_models",
    "evals_models",
    "experiments_models",
    "jobs_models",
    "judge_models",
    "metadata",
    "prompts_models",
    "schedules_alert_models",
    "schedules_models",
    "tuning_models",
]
