"""The one small interface every model provider implements, and what crosses it."""

from __future__ import annotations

import email.utils
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from ai_enrichment.prompts import PromptParts


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class Repair:
    """A second request after an invalid answer: what the model said and what was wrong with it."""

    previous_answer: str
    problems: list[str]

    def instruction(self) -> str:
        listed = "\n".join(f"- {problem}" for problem in self.problems)
        return f"Your answer was rejected:\n{listed}\nCall record_enrichment again with every problem fixed."


@dataclass(frozen=True)
class ProviderAnswer:
    output: Any  # parsed JSON, or text when the model did not answer in the required form
    usage: Usage
    model: str
    request_id: str = ""
    # The ticket whose accepted reply the answer reuses: the local model's own fact about its answer,
    # not model output, so it needs no validation.
    reply_source_ticket: int | None = None


@dataclass
class ProviderError(Exception):
    """A call that produced no usable answer. `retryable` says whether trying again can help."""

    message: str
    retryable: bool
    kind: str = "http"  # http, timeout, connection, malformed: becomes AICall.error_class
    http_status: int | None = None
    retry_after: float | None = None  # seconds, as the server asked
    usage: Usage = field(default_factory=Usage)

    def __str__(self) -> str:
        return self.message


class Provider(ABC):
    name: str
    model: str
    # The prompt leaves this machine: the pipeline sends it with personal data redacted
    # (when the ticket's source asks for it, as it does by default).
    external: bool = True

    @abstractmethod
    def complete(
        self, *, prompt: PromptParts, repair: Repair | None, max_output_tokens: int, timeout: float
    ) -> ProviderAnswer:
        """One request, no retries (the pipeline's single retry loop owns those)."""


def parse_retry_after(headers) -> float | None:
    """Seconds from `retry-after-ms`, or `retry-after` as seconds or an HTTP date."""
    if headers is None:
        return None
    if value := headers.get("retry-after-ms"):
        try:
            return max(float(value) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(parsed.timestamp() - time.time(), 0.0) if parsed else None
