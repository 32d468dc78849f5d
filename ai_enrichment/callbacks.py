"""Send finished enrichments back to the source system: signed, retried with backoff, recorded.

Delivery is at-least-once: a receiver may see the same `X-Delivery-Id` twice (after a timeout on our
side, say) and should treat the second as a duplicate.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from contextlib import contextmanager
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection, transaction
from django.utils import timezone

from ai_enrichment.models import CallbackDelivery, Enrichment
from ai_enrichment.serializers import EnrichmentOutputSerializer

USER_AGENT = "support-ai-callbacks/1"


def callback_payload(enrichment: Enrichment) -> dict:
    ticket = enrichment.ticket
    return {
        "event": "ticket.enriched",
        "delivery_id": f"enrichment-{enrichment.pk}",
        "ticket": {"id": ticket.pk, "external_id": ticket.external_id},
        "enrichment": EnrichmentOutputSerializer(enrichment).data,
    }


# The first key of the PostgreSQL advisory locks that keep two tasks from delivering the same callback.
DELIVERY_LOCK_NAMESPACE = 7301


@contextmanager
def _delivery_lock(enrichment_id: int):
    """Yield whether this task holds the enrichment's delivery lock (a session advisory lock: it ends
    with the connection if the worker dies). Two tasks for one callback (a sweeper's requeue racing the
    original, a redelivered task) then never post at the same time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [DELIVERY_LOCK_NAMESPACE, enrichment_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        # A connection that died took the lock with it.
        if held:
            with contextlib.suppress(DatabaseError, InterfaceError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [DELIVERY_LOCK_NAMESPACE, enrichment_id])


def callback_deliver(*, enrichment_id: int, attempt: int) -> CallbackDelivery | None:
    """One delivery attempt; on failure, schedules the next one with exponential backoff."""
    with _delivery_lock(enrichment_id) as held:
        if not held:
            return None  # another task is delivering this callback right now
        return _deliver(enrichment_id=enrichment_id, attempt=attempt)


def _deliver(*, enrichment_id: int, attempt: int) -> CallbackDelivery | None:
    enrichment = (
        Enrichment.objects.select_related("ticket__source", "reply_source_ticket")
        .filter(pk=enrichment_id)
        .first()
    )
    if enrichment is None or not enrichment.ticket.source.callback_url:
        return None
    if enrichment.callback_deliveries.filter(delivered=True).exists():
        return None  # a redelivered task after success: nothing to do
    source = enrichment.ticket.source
    body = json.dumps(callback_payload(enrichment), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Delivery-Id": f"enrichment-{enrichment.pk}",
        "X-Signature-Timestamp": str(timestamp),
    }
    if source.signing_secret:
        headers["X-Signature"] = source.callback_signature(body=body, timestamp=timestamp)

    started = time.monotonic()
    status_code, error = None, ""
    try:
        response = httpx.post(
            source.callback_url, content=body, headers=headers, timeout=settings.CALLBACK_TIMEOUT_SECONDS
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:200]}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    # The failed attempt and its retry are stored together: a database that goes down between the two
    # must not leave an attempt on record with no retry coming (the sweeper only recovers enrichments
    # with no attempt at all).
    with transaction.atomic():
        delivery = CallbackDelivery.objects.create(
            enrichment=enrichment,
            source=source,
            url=source.callback_url,
            attempt=attempt,
            delivered=not error,
            status_code=status_code,
            latency_ms=int((time.monotonic() - started) * 1000),
            error=error,
        )
        if error and attempt < settings.CALLBACK_MAX_ATTEMPTS:
            _schedule_retry(enrichment_id=enrichment.pk, attempt=attempt + 1)
    return delivery


def callback_retry_delay(attempt: int) -> timedelta:
    """Before attempt 2: ~base; then doubling, jittered, at most 6 hours apart."""
    seconds = min(settings.CALLBACK_RETRY_BASE_SECONDS * 2 ** (attempt - 2), 6 * 3600)
    return timedelta(seconds=random.uniform(seconds * 0.8, seconds * 1.2))


def _schedule_retry(*, enrichment_id: int, attempt: int) -> None:
    from django_q.models import Schedule
    from django_q.tasks import schedule

    schedule(
        "ai_enrichment.tasks.deliver_callback",
        enrichment_id,
        attempt,
        schedule_type=Schedule.ONCE,
        next_run=timezone.now() + callback_retry_delay(attempt),
    )
