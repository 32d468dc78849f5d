"""Claude through the official `anthropic` SDK: forced tool use for structured output, the static
prefix marked for prompt caching, and the SDK's own retries off (the pipeline retries, once, its way)."""

from __future__ import annotations

import json

import anthropic
from django.conf import settings

from ai_enrichment.prompts import TOOL_NAME, PromptParts
from ai_enrichment.providers.base import (
    Provider,
    ProviderAnswer,
    ProviderError,
    Repair,
    Usage,
    parse_retry_after,
)

RETRYABLE_STATUSES = {408, 409, 429, 500, 502, 503, 504, 529}
# A 429 that retrying cannot fix: the organisation's spend limit or credit is exhausted.
SPEND_LIMIT_MARKERS = ("spend limit", "credit balance", "billing", "quota")


class AnthropicProvider(Provider):
    name = "anthropic"

    def __init__(self) -> None:
        self.model = settings.AI_MODEL
        # Key and base URL passed explicitly, so the SDK never goes looking for profiles or other
        # credentials on disk or over the network.
        self.client = anthropic.Anthropic(
            api_key=settings.ANTHROPIC_API_KEY, base_url=settings.ANTHROPIC_BASE_URL, max_retries=0
        )

    def request_params(self, *, prompt: PromptParts, repair: Repair | None, max_output_tokens: int) -> dict:
        """The Messages API request for this prompt: sent as it is, or as one request of a Message Batch."""
        messages: list[dict] = [{"role": "user", "content": prompt.ticket_data}]
        if repair:
            messages += [
                {"role": "assistant", "content": repair.previous_answer or "(no answer)"},
                {"role": "user", "content": repair.instruction()},
            ]
        return {
            "model": self.model,
            "max_tokens": max_output_tokens,
            "system": [{"type": "text", "text": prompt.system, "cache_control": {"type": "ephemeral"}}],
            "tools": [
                {
                    "name": TOOL_NAME,
                    "description": "Record the triage of this support ticket.",
                    "input_schema": prompt.schema,
                }
            ],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
            "messages": messages,
        }

    def complete(
        self, *, prompt: PromptParts, repair: Repair | None, max_output_tokens: int, timeout: float
    ) -> ProviderAnswer:
        params = self.request_params(prompt=prompt, repair=repair, max_output_tokens=max_output_tokens)
        try:
            message = self.client.messages.create(**params, timeout=timeout)
        except anthropic.APITimeoutError:
            raise ProviderError(f"no answer within {timeout:g} s", retryable=True, kind="timeout") from None
        except anthropic.APIConnectionError as error:
            raise ProviderError(
                f"could not connect: {error.__cause__ or error}", retryable=True, kind="connection"
            ) from None
        except anthropic.APIStatusError as error:
            raise _status_error(error) from None
        except ValueError as error:  # the SDK lets a body that is not JSON through as JSONDecodeError
            raise ProviderError(
                f"malformed response body: {error}", retryable=True, kind="malformed"
            ) from None
        return self.answer_from_message(message)

    def answer_from_message(self, message: object) -> ProviderAnswer:
        """The answer a Message carries (from a request, or a Message Batch's result)."""
        if not isinstance(message, anthropic.types.Message) or message.usage is None:
            raise ProviderError(
                "malformed response: not a Messages API message", retryable=True, kind="malformed"
            )
        usage = Usage(
            input_tokens=message.usage.input_tokens or 0,
            output_tokens=message.usage.output_tokens or 0,
            cache_read_tokens=message.usage.cache_read_input_tokens or 0,
            cache_write_tokens=message.usage.cache_creation_input_tokens or 0,
        )
        tool_inputs = [
            block.input
            for block in message.content or []
            if block.type == "tool_use" and block.name == TOOL_NAME
        ]
        if tool_inputs:
            output = tool_inputs[0]
        else:
            output = "".join(block.text for block in message.content or [] if block.type == "text")
        return ProviderAnswer(
            output=output, usage=usage, model=message.model or self.model, request_id=message.id or ""
        )


def _status_error(error: anthropic.APIStatusError) -> ProviderError:
    status = error.status_code
    detail = _error_message(error)
    retryable = status in RETRYABLE_STATUSES or status >= 500
    if status == 429 and any(marker in detail.lower() for marker in SPEND_LIMIT_MARKERS):
        retryable = False
    return ProviderError(
        f"HTTP {status}: {detail}"[:480],
        retryable=retryable,
        http_status=status,
        retry_after=parse_retry_after(error.response.headers),
    )


def _error_message(error: anthropic.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict) and inner.get("message"):
            return f"{inner.get('type', 'error')}: {inner['message']}"
    return json.dumps(body)[:300] if body is not None else error.message
