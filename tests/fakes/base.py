"""The one place for what every fake shares: a real HTTP server, a script queue, recording and delays.

A fake is a subclass of `FakeServer` that only decides what to answer (`_dispatch`). Everything that
must behave the same in every fake lives here: binding an ephemeral port on 127.0.0.1, serving many
slow requests at once, recording what arrived (thread-safe), consuming scripted steps in FIFO order,
sleeping before answers (to trip client timeouts, or to model a slow service in benchmarks), dropping
connections, and `wait_for` for tests that must wait for a request made by a background worker.

Standard library only, and no Django: these fakes stand in for services outside this machine.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from urllib.parse import urlsplit

StepT = TypeVar("StepT")

# Error types of the Anthropic API and the status each comes with; the OpenAI fake reuses the names.
ERROR_STATUS: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}
STATUS_ERROR: dict[int, str] = {status: error_type for error_type, status in ERROR_STATUS.items()}


def estimate_tokens(value: Any) -> int:
    """The fake's token estimate: the length of the JSON text / 4, at least 1."""
    return max(1, len(json.dumps(value)) // 4)


def example_from_schema(schema: dict[str, Any]) -> Any:
    """A minimal value that satisfies a simple JSON schema: required properties only, empty / zero / first enum."""
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: example_from_schema(properties.get(name, {})) for name in schema.get("required", [])}
    defaults: dict[str, Any] = {
        "string": "",
        "integer": 0,
        "number": 0,
        "boolean": False,
        "array": [],
        "null": None,
    }
    return defaults.get(kind)


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the fake received it, before any check or answer."""

    method: str
    path: str
    """The path without the query string, e.g. `/v1/messages`."""
    query: str
    headers: dict[str, str]
    """Header names lower-cased."""
    raw: bytes
    json: Any
    """The parsed body, or None when the body is empty or not JSON."""
    received_at: float
    """`time.time()` when the request had been read."""

    def strings(self) -> Iterator[str]:
        """Every string this request carried: path, header values, JSON keys and values, raw body."""
        yield self.path + ("?" + self.query if self.query else "")
        yield from self.headers.values()
        yield from _walk_strings(self.json)
        yield self.raw.decode("utf-8", errors="replace")


def _walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)


@dataclass
class Reply:
    """One scripted answer of a model fake (`FakeAnthropic`, `FakeOpenAI`).

    With neither `tool_input` nor `text` the fake makes up a valid answer (see each fake). An error is
    given by `status` or `error_type`; the other one is filled in from the API's own pairing.
    """

    tool_input: dict[str, Any] | None = None
    """Answer with one tool call with this input (OpenAI fake: the JSON text of it as the content)."""
    text: str | None = None
    """Answer with this text (before the tool call, when both are given)."""
    status: int = 200
    error_type: str | None = None
    """e.g. `rate_limit_error`; see ERROR_STATUS for the types and their statuses."""
    message: str | None = None
    """The error message; a generic one when None."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers, e.g. `{"retry-after": "1"}`; they win over the fake's own."""
    delay: float = 0.0
    """Seconds to wait before answering (added to the fake's `latency`)."""
    raw_body: str | None = None
    """Send this body verbatim with `status` (content type JSON unless `headers` says otherwise)."""
    drop_connection: bool = False
    """Close the connection without any response (after `delay`)."""
    tool_name: str | None = None
    """The tool's name; by default the one the request forced, else the request's first tool."""
    stop_reason: str | None = None
    """Overrides the stop reason, e.g. `max_tokens`."""

    def __post_init__(self) -> None:
        if self.error_type is not None and self.status < 400:
            self.status = ERROR_STATUS.get(self.error_type, 500)
        if self.status >= 400 and self.error_type is None:
            self.error_type = STATUS_ERROR.get(
                self.status, "api_error" if self.status >= 500 else "invalid_request_error"
            )

    @property
    def is_error(self) -> bool:
        return self.status >= 400

    @classmethod
    def rate_limited(cls, retry_after: float = 1) -> Reply:
        return cls(error_type="rate_limit_error", headers={"retry-after": f"{retry_after:g}"})

    @classmethod
    def overloaded(cls) -> Reply:
        return cls(error_type="overloaded_error", message="Overloaded")

    @classmethod
    def server_error(cls) -> Reply:
        return cls(error_type="api_error", message="Internal server error")

    @classmethod
    def bad_request(cls, message: str = "Invalid request") -> Reply:
        return cls(error_type="invalid_request_error", message=message)

    @classmethod
    def timeout(cls, seconds: float) -> Reply:
        """A successful answer that comes only after `seconds`: longer than the client's timeout."""
        return cls(delay=seconds)


