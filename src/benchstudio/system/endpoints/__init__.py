"""System routers: `health` (`/healthz`, outside `/api`) and `meta` (`/api/meta`)."""
