"""A fake of the OpenAI API (chat completions and embeddings), same scripting and recording as FakeAnthropic.

    with FakeOpenAI() as fake:
        fake.script(Reply(tool_input={"category": "billing"}))
        # POST {fake.base_url}/v1/chat/completions -> choices[0].message.content == '{"category": "billing"}'

`POST /v1/chat/completions` takes one scripted `Reply` (or `default`): `tool_input` becomes the JSON text of
the content (the product asks for `response_format: {"type": "json_schema", ...}`), `text` the text itself.
Unscripted, it answers a minimal value of the requested JSON schema, or a fixed text. Streaming is not faked
(400). `POST /v1/embeddings` is not scripted: it always answers deterministic unit vectors derived from a
hash of each input, of the requested `dimensions` or `embedding_dim`, as floats or base64 like the real API.
Token counts are estimates (JSON length / 4). Requests need an `Authorization: Bearer` header.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import struct
import time
import uuid
from collections.abc import Callable
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

OpenAIStep = Reply | Callable[[RecordedRequest], Reply]

_DEFAULT_TEXT = "This is a fake answer."


class FakeOpenAI(FakeServer[Reply]):
    """The OpenAI API on 127.0.0.1; see the module docstring."""

    def __init__(self, default: OpenAIStep | None = None, embedding_dim: int = 384) -> None:
        super().__init__(default if default is not None else Reply())
        self.embedding_dim = embedding_dim

    def _dispatch(self, request: RecordedRequest) -> HttpResponse:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return _error(
                401, "invalid_request_error", "You didn't provide an API key.", code="invalid_api_key"
            )
        route = (request.method, request.path.rstrip("/"))
        if route == ("POST", "/v1/chat/completions"):
            return self._chat(request)
        if route == ("POST", "/v1/embeddings"):
            return self._embeddings(request)
        return _error(404, "invalid_request_error", f"Invalid URL ({request.method} {request.path})")

    def _chat(self, request: RecordedRequest) -> HttpResponse:
        params = request.json
        if not isinstance(params, dict) or not isinstance(params.get("model"), str):
            return _error(400, "invalid_request_error", "you must provide a model parameter")
        if not isinstance(params.get("messages"), list):
            return _error(400, "invalid_request_error", "Missing required parameter: 'messages'.")
        if params.get("stream"):
            return _error(400, "invalid_request_error", "FakeOpenAI does not stream")
        reply = self._next_step(request)
        return reply_response(
            reply,
            lambda: HttpResponse.json(200, _completion(params, reply), _headers(reply.headers)),
            lambda r: _error(r.status, r.error_type or "api_error", r.message, headers=r.headers),
        )

    def _embeddings(self, request: RecordedRequest) -> HttpResponse:
        params = request.json if isinstance(request.json, dict) else {}
        inputs = params.get("input")
        if inputs is None or not isinstance(params.get("model"), str):
            return _error(400, "invalid_request_error", "'input' and 'model' are required")
        texts = (
            [inputs]
            if isinstance(inputs, str)
            else [json.dumps(x) if not isinstance(x, str) else x for x in inputs]
        )
        dim = int(params.get("dimensions") or self.embedding_dim)
        as_base64 = params.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(texts):
            vector = fake_embedding(text, dim)
            encoded: Any = (
                base64.b64encode(struct.pack(f"<{dim}f", *vector)).decode() if as_base64 else vector
            )
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(estimate_tokens(text) for text in texts)
        body = {
            "object": "list",
            "data": data,
            "model": params["model"],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        return HttpResponse.json(200, body, _headers())


def fake_embedding(text: str, dim: int) -> list[float]:
    """A unit vector that depends only on `text` and `dim` (the same on every run and machine)."""
    rng = random.Random(hashlib.sha256(text.encode()).digest())
    vector = [rng.gauss(0.0, 1.0) for _ in range(dim)]
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def _completion(params: dict[str, Any], reply: Reply) -> dict[str, Any]:
    if reply.tool_input is not None:
        content = json.dumps(reply.tool_input)
    elif reply.text is not None:
        content = reply.text
    elif (params.get("response_format") or {}).get("type") == "json_schema":
        content = json.dumps(
            example_from_schema(params["response_format"].get("json_schema", {}).get("schema", {}))
        )
    else:
        content = _DEFAULT_TEXT
    prompt_tokens, completion_tokens = estimate_tokens(params), estimate_tokens(content)
    return {
        "id": f"chatcmpl-fake{uuid.uuid4().hex[:20]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": params["model"],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": reply.stop_reason or "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": "fp_fake",
    }


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"x-request-id": f"req_fake{uuid.uuid4().hex[:20]}", **(extra or {})}


def _error(
    status: int,
    error_type: str,
    message: str | None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """OpenAI's error body; `type` is the Reply's error type (the Anthropic names: a fake's simplification)."""
    body = {"error": {"message": message or error_type, "type": error_type, "param": None, "code": code}}
    return HttpResponse.json(status, body, _headers(headers))
