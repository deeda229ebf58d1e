"""Fixtures for provider unit tests (the server itself lives in providers_replay_server.py)."""

from providers_replay_server import http_session, replay_server

__all__ = ["http_session", "replay_server"]
