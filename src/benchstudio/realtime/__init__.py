"""Live updates: the event hub, WebSocket tickets and the `/ws` endpoint."""
