"""A faithful fake of the Anthropic Messages API (streaming only) on 127.0.0.1, for tests and the bench.

The real SDK talks to it over a real socket, so retries, timeouts, SSE parsing and cancellation are
exercised as in production. Script answers in order, then point `base_url` at `fake.url`:

    with FakeAnthropic() as fake:
        fake.text(["Hel", "lo"])
        fake.status(429, "rate_limit_error", retry_after=0)
        ...

Every request is recorded (path, headers, parsed body, raw body). The SSE framing follows the notes:
`event:` line, `data:` line with one-line JSON, blank line — the SDK dispatches on the `event:` field.
The server speaks HTTP/1.0 (no keep-alive), so a stream ends when the socket closes.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_QUIET = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    raw: bytes
    request_id: str


@dataclass
class _Answer:
    kind: str  # stream | status | hang
    blocks: list[dict[str, Any]] = field(default_factory=list)  # {"type": "text", "chunks": [...]} or tool_use
    delay: float = 0.0
    stop_reason: str = "end_turn"
    usage: dict[str, int] = field(default_factory=dict)
    output_tokens: int | None = None
    error_type: str | None = None  # status, or a mid-stream error event after the blocks
    code: int = 200
    retry_after: float | None = None
    seconds: float = 0.0
    hold_after: int | None = None  # stop after this many text chunks until `release` is set


class FakeAnthropic:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.disconnects = 0  # streams the client closed before the end
        self.disconnected = threading.Event()
        self.release = threading.Event()  # lets a held stream (text(..., hold_after=N)) go on
        self._script: deque[_Answer] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> FakeAnthropic:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._closing.set()  # ends hangs and slow streams
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    # ------------------------------------------------------------ scripting

    def text(
        self,
        chunks: Iterable[str],
        delay: float = 0.0,
        *,
        stop_reason: str = "end_turn",
        input_tokens: int = 12,
        cache_write: int = 0,
        cache_read: int = 0,
        output_tokens: int | None = None,
        hold_after: int | None = None,
    ) -> FakeAnthropic:
        """A text answer streamed as one text_delta per chunk, `delay` seconds apart; with
        `hold_after`, the stream pauses after that many chunks until `release` is set (a
        deterministic mid-stream state for snapshots)."""
        self._queue(
            _Answer(
                "stream",
                [{"type": "text", "chunks": list(chunks)}],
                delay,
                stop_reason,
                _usage(input_tokens, cache_write, cache_read),
                output_tokens,
                hold_after=hold_after,
            )
        )
        return self

    def slow(self, chunks: Iterable[str], delay: float) -> FakeAnthropic:
        """A text answer slow enough to cancel mid-way."""
        return self.text(chunks, delay)

    def tool_use(
        self, name: str, input: dict[str, Any], preface_text: str = "", *, input_tokens: int = 40
    ) -> FakeAnthropic:
        """An optional text block, then a tool_use block whose input arrives as input_json_delta pieces."""
        blocks: list[dict[str, Any]] = [{"type": "text", "chunks": [preface_text]}] if preface_text else []
        encoded = json.dumps(input)
        pieces = [encoded[i : i + 7] for i in range(0, len(encoded), 7)]
        blocks.append({"type": "tool_use", "name": name, "pieces": pieces})
        self._queue(_Answer("stream", blocks, stop_reason="tool_use", usage=_usage(input_tokens, 0, 0)))
        return self

    def status(
        self, code: int, error_type: str, retry_after: float | None = None, message: str | None = None
    ) -> FakeAnthropic:
        """A JSON error response (429, 529, 500, 401, ...) with a request-id header."""
        self._queue(
            _Answer(
                "status",
                code=code,
                error_type=error_type,
                retry_after=retry_after,
                stop_reason=message or error_type.replace("_", " "),
            )
        )
        return self

    def midstream_error(self, chunks_before: Iterable[str], error_type: str = "overloaded_error") -> FakeAnthropic:
        """A 200 stream that sends some text, then an `event: error` and ends."""
        self._queue(
            _Answer(
                "stream",
                [{"type": "text", "chunks": list(chunks_before)}],
                error_type=error_type,
                usage=_usage(12, 0, 0),
            )
        )
        return self

    def hang(self, seconds: float) -> FakeAnthropic:
        """Accept the request and send nothing (not even headers) for `seconds`."""
        self._queue(_Answer("hang", seconds=seconds))
        return self

    def _queue(self, answer: _Answer) -> None:
        with self._lock:
            self._script.append(answer)

    def _next(self) -> _Answer | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    # ------------------------------------------------------------ checks

    def assert_never_received(self, *secrets: str) -> None:
        """Fail if any planted secret appears in any request body the fake received."""
        assert self.requests, "no request reached the fake: the check would prove nothing"
        for rec in self.requests:
            for secret in secrets:
                assert secret.encode() not in rec.raw, f"secret {secret[:4]}… reached the API in {rec.path}"


def _usage(input_tokens: int, cache_write: int, cache_read: int) -> dict[str, int]:
    return {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": cache_write,
        "cache_read_input_tokens": cache_read,
    }


def closed_port_url() -> str:
    """A loopback URL nothing listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class _Handler(BaseHTTPRequestHandler):
    owner: FakeAnthropic
    protocol_version = "HTTP/1.0"  # close after each answer: the SSE body ends with the connection

    def log_message(self, format: str, *args: Any) -> None:  # no stderr noise in test output
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except _QUIET:
            pass

    def do_POST(self) -> None:
        fake = self.owner
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with fake._lock:
            request_id = f"req_fake_{len(fake.requests) + 1:04d}"
            fake.requests.append(
                Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body, raw, request_id)
            )
        if not self.path.endswith("/v1/messages") or not isinstance(body, dict) or body.get("stream") is not True:
            return self._error(404, "not_found_error", "the fake serves only streaming POST /v1/messages", request_id)
        answer = fake._next()
        if answer is None:
            return self._error(500, "api_error", "fake: no scripted answer left", request_id)
        if answer.kind == "hang":
            fake._closing.wait(answer.seconds)
            return
        if answer.kind == "status":
            return self._error(
                answer.code, answer.error_type or "api_error", answer.stop_reason, request_id, answer.retry_after
            )
        try:
            self._stream(answer, body, request_id)
        except _QUIET:
            with fake._lock:
                fake.disconnects += 1
            fake.disconnected.set()

    def _error(
        self, code: int, error_type: str, message: str, request_id: str, retry_after: float | None = None
    ) -> None:
        data = json.dumps(
            {"type": "error", "error": {"type": error_type, "message": message}, "request_id": request_id}
        ).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", request_id)
        if retry_after is not None:
            self.send_header("retry-after", str(int(retry_after)))
            self.send_header("retry-after-ms", str(int(retry_after * 1000)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, answer: _Answer, body: dict[str, Any], request_id: str) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("request-id", request_id)
        self.end_headers()
        send = _sender(self.wfile.write)
        model = body.get("model", "fake")
        send(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": f"msg_{request_id}",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {**answer.usage, "output_tokens": 1, "service_tier": "standard"},
                },
            },
        )
        send("ping", {"type": "ping"})
        pieces = 0
        for index, block in enumerate(answer.blocks):
            if block["type"] == "text":
                send(
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}},
                )
                for n, chunk in enumerate(block["chunks"]):
                    if answer.delay and self.owner._closing.wait(answer.delay):
                        return
                    if n == answer.hold_after:
                        self.wfile.flush()
                        while not (self.owner.release.wait(0.05) or self.owner._closing.is_set()):
                            pass
                        if self.owner._closing.is_set():
                            return
                    send(
                        "content_block_delta",
                        {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": chunk}},
                    )
                    pieces += 1
            else:
                send(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {
                            "type": "tool_use",
                            "id": f"toolu_{index:02d}",
                            "name": block["name"],
                            "input": {},
                        },
                    },
                )
                for piece in block["pieces"]:
                    send(
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": index,
                            "delta": {"type": "input_json_delta", "partial_json": piece},
                        },
                    )
                    pieces += 1
            if answer.error_type:  # cut mid-block, as the real API does when it overloads mid-answer
                send(
                    "error",
                    {
                        "type": "error",
                        "error": {"type": answer.error_type, "message": answer.error_type.replace("_", " ")},
                    },
                )
                return
            send("content_block_stop", {"type": "content_block_stop", "index": index})
        output = answer.output_tokens if answer.output_tokens is not None else max(pieces, 1)
        send(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": answer.stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": output},
            },
        )
        send("message_stop", {"type": "message_stop"})


def _sender(write: Callable[[bytes], Any]) -> Callable[[str, dict[str, Any]], None]:
    def send(event: str, data: dict[str, Any]) -> None:
        write(f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode())

    return send


def fake_api_fixture():
    """A pytest fixture body: the SDK must see only what the test gives it, so the ANTHROPIC_*
    variables of a developer's shell are cleared; yields a started FakeAnthropic."""
    import pytest

    @pytest.fixture
    def fake(monkeypatch):
        for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        with FakeAnthropic() as server:
            yield server

    return fake
