"""SimulatorServer: the asyncio HTTP/1.1 server, its routes and its lifecycle."""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any, SupportsIndex

from benchstudio.simulator import wire_anthropic, wire_gemini, wire_openai
from benchstudio.simulator.chat_handler import ChatResponder, Exchange, api_key
from benchstudio.simulator.chat_request import RequestError, Wire
from benchstudio.simulator.config import SimulatorConfig
from benchstudio.simulator.embeddings import embeddings_body
from benchstudio.simulator.http11 import (
    HttpProtocolError,
    HttpRequest,
    json_response,
    read_request,
)
from benchstudio.simulator.timing_log import RequestRecord, TimingLog
from benchstudio.simulator.wire_errors import ErrorKind, ErrorResponse, error_response

_GEMINI_PATH = re.compile(
    r"^/v1(?:beta|alpha)?/models/([^/:]+):(generateContent|streamGenerateContent)$"
)
_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable, no spaces: safe to echo
_OPENAI_CHAT = ("/v1/chat/completions", "/chat/completions")
_OPENAI_EMBEDDINGS = ("/v1/embeddings", "/embeddings")
_MAX_PAGE = 1000
_logger = logging.getLogger(__name__)


_STREAM_LIMIT = 2**16  # asyncio.start_server's default buffer limit


class ArrivalStampedReader(asyncio.StreamReader):
    """A stream reader that remembers when its last bytes reached the process.

    A request's `request_read_ns` is the arrival of the bytes that completed it, stamped in the
    protocol callback, not when the connection's task got round to parsing them: when 64
    requests land at once, the last would otherwise start its clock tens of ms late, and that
    queueing would be blamed on the client that measures against this log.
    """

    fed_ns = 0

    def feed_data(self, data: Iterable[SupportsIndex]) -> None:
        self.fed_ns = time.perf_counter_ns()
        super().feed_data(data)


