"""Health report and server meta shapes."""

from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: Literal["ok", "unreachable"]
    # Scale-out only (the task queue, tickets, events); null in embedded mode.
    redis: Literal["ok", "unreachable"] | None = None


class Meta(BaseModel):
    name: str
    version: str
    environment: str
    features: list[str]
    # The sign-up page shows the invite field up front, or says sign-up is closed.
    signup_policy: Literal["open", "invite", "closed"]
