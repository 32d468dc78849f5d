"""Writes for sources and tickets (ingest, purge). Views, commands and tasks call these; nothing else writes."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from ai_enrichment.models import Enrichment
from ai_enrichment.services import enrichment_request
from config.metrics import TICKETS_INGESTED
from tickets.models import Purge, Source, Ticket

API_KEY_PREFIX = "tsk_"


@dataclass(frozen=True)
class SourceCreated:
    source: Source
    api_key: str  # shown once; only its hash is stored


def source_create(
    *,
    name: str,
    slug: str = "",
    callback_url: str = "",
    signing_secret: str = "",
    is_active: bool = True,
    redact_pii: bool = True,
    is_sensitive: bool = False,
) -> SourceCreated:
    source = Source(
        name=name,
        slug=slug or slugify(name),
        callback_url=callback_url,
        signing_secret=signing_secret,
        is_active=is_active,
        redact_pii=redact_pii,
        is_sensitive=is_sensitive,
    )
    api_key = source_assign_api_key(source=source)
    source.full_clean()
    source.save()
    return SourceCreated(source=source, api_key=api_key)


def source_rotate_api_key(*, source: Source) -> str:
    """Replace the source's key; the old one stops working at once. Returns the new key (shown once)."""
    api_key = source_assign_api_key(source=source)
    source.save(update_fields=["api_key_hash", "api_key_prefix"])
    return api_key


def source_assign_api_key(*, source: Source) -> str:
    """Give the (unsaved) source a fresh random key and return it; only its hash is kept."""
    api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    source.api_key_hash = Source.hash_api_key(api_key)
    source.api_key_prefix = api_key[: len(API_KEY_PREFIX) + 4]
    return api_key


class IngestOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"  # content changed: queued for enrichment again
    UNCHANGED = "unchanged"  # same content delivered again: no new work
    STALE = "stale"  # older than what we hold (out-of-order delivery): ignored


@dataclass(frozen=True)
class TicketIngestResult:
    ticket: Ticket
    outcome: IngestOutcome
    enrichment: Enrichment | None  # the pending one requested by this delivery, if it requested one


# The fields a source system owns. A change to any of them is new content.
_CONTENT_FIELDS = (
    "subject",
    "body",
    "customer_external_id",
    "customer_email",
    "customer_name",
    "language",
    "channel",
    "status",
    "metadata",
)


def ticket_ingest(
    *,
    source: Source,
    external_id: str,
    subject: str,
    body: str,
    customer_external_id: str = "",
    customer_email: str = "",
    customer_name: str = "",
    language: str = "",
    channel: str = Ticket.Channel.OTHER,
    status: str = Ticket.Status.NEW,
    metadata: dict | None = None,
    source_updated_at: datetime | None = None,
    enrich: bool = True,
) -> TicketIngestResult:
    """Create or update a ticket by (source, external_id), idempotently.

    The ticket and its pending enrichment are committed together; the enrichment task is queued only
    after the commit, so the caller never waits on AI and a queue hiccup cannot lose the ticket.
    `enrich=False` stores the ticket only (importing resolved history: no AI spend on old tickets).
    """
    content = {
        "subject": subject,
        "body": body,
        "customer_external_id": customer_external_id,
        "customer_email": customer_email,
        "customer_name": customer_name,
        "language": language,
        "channel": channel,
        "status": status,
        "metadata": metadata or {},
    }
    content_hash = _content_hash(content)
    with transaction.atomic():
        # FOR UPDATE serialises concurrent deliveries of the same ticket; get_or_create retries the
        # read if a concurrent insert wins the unique constraint.
        ticket, created = Ticket.objects.select_for_update().get_or_create(
            source=source,
            external_id=external_id,
            defaults={**content, "content_hash": content_hash, "source_updated_at": source_updated_at},
        )
        if created:
            outcome = IngestOutcome.CREATED
        elif source_updated_at and ticket.source_updated_at and source_updated_at < ticket.source_updated_at:
            outcome = IngestOutcome.STALE
        elif content_hash == ticket.content_hash:
            outcome = IngestOutcome.UNCHANGED
        else:
            for field, value in content.items():
                setattr(ticket, field, value)
            ticket.content_hash = content_hash
            ticket.source_updated_at = source_updated_at or ticket.source_updated_at
            ticket.save(update_fields=[*_CONTENT_FIELDS, "content_hash", "source_updated_at", "updated_at"])
            outcome = IngestOutcome.UPDATED

        if enrich and outcome in (IngestOutcome.CREATED, IngestOutcome.UPDATED):
            # In the same transaction: a stored ticket always has its pending enrichment.
            enrichment = enrichment_request(
                ticket=ticket,
                trigger=Enrichment.Trigger.CREATED
                if outcome == IngestOutcome.CREATED
                else Enrichment.Trigger.UPDATED,
            )
        else:
            enrichment = None
    TICKETS_INGESTED.labels(outcome=outcome.value).inc()
    return TicketIngestResult(ticket=ticket, outcome=outcome, enrichment=enrichment)