class SimulatorServer:
    """The simulator on `host:port` (port 0 picks a free one). Use as an async context manager."""

    def __init__(
        self, config: SimulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SimulatorConfig()
        self.host = host
        self.port = port
        self.log = TimingLog(self.config.log_capacity)
        self._chat = ChatResponder(self.config, self.log)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._created = int(time.time())

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def protocol() -> asyncio.StreamReaderProtocol:
            reader = ArrivalStampedReader(limit=_STREAM_LIMIT, loop=loop)
            return asyncio.StreamReaderProtocol(reader, self._handle_connection, loop=loop)

        self._server = await loop.create_server(protocol, self.host, self.port, backlog=4096)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for driver in list(self._chat.drivers):
            driver.abort()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            try:
                await asyncio.wait_for(self._server.wait_closed(), timeout=2)
            except Exception:  # stopping anyway; say why it took the full wait
                _logger.warning("simulator connections did not close in time", exc_info=True)
            self._server = None

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def __aenter__(self) -> SimulatorServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """`http://HOST:PORT` (add `/v1` for OpenAI and Anthropic clients)."""
        return f"http://{self.host}:{self.port}"

    def request_log(self) -> list[dict[str, Any]]:
        """Every timing-log record still in the ring buffer, oldest first."""
        return [record.to_dict() for record in self.log]

    def find_request(self, request_id: str) -> dict[str, Any] | None:
        record = self.log.find(request_id)
        return record.to_dict() if record is not None else None

    def clear_log(self) -> None:
        self.log.clear()

    async def _handle_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    request = await read_request(reader, writer)
                except HttpProtocolError as exc:
                    writer.write(json_response(exc.status, {"error": exc.message}, {}, False))
                    break
                if request is None:
                    break
                arrived_ns = getattr(reader, "fed_ns", 0) or time.perf_counter_ns()
                keep_alive = await self._dispatch(request, writer, arrived_ns)
                if not (keep_alive and request.keep_alive):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        except Exception:  # a bug must not take the whole server down
            _logger.exception("simulator: unexpected error while serving a connection")
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _dispatch(
        self, request: HttpRequest, writer: asyncio.StreamWriter, read_ns: int
    ) -> bool:
        start = read_ns / 1e9  # the schedule's origin, on the perf_counter clock
        given_id = request.headers.get("x-request-id", "")
        request_id = given_id if _REQUEST_ID.match(given_id) else "sim-" + secrets.token_hex(8)
        headers = {"x-request-id": request_id}
        method, path = request.method, request.path
        if path.startswith("/_sim/"):
            return self._admin(request, writer, headers)
        if method == "GET" and path in ("/v1/models", "/models", "/v1beta/models"):
            writer.write(
                json_response(200, self._models_body(request), headers, request.keep_alive)
            )
            return True
        if method == "POST" and path in _OPENAI_EMBEDDINGS:
            return self._embeddings(
                request, writer, headers, RequestRecord(request_id, path, read_ns)
            )
        wire, gemini = self._chat_route(method, path)
        if wire is None:
            body = error_response(
                Wire.OPENAI, ErrorKind.NOT_FOUND, f"Unknown route {method} {path}"
            ).body
            writer.write(json_response(404, body, headers, request.keep_alive))
            return True
        record = RequestRecord(request_id, path, read_ns)
        self.log.add(record)
        if wire is Wire.ANTHROPIC:
            headers["request-id"] = request_id
        exchange = Exchange(wire, request, writer, record, start, headers)
        if gemini is not None:
            exchange.gemini_model = gemini.group(1)
            exchange.gemini_stream = gemini.group(2) == "streamGenerateContent"
            exchange.gemini_sse = request.query.get("alt") == "sse"
        return await self._chat.respond(exchange)

    def _embeddings(
        self,
        request: HttpRequest,
        writer: asyncio.StreamWriter,
        headers: dict[str, str],
        record: RequestRecord,
    ) -> bool:
        """POST /v1/embeddings: deterministic vectors (embeddings.py), OpenAI's errors."""
        self.log.add(record)
        record.format = str(Wire.OPENAI)
        status, payload, extra = self._embeddings_answer(request, record)
        writer.write(json_response(status, payload, {**extra, **headers}, request.keep_alive))
        record.status = status
        record.completed = True
        return True

    def _embeddings_answer(
        self, request: HttpRequest, record: RequestRecord
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Status, body and extra headers: the vectors, or OpenAI's error."""
        try:
            body = request.json()
        except ValueError:
            body = None
        model = body.get("model") if isinstance(body, dict) else None
        record.model = model if isinstance(model, str) else ""
        error = self._embedding_auth(request, record.model)
        if error is None:
            try:
                answer = embeddings_body(body)
            except RequestError as exc:
                error = error_response(Wire.OPENAI, ErrorKind.BAD_REQUEST, exc.message, exc.param)
            else:
                record.prompt_tokens = answer["usage"]["prompt_tokens"]
                return 200, answer, {}
        return error.status, error.body, error.headers

    def _embedding_auth(self, request: HttpRequest, model: str) -> ErrorResponse | None:
        required = self.config.profile_for(model).require_key
        if required is None:
            return None
        key = api_key(Wire.OPENAI, request)
        if key is None:
            return error_response(Wire.OPENAI, ErrorKind.AUTH_MISSING)
        if not hmac.compare_digest(key.encode(), required.encode()):
            return error_response(Wire.OPENAI, ErrorKind.AUTH_INVALID)
        return None

    @staticmethod
    def _chat_route(method: str, path: str) -> tuple[Wire | None, re.Match[str] | None]:
        if method != "POST":
            return None, None
        if path in _OPENAI_CHAT:
            return Wire.OPENAI, None
        if path in ("/v1/messages", "/messages"):
            return Wire.ANTHROPIC, None
        gemini = _GEMINI_PATH.match(path)
        return (Wire.GEMINI, gemini) if gemini else (None, None)

    def _models_body(self, request: HttpRequest) -> dict[str, Any]:
        profiles = self.config.all_profiles()
        names = [profile.name for profile in profiles]
        if request.path == "/v1beta/models":
            return wire_gemini.models_body([(p.name, p.context_window) for p in profiles])
        headers = request.headers
        if "anthropic-version" in headers or "x-api-key" in headers:
            return wire_anthropic.models_body(names)
        return wire_openai.models_body(names, self._created)

    def _admin(
        self, request: HttpRequest, writer: asyncio.StreamWriter, headers: dict[str, str]
    ) -> bool:
        keep = request.keep_alive
        if request.path == "/_sim/health":
            writer.write(json_response(200, {"status": "ok"}, headers, keep))
        elif request.path == "/_sim/requests" and request.method == "DELETE":
            self.log.clear()
            writer.write(json_response(200, {"cleared": True}, headers, keep))
        elif request.path == "/_sim/requests" and request.method == "GET":
            writer.write(json_response(200, self._log_page(request), headers, keep))
        else:
            writer.write(json_response(404, {"error": "unknown simulator route"}, headers, keep))
        return True

    def _log_page(self, request: HttpRequest) -> dict[str, Any]:
        wanted = request.query.get("request_id")
        if wanted is not None:
            found = self.log.find(wanted)
            items = [found.to_dict()] if found is not None else []
            return {
                "total": len(items),
                "evicted": self.log.evicted,
                "offset": 0,
                "limit": 1,
                "items": items,
            }
        try:
            offset = max(0, int(request.query.get("offset", "0")))
            limit = min(_MAX_PAGE, max(1, int(request.query.get("limit", "100"))))
        except ValueError:
            offset, limit = 0, 100
        return self.log.page(offset, limit)
