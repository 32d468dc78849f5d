"""A fake of the Anthropic Messages API, for the real `anthropic` SDK pointed at it by `base_url`.

    with FakeAnthropic() as fake:
        fake.script(Reply(tool_input={"category": "billing"}), Reply.rate_limited(retry_after=1))
        client = anthropic.Anthropic(api_key="test", base_url=fake.base_url, max_retries=0)
        ...
        assert "4111 1111" not in fake.all_text()

Served: `POST /v1/messages` (JSON, or SSE when the body says `"stream": true`), `POST /v1/messages/count_tokens`,
and the Message Batches API: `POST /v1/messages/batches`, `GET /v1/messages/batches/{id}` and
`GET /v1/messages/batches/{id}/results`. Anything else is a 404 with the API's error body.

Each `/v1/messages` request takes one scripted `Reply` (or `default`). Batches take theirs when they end,
one per batch request in order: at `finish_batches()`, or at the first retrieve with `auto_finish_batches`.

Usage is an estimate, not a tokenizer: the request's JSON length / 4. Prompt caching is modelled simply:
the cached prefix is the request's tools, system blocks and message blocks up to the last one carrying
`cache_control` (all of them with a top-level `cache_control`). The first time a fake sees a prefix it
reports it as `cache_creation_input_tokens`, later as `cache_read_input_tokens`; `input_tokens` is the rest.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .base import (
    FakeServer,
    HttpResponse,
    RecordedRequest,
    Reply,
    estimate_tokens,
    example_from_schema,
    reply_response,
)

AnthropicStep = Reply | Callable[[RecordedRequest], Reply]

_BATCH_PATH = "/v1/messages/batches/"
_DEFAULT_TEXT = "This is a fake answer."


class FakeAnthropic(FakeServer[Reply]):
    """The Anthropic API on 127.0.0.1; see the module docstring."""

    def __init__(self, default: AnthropicStep | None = None) -> None:
        super().__init__(default if default is not None else Reply())
        self.auto_finish_batches = False
        """When True a batch ends (and takes its steps) the first time it is retrieved."""
        self._batches: dict[str, _Batch] = {}
        self._seen_prefixes: set[str] = set()

    def reset(self) -> None:
        """Forget the script, recorded requests, batches and the prompt cache."""
        with self._lock:
            super().reset()
            self._batches.clear()
            self._seen_prefixes.clear()

    def finish_batches(self) -> None:
        """End every batch still in progress, answering its requests with the script / default."""
        with self._lock:
            batches = [batch for batch in self._batches.values() if batch.ended_at is None]
        for batch in batches:
            self._finish(batch)

    # --- routing ---------------------------------------------------------------------------------

    def _dispatch(self, request: RecordedRequest) -> HttpResponse:
        # anthropic>=2 sends the key as `Authorization: Bearer`; older SDKs and curl use `x-api-key`.
        bearer = request.headers.get("authorization", "").startswith("Bearer ")
        if "x-api-key" not in request.headers and not bearer:
            return _error(401, "authentication_error", "x-api-key header is required")
        if "anthropic-version" not in request.headers:
            return _error(400, "invalid_request_error", "anthropic-version: header is required")
        route = (request.method, request.path.rstrip("/"))
        if route == ("POST", "/v1/messages"):
            return self._messages(request)
        if route == ("POST", "/v1/messages/count_tokens"):
            return self._count_tokens(request)
        if route == ("POST", "/v1/messages/batches"):
            return self._create_batch(request)
        if request.method == "GET" and request.path.startswith(_BATCH_PATH):
            batch_id, _, rest = request.path[len(_BATCH_PATH) :].partition("/")
            if rest in ("", "results"):
                return self._batch_get(batch_id, results=rest == "results")
        return _error(404, "not_found_error", f"Not found: {request.method} {request.path}")

    # --- /v1/messages ----------------------------------------------------------------------------

    def _messages(self, request: RecordedRequest) -> HttpResponse:
        params = request.json
        if problem := _invalid_params(params):
            return _error(400, "invalid_request_error", problem)
        reply = self._next_step(request)

        def answer() -> HttpResponse:
            if params.get("stream"):
                return _sse(self._message(params, reply), reply.headers)
            return HttpResponse.json(200, self._message(params, reply), _headers(reply.headers))

        return reply_response(reply, answer, _reply_error)

    def _message(self, params: dict[str, Any], reply: Reply) -> dict[str, Any]:
        """The Message object the API would return for `params`, answered with `reply`."""
        forced = _forced_tool(params)
        text, tool_input = reply.text, reply.tool_input
        if text is None and tool_input is None:  # unscripted: answer the way the request asks for
            if forced is not None:
                tool_input = example_from_schema(forced.get("input_schema") or {})
            else:
                text = _DEFAULT_TEXT
        content: list[dict[str, Any]] = []
        if text is not None:
            content.append({"type": "text", "text": text})
        if tool_input is not None:
            tool = forced or (params.get("tools") or [{}])[0]
            content.append(
                {
                    "type": "tool_use",
                    "id": f"toolu_fake{uuid.uuid4().hex[:20]}",
                    "name": reply.tool_name or tool.get("name") or "tool",
                    "input": tool_input,
                }
            )
        stop_reason = reply.stop_reason or ("tool_use" if content[-1]["type"] == "tool_use" else "end_turn")
        return {
            "id": f"msg_fake{uuid.uuid4().hex[:20]}",
            "type": "message",
            "role": "assistant",
            "model": params["model"],
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": self._usage(params, output_tokens=estimate_tokens(content)),
        }

    def _usage(self, params: dict[str, Any], output_tokens: int) -> dict[str, Any]:
        total = estimate_tokens(params)
        prefix = _cached_prefix(params)
        cached = min(estimate_tokens(prefix), total) if prefix is not None else 0
        created = read = 0
        if prefix is not None:
            key = hashlib.sha256(json.dumps(prefix, sort_keys=True).encode()).hexdigest()
            with self._lock:
                if key in self._seen_prefixes:
                    read = cached
                else:
                    created = cached
                    self._seen_prefixes.add(key)
        return {
            "input_tokens": total - cached,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": read,
            "cache_creation": {"ephemeral_5m_input_tokens": created, "ephemeral_1h_input_tokens": 0},
            "service_tier": "standard",
        }

    def _count_tokens(self, request: RecordedRequest) -> HttpResponse:
        if not isinstance(request.json, dict) or not isinstance(request.json.get("messages"), list):
            return _error(400, "invalid_request_error", "messages: Field required")
        return HttpResponse.json(200, {"input_tokens": estimate_tokens(request.json)}, _headers())

    # --- Message Batches -------------------------------------------------------------------------

    def _create_batch(self, request: RecordedRequest) -> HttpResponse:
        items = request.json.get("requests") if isinstance(request.json, dict) else None
        if not items or not all(isinstance(item, dict) and "custom_id" in item for item in items):
            return _error(400, "invalid_request_error", "requests: a non-empty list of {custom_id, params}")
        for item in items:
            if problem := _invalid_params(item.get("params")):
                return _error(400, "invalid_request_error", f"requests.{item['custom_id']}.params: {problem}")
        batch = _Batch(
            id=f"msgbatch_fake{uuid.uuid4().hex[:20]}",
            items=items,
            created_at=datetime.now(UTC),
            base_url=self.base_url,
        )
        with self._lock:
            self._batches[batch.id] = batch
        return HttpResponse.json(200, batch.to_json(), _headers())

    def _batch_get(self, batch_id: str, results: bool) -> HttpResponse:
        with self._lock:
            batch = self._batches.get(batch_id)
        if batch is None:
            return _error(404, "not_found_error", f"Message batch {batch_id} not found")
        if self.auto_finish_batches and batch.ended_at is None:
            self._finish(batch)
        if not results:
            return HttpResponse.json(200, batch.to_json(), _headers())
        if batch.results is None:
            return _error(
                404, "not_found_error", f"Results for message batch {batch_id} are not available yet"
            )
        lines = "".join(json.dumps(line) + "\n" for line in batch.results)
        return HttpResponse.raw(200, lines.encode(), "application/binary", _headers())

    def _finish(self, batch: _Batch) -> None:
        """Answer every request of `batch`, under the lock so that a batch takes its steps in one go."""
        with self._lock:
            if batch.ended_at is None:
                batch.results = [self._batch_result(item, batch.created_at) for item in batch.items]
                batch.ended_at = datetime.now(UTC)

    def _batch_result(self, item: dict[str, Any], created_at: datetime) -> dict[str, Any]:
        """One line of the results file. A step's delay or dropped connection has no meaning here."""
        params = item["params"]
        stand_in = RecordedRequest(
            "POST", "/v1/messages", "", {}, json.dumps(params).encode(), params, created_at.timestamp()
        )
        reply = self._next_step(stand_in)
        if reply.is_error or reply.raw_body is not None or reply.drop_connection:
            error = {"type": reply.error_type or "api_error", "message": reply.message or "Fake error"}
            result = {"type": "errored", "error": {"type": "error", "error": error, "request_id": None}}
        else:
            result = {"type": "succeeded", "message": self._message(params, reply)}
        return {"custom_id": item["custom_id"], "result": result}