def _content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class PurgeResult:
    counts: dict[str, int]  # rows deleted per model label; all kinds a ticket can own are listed
    purge: Purge | None  # the audit record; None for a dry run


# Everything a ticket owns is deleted with it (on_delete=CASCADE): its enrichments and their AI calls,
# callback deliveries, its place in a message batch, agents' feedback, its confirmed label, its embedding
# and its cached answers.
# Listed so a report names every kind, 0 included.
PURGED_MODELS = (
    "tickets.Ticket",
    "ai_enrichment.Enrichment",
    "ai_enrichment.AICall",
    "ai_enrichment.CallbackDelivery",
    "ai_enrichment.TicketEmbedding",
    "ai_enrichment.CachedAnswer",
    "ai_enrichment.AIBatchRequest",
    "feedback.Feedback",
    "feedback.TicketLabel",
)
PURGE_BATCH = 500  # tickets per transaction: a large retention run never holds long locks


def tickets_purge(
    *,
    tickets: QuerySet[Ticket],
    requested_via: str,
    requested_by: str,
    source: Source | None = None,
    customer: str = "",
    older_than_days: int | None = None,
    dry_run: bool = False,
) -> PurgeResult:
    """Delete these tickets and everything they own, in batches, and keep an audit record of it.

    The audit record is written first and its counts updated after each batch, so an interrupted purge
    still shows what it deleted (`finished_at` stays empty). A dry run deletes the same rows in a
    transaction that is rolled back: its counts are exact, nothing changes and nothing is recorded.
    """
    counts = dict.fromkeys(PURGED_MODELS, 0)
    ids = list(tickets.order_by("id").values_list("id", flat=True))
    if dry_run:
        with transaction.atomic():
            _purge_batches(ids, counts)
            transaction.set_rollback(True)
        return PurgeResult(counts=counts, purge=None)
    purge = Purge.objects.create(
        requested_via=requested_via,
        requested_by=requested_by[:200],
        source=source,
        customer_sha256=Purge.hash_customer(customer) if customer else "",
        older_than_days=older_than_days,
        counts=counts,
    )
    _purge_batches(ids, counts, purge=purge)
    purge.finished_at = timezone.now()
    purge.save(update_fields=["counts", "finished_at"])
    return PurgeResult(counts=counts, purge=purge)


def _purge_batches(ids: list[int], counts: dict[str, int], *, purge: Purge | None = None) -> None:
    from ai_enrichment.answer_cache import answer_cache_forget  # ai_enrichment builds on tickets

    for start in range(0, len(ids), PURGE_BATCH):
        with transaction.atomic():
            answer_cache_forget(ticket_ids=ids[start : start + PURGE_BATCH])  # its Redis copies, if any
            _total, deleted = Ticket.objects.filter(id__in=ids[start : start + PURGE_BATCH]).delete()
            for label, count in deleted.items():
                counts[label] = counts.get(label, 0) + count
            if purge is not None:
                purge.counts = counts
                purge.save(update_fields=["counts"])
