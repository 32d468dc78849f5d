"""Every provider call is accounted: tokens, cost, latency, model, prompt version, outcome."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from ai_enrichment.models import AIBatch, AICall, Enrichment
from ai_enrichment.providers.base import Usage

MILLION = Decimal(1_000_000)
# Message Batches are billed at half the list price, input and output alike.
BATCH_PRICE_FACTOR = Decimal("0.5")


def cost_usd(*, model: str, usage: Usage, batch: bool = False) -> Decimal:
    """Cost from the AI_PRICES table (USD per million tokens), matched by the longest model prefix;
    at BATCH_PRICE_FACTOR for a request sent in a Message Batch.

    An unknown model costs 0 rather than failing the enrichment; the dashboard shows its calls anyway.
    """
    matches = [name for name in settings.AI_PRICES if model.startswith(name)]
    if not matches:
        return Decimal(0)
    price = settings.AI_PRICES[max(matches, key=len)]

    def part(tokens: int, key: str) -> Decimal:
        return Decimal(tokens) * Decimal(str(price.get(key, price.get("input", 0)))) / MILLION

    total = (
        part(usage.input_tokens, "input")
        + part(usage.output_tokens, "output")
        + part(usage.cache_read_tokens, "cache_read")
        + part(usage.cache_write_tokens, "cache_write")
    )
    if batch:
        total *= BATCH_PRICE_FACTOR
    return total.quantize(Decimal("0.000001"))


def ai_call_record(
    *,
    enrichment: Enrichment,
    provider: str,
    model: str,
    prompt_version: str,
    input_text: str,
    attempt: int,
    is_repair: bool,
    status: str,
    usage: Usage,
    latency_ms: int,
    error_class: str = "",
    error_message: str = "",
    http_status: int | None = None,
    request_id: str = "",
    redactions: dict[str, int] | None = None,
    routing: str = "",
    cache: str = "",
    batch: AIBatch | None = None,
) -> AICall:
    return AICall.objects.create(
        ticket_id=enrichment.ticket_id,
        enrichment=enrichment,
        provider=provider,
        model=model,
        prompt_version=prompt_version,
        input_hash=AICall.hash_input(input_text),
        attempt=attempt,
        is_repair=is_repair,
        status=status,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        cost_usd=cost_usd(model=model, usage=usage, batch=batch is not None),
        latency_ms=latency_ms,
        error_class=error_class[:100],
        error_message=error_message[:500],
        http_status=http_status,
        request_id=request_id[:100],
        redactions=redactions,
        routing=routing,
        cache=cache,
        batch=batch,
    )
