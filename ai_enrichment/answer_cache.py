"""Answers worth keeping: an exact cache of prompts already answered, and a semantic cache of
near-identical tickets. A hit skips the provider and is recorded as an AICall with status `cache_hit`.

Exact: the key hashes provider, model, prompt version, taxonomy version, the call's parameters and the
prompt as sent (redacted), so a change to the ticket, its retrieved context, the taxonomy or the prompt
version is a new key: that is the invalidation. Two tickets whose redacted prompts are identical share
an answer, and each gets its own personal data back from its own placeholders. Rows live in PostgreSQL,
deleted with their ticket (so a purge removes them) or after AI_ANSWER_CACHE_TTL_SECONDS; with
REDIS_URL, a copy in Redis serves hits without a database round trip.

Semantic: the nearest cached answer by ticket embedding within the same source, prompt version and
taxonomy version, at cosine similarity AI_SEMANTIC_CACHE_THRESHOLD or above (0.95, chosen from the
BANKING77 measurement in BENCHMARKS.md), and only when
  - the answer carries no placeholder (its personal data would be another ticket's),
  - it names nobody, or names the same customer (CachedAnswer.reuse),
  - the two tickets agree on negation and on every number (`ticket_guard`): "I want to cancel" and
    "I do not want to cancel" embed close together but are different questions (GPTCache#694).
Only answers from external providers are kept: the local model costs nothing to ask again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.utils import timezone
from pgvector.django import CosineDistance

from ai_enrichment.models import AICall, CachedAnswer
from ai_enrichment.prompts import PromptParts
from ai_enrichment.redaction import PLACEHOLDER, redactor
from tickets.models import Ticket

logger = logging.getLogger(__name__)
Reuse = CachedAnswer.Reuse
REDIS_PREFIX = "ai-answer:"
NEGATION = re.compile(
    r"\b(?:not?|never|nothing|nobody|none|cannot|without|neither|nor)\b|n't\b", re.IGNORECASE
)
NUMBER = re.compile(r"\d+")
NAME_PART_MIN_CHARS = 3  # shorter parts of a customer's name ("Li", "Al") match too many ordinary words


@dataclass(frozen=True)
class CacheHit:
    answer: dict  # the provider's answer as it passed validation, to be validated again for this ticket
    model: str
    kind: str  # AICall.Cache
    ticket_id: int  # the ticket it was first given for
    similarity: float = 1.0

    def note(self) -> str:
        """What agents read on the suggestion."""
        if self.kind == AICall.Cache.EXACT:
            return "Served from the answer cache: the same request was answered before."
        return (
            f"Reused the suggestion for near-identical ticket #{self.ticket_id} "
            f"(similarity {self.similarity:.2f})."
        )


def answer_cache_enabled() -> bool:
    return settings.AI_ANSWER_CACHE_TTL_SECONDS > 0


def answer_cache_key(
    *, provider: str, model: str, prompt: PromptParts, taxonomy_version: str, max_output_tokens: int
) -> str:
    payload = json.dumps(
        [
            provider,
            model,
            prompt.version,
            taxonomy_version,
            max_output_tokens,
            prompt.schema,
            prompt.system,
            prompt.ticket_data,
        ],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def answer_cache_get(*, key: str) -> CacheHit | None:
    """The answer stored under exactly this key, if it has not expired."""
    redis = _redis()
    if redis is not None and (stored := redis.get(REDIS_PREFIX + key)) is not None:
        return CacheHit(**stored)
    rows = CachedAnswer.objects.filter(key=key, expires_at__gt=timezone.now()).values_list(
        "answer", "model", "ticket_id", "expires_at"
    )[:1]
    row = rows[0] if rows else None
    if row is None:
        return None
    answer, model, ticket_id, expires_at = row
    hit = CacheHit(answer=answer, model=model, kind=AICall.Cache.EXACT, ticket_id=ticket_id)
    if redis is not None:  # stored before Redis was configured, or evicted from it
        _redis_set(redis, key=key, hit=hit, expires_at=expires_at)
    return hit


def answer_cache_similar(
    *, ticket: Ticket, vector: list[float] | None, prompt_version: str, taxonomy_version: str
) -> CacheHit | None:
    """The nearest reusable answer given for another ticket of the same source (see the module doc)."""
    threshold = settings.AI_SEMANTIC_CACHE_THRESHOLD
    if not threshold or vector is None:
        return None
    reusable = Q(reuse=Reuse.ANYONE)
    if customer := customer_sha256(ticket):
        reusable |= Q(reuse=Reuse.CUSTOMER, customer_sha256=customer)
    row = (
        CachedAnswer.objects.filter(
            reusable,
            source_id=ticket.source_id,
            prompt_version=prompt_version,
            taxonomy_version=taxonomy_version,
            guard=ticket_guard(f"{ticket.subject}\n{ticket.body}"),
            expires_at__gt=timezone.now(),
            embedding__isnull=False,
        )
        .exclude(ticket_id=ticket.pk)  # its own earlier answer was for text that has since changed
        .annotate(distance=CosineDistance("embedding", vector))
        .filter(distance__lte=1 - threshold)
        .order_by("distance")
        .values_list("answer", "model", "ticket_id", "distance")
        .first()
    )
    if row is None:
        return None
    answer, model, ticket_id, distance = row
    return CacheHit(
        answer=answer, model=model, kind=AICall.Cache.SEMANTIC, ticket_id=ticket_id, similarity=1 - distance
    )


def answer_cache_put(
    *,
    key: str,
    ticket: Ticket,
    provider: str,
    model: str,
    prompt: PromptParts,
    taxonomy_version: str,
    answer: dict,
) -> None:
    """Keep a validated answer. A second answer for the same key (two workers, one prompt) replaces the first."""
    expires_at = timezone.now() + timedelta(seconds=settings.AI_ANSWER_CACHE_TTL_SECONDS)
    CachedAnswer.objects.bulk_create(
        [
            CachedAnswer(
                key=key,
                ticket=ticket,
                source_id=ticket.source_id,
                customer_sha256=customer_sha256(ticket),
                provider=provider,
                model=model,
                prompt_version=prompt.version,
                taxonomy_version=taxonomy_version,
                answer=answer,
                reuse=_reuse(answer=answer, ticket=ticket, redacted=prompt.redaction is not None),
                guard=ticket_guard(f"{ticket.subject}\n{ticket.body}"),
                embedding=prompt.context.vector,
                expires_at=expires_at,
            )
        ],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["ticket", "answer", "model", "reuse", "guard", "embedding", "expires_at"],
    )
    if (redis := _redis()) is not None:
        hit = CacheHit(answer=answer, model=model, kind=AICall.Cache.EXACT, ticket_id=ticket.pk)
        _redis_set(redis, key=key, hit=hit, expires_at=expires_at)


def answer_cache_forget(*, ticket_ids: list[int]) -> None:
    """Drop the Redis copies of these tickets' answers (their rows go with the tickets)."""
    if (redis := _redis()) is not None:
        keys = CachedAnswer.objects.filter(ticket_id__in=ticket_ids).values_list("key", flat=True)
        redis.delete_many([REDIS_PREFIX + key for key in keys])