@dataclass
class HttpResponse:
    """What the handler writes; `chunks` are written and flushed one by one (SSE)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    streamed: bool = False
    """No Content-Length: send the chunks as they come and close the connection after them."""
    delay: float = 0.0
    drop_connection: bool = False

    @classmethod
    def json(cls, status: int, body: Any, headers: dict[str, str] | None = None) -> HttpResponse:
        return cls.raw(status, json.dumps(body).encode(), "application/json", headers)

    @classmethod
    def raw(
        cls, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        return cls(status, {"content-type": content_type, **(headers or {})}, [body])


def reply_response(
    reply: Reply, answer: Callable[[], HttpResponse], error: Callable[[Reply], HttpResponse]
) -> HttpResponse:
    """How every model fake turns a Reply into a response: a dropped connection, the raw body, the
    service's error body (`error`), or else its answer (`answer`, called only then); after `reply.delay`."""
    if reply.drop_connection:
        response = HttpResponse(0, drop_connection=True)
    elif reply.raw_body is not None:
        response = HttpResponse.raw(reply.status, reply.raw_body.encode(), "application/json", reply.headers)
    elif reply.is_error:
        response = error(reply)
    else:
        response = answer()
    response.delay = reply.delay
    return response


class FakeServer(Generic[StepT]):
    """A real HTTP server on 127.0.0.1 that a subclass teaches what to answer.

    Use as a context manager (`with FakeX() as fake: fake.base_url`) or `start()`/`stop()`.
    Scripted steps (`script`) are consumed by the requests that a subclass says take one, FIFO;
    when none is left `default` is used. A step may be a callable taking the `RecordedRequest`.
    """

    def __init__(self, default: StepT | Callable[[RecordedRequest], StepT]) -> None:
        self.default: StepT | Callable[[RecordedRequest], StepT] = default
        self.latency: Callable[[], float] | None = None
        """Seconds to wait before every answer, e.g. `lambda: random.lognormvariate(0.5, 0.3)`."""
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
        self._requests: list[RecordedRequest] = []
        self._script: deque[StepT | Callable[[RecordedRequest], StepT]] = deque()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"{type(self).__name__}:{self._server.server_port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake any answer still waiting out a delay and cut every open connection."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`, without a trailing slash."""
        if self._server is None:
            raise RuntimeError(
                f"{type(self).__name__} is not running: use it in a `with` block or start() it"
            )
        return f"http://127.0.0.1:{self._server.server_port}"

    # --- scripting and recording -----------------------------------------------------------------

    def script(self, *steps: StepT | Callable[[RecordedRequest], StepT]) -> None:
        """Queue steps, each answering one request (FIFO), before `default` takes over again."""
        with self._lock:
            self._script.extend(steps)

    def reset(self) -> None:
        """Forget the script and every recorded request."""
        with self._lock:
            self._script.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, in order of arrival."""
        with self._lock:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._requests)

    def all_text(self) -> str:
        """Every string in every request received, joined: to assert a secret or PII never arrived."""
        return "\n".join(text for request in self.requests for text in request.strings())

    def wait_for(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least `count` requests arrived and return them all; TimeoutError otherwise."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(
                    f"{type(self).__name__}: {len(self._requests)} of {count} requests arrived"
                )
            return list(self._requests)

    def _next_step(self, request: RecordedRequest) -> StepT:
        """The next scripted step (or the default), called first when it is a callable."""
        with self._lock:
            step = self._script.popleft() if self._script else self.default
        return step(request) if callable(step) else step

    def _record(self, request: RecordedRequest) -> None:
        with self._arrived:
            self._requests.append(request)
            self._arrived.notify_all()

    # --- for subclasses --------------------------------------------------------------------------

    def _dispatch(self, request: RecordedRequest) -> HttpResponse:
        """Decide the answer to one request (runs on the request's own thread)."""
        raise NotImplementedError

    def _wait(self, seconds: float) -> None:
        """Sleep that `stop()` cuts short, so a test never waits on a fake it has finished with."""
        if seconds > 0:
            self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    """One thread per connection, enough backlog for 100+ clients connecting at the same moment."""

    daemon_threads = True
    block_on_close = False  # server_close() must not wait for idle keep-alive connections
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, fake: FakeServer[Any]) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            (self._connections.add if open_ else self._connections.discard)(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, dropped stream) is normal here, not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs pool connections
    # Headers and body go out in two writes; with Nagle's algorithm the body would wait for the
    # client's delayed ACK (~40 ms a call that no real API adds).
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        fake = self.server.fake
        request = self._read_request()
        fake._record(request)
        try:
            response = fake._dispatch(request)
        except Exception:  # a bug in the fake: say so loudly rather than hang the client
            traceback.print_exc()
            response = HttpResponse.json(
                500,
                {
                    "type": "error",
                    "error": {"type": "api_error", "message": "fake server bug:\n" + traceback.format_exc()},
                },
            )
        fake._wait((fake.latency() if fake.latency else 0.0) + response.delay)
        if fake._stopping.is_set() or response.drop_connection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(response)

    def _read_request(self) -> RecordedRequest:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        url = urlsplit(self.path)
        return RecordedRequest(
            method=self.command,
            path=url.path,
            query=url.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            raw=raw,
            json=body,
            received_at=time.time(),
        )

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        headers = {key.lower(): value for key, value in response.headers.items()}
        if response.streamed:
            headers["connection"] = "close"
            self.close_connection = True
        else:
            headers["content-length"] = str(sum(len(chunk) for chunk in response.chunks))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        for chunk in response.chunks:
            self.wfile.write(chunk)
            self.wfile.flush()
