"""Every ORM table in one metadata, for Alembic and for tests that compare schemas."""

from benchstudio.accounts import models as accounts_models
from benchstudio.audit import models as audit_models
from benchstudio.storage.base import Base

metadata = Base.metadata

__all__ = ["accounts_models", "audit_models", "metadata"]