def answer_cache_sweep() -> int:
    """Delete expired answers (a scheduled task). Redis expires its copies by itself."""
    deleted, _ = CachedAnswer.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def customer_sha256(ticket: Ticket) -> str:
    """Who the ticket is from, as the customer history matches it (external id, else e-mail); "" if unknown."""
    identity = ticket.customer_external_id or ticket.customer_email.lower()
    if not identity:
        return ""
    return hashlib.sha256(f"{ticket.source_id}:{identity}".encode()).hexdigest()


def ticket_guard(text: str) -> str:
    """What two near-identical tickets must share before one's answer serves the other: whether they
    negate, and every number they mention."""
    negated = bool(NEGATION.search(text))
    numbers = sorted(set(NUMBER.findall(text)))
    return hashlib.sha256(json.dumps([negated, numbers]).encode()).hexdigest()


def _reuse(*, answer: dict, ticket: Ticket, redacted: bool) -> str:
    text = f"{answer.get('summary', '')}\n{answer.get('suggested_reply', '')}"
    if PLACEHOLDER.search(text):
        return Reuse.NOBODY
    folded = text.casefold()
    personal = {part for part in ticket.customer_name.split() if len(part) >= NAME_PART_MIN_CHARS}
    personal |= {ticket.customer_email, ticket.customer_external_id}
    if not redacted:  # the model saw the ticket's personal data as it is, and may quote it
        ticket_text = f"{ticket.subject}\n{ticket.body}"
        personal |= {ticket_text[found.start : found.end] for found in redactor().detect(ticket_text)}
    if any(value and value.casefold() in folded for value in personal):
        return Reuse.CUSTOMER
    return Reuse.ANYONE


def _redis():
    return caches["default"] if settings.REDIS_URL else None


def _redis_set(redis, *, key: str, hit: CacheHit, expires_at) -> None:
    timeout = max(int((expires_at - timezone.now()).total_seconds()), 1)
    redis.set(REDIS_PREFIX + key, hit.__dict__, timeout=timeout)