@dataclass
class _Batch:
    id: str
    items: list[dict[str, Any]]
    created_at: datetime
    base_url: str
    ended_at: datetime | None = None
    results: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        ended = self.results is not None
        errored = sum(line["result"]["type"] == "errored" for line in self.results or [])
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else len(self.items),
                "succeeded": len(self.items) - errored if ended else 0,
                "errored": errored,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.created_at + timedelta(hours=24)),
            "ended_at": _iso(self.ended_at) if self.ended_at else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.base_url}/v1/messages/batches/{self.id}/results" if ended else None,
        }


# --- helpers -------------------------------------------------------------------------------------


def _invalid_params(params: Any) -> str | None:
    """The API's complaint about a Messages request missing a required field, or None."""
    if not isinstance(params, dict):
        return "The request body is not valid JSON"
    for name, kind in (("model", str), ("max_tokens", int), ("messages", list)):
        if not isinstance(params.get(name), kind):
            return f"{name}: Field required"
    return None


def _forced_tool(params: dict[str, Any]) -> dict[str, Any] | None:
    """The tool the request forces the model to call (`tool_choice` tool or any), or None."""
    choice = params.get("tool_choice") or {}
    tools = params.get("tools") or []
    if choice.get("type") == "tool":
        return next((t for t in tools if t.get("name") == choice.get("name")), {"name": choice.get("name")})
    if choice.get("type") == "any" and tools:
        return tools[0]
    return None


