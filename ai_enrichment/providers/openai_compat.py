"""Any OpenAI-compatible `/v1/chat/completions` endpoint (vLLM, Ollama, llama.cpp server), asked for
JSON that follows the answer schema."""

from __future__ import annotations

import json

import httpx
from django.conf import settings

from ai_enrichment.prompts import PromptParts
from ai_enrichment.providers.base import (
    Provider,
    ProviderAnswer,
    ProviderError,
    Repair,
    Usage,
    parse_retry_after,
)

RETRYABLE_STATUSES = {408, 409, 429, 500, 502, 503, 504}


class OpenAICompatibleProvider(Provider):
    name = "openai_compatible"

    def __init__(self) -> None:
        self.model = settings.OPENAI_COMPAT_MODEL
        self.external = not settings.OPENAI_COMPAT_SELF_HOSTED
        self.url = settings.OPENAI_COMPAT_BASE_URL.rstrip("/") + "/chat/completions"
        self.headers = (
            {"Authorization": f"Bearer {settings.OPENAI_COMPAT_API_KEY}"}
            if settings.OPENAI_COMPAT_API_KEY
            else {}
        )

    def complete(
        self, *, prompt: PromptParts, repair: Repair | None, max_output_tokens: int, timeout: float
    ) -> ProviderAnswer:
        messages = [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": prompt.ticket_data},
        ]
        if repair:
            messages += [
                {"role": "assistant", "content": repair.previous_answer or "(no answer)"},
                {"role": "user", "content": repair.instruction()},
            ]
        payload = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_output_tokens,
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "record_enrichment", "schema": prompt.schema, "strict": True},
            },
        }
        try:
            response = httpx.post(self.url, json=payload, headers=self.headers, timeout=timeout)
        except httpx.TimeoutException:
            raise ProviderError(f"no answer within {timeout:g} s", retryable=True, kind="timeout") from None
        except httpx.TransportError as error:
            raise ProviderError(f"could not connect: {error}", retryable=True, kind="connection") from None
        if response.status_code != 200:
            status = response.status_code
            raise ProviderError(
                f"HTTP {status}: {response.text[:300]}",
                retryable=status in RETRYABLE_STATUSES or status >= 500,
                http_status=status,
                retry_after=parse_retry_after(response.headers),
            )
        try:
            body = response.json()
            content = body["choices"][0]["message"]["content"] or ""
            usage = body.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise ProviderError(f"malformed response: {error!r}", retryable=True, kind="malformed") from None
        try:
            output = json.loads(content)
        except ValueError:
            output = content  # not JSON: validation rejects it and asks for a repair
        return ProviderAnswer(
            output=output,
            usage=Usage(
                input_tokens=usage.get("prompt_tokens") or 0,
                output_tokens=usage.get("completion_tokens") or 0,
            ),
            model=body.get("model") or self.model,
            request_id=body.get("id") or "",
        )