def _cached_prefix(params: dict[str, Any]) -> list[Any] | None:
    """Tools, system and message blocks up to the last one marked `cache_control`; None without a mark."""
    system = params.get("system") or []
    blocks: list[Any] = list(params.get("tools") or [])
    blocks += [{"type": "text", "text": system}] if isinstance(system, str) else list(system)
    for message in params.get("messages") or []:
        content = message.get("content")
        blocks += [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
    if params.get("cache_control"):
        return blocks
    marked = [i for i, block in enumerate(blocks) if isinstance(block, dict) and block.get("cache_control")]
    return blocks[: marked[-1] + 1] if marked else None


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"request-id": f"req_fake{uuid.uuid4().hex[:20]}", **(extra or {})}


def _error(
    status: int, error_type: str, message: str | None, headers: dict[str, str] | None = None
) -> HttpResponse:
    request_id = f"req_fake{uuid.uuid4().hex[:20]}"
    body = {
        "type": "error",
        "error": {"type": error_type, "message": message or error_type},
        "request_id": request_id,
    }
    return HttpResponse.json(status, body, {"request-id": request_id, **(headers or {})})


def _reply_error(reply: Reply) -> HttpResponse:
    return _error(reply.status, reply.error_type or "api_error", reply.message, reply.headers)


def _sse(message: dict[str, Any], headers: dict[str, str]) -> HttpResponse:
    """The Message as the API streams it: message_start, one start/delta*/stop per block, delta, stop."""
    events: list[dict[str, Any]] = [
        {
            "type": "message_start",
            "message": {
                **message,
                "content": [],
                "stop_reason": None,
                "usage": {**message["usage"], "output_tokens": 1},
            },
        },
        {"type": "ping"},
    ]
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            events.append(
                {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}
            )
            deltas = [{"type": "text_delta", "text": part} for part in _pieces(block["text"])]
        else:
            events.append(
                {"type": "content_block_start", "index": index, "content_block": {**block, "input": {}}}
            )
            deltas = [
                {"type": "input_json_delta", "partial_json": p} for p in _pieces(json.dumps(block["input"]))
            ]
        events += [{"type": "content_block_delta", "index": index, "delta": delta} for delta in deltas]
        events.append({"type": "content_block_stop", "index": index})
    events.append(
        {
            "type": "message_delta",
            "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
            "usage": message["usage"],
        }
    )
    events.append({"type": "message_stop"})
    chunks = [f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode() for event in events]
    return HttpResponse(
        200,
        {"content-type": "text/event-stream", "cache-control": "no-cache", **_headers(headers)},
        chunks,
        streamed=True,
    )


def _pieces(text: str, size: int = 16) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
