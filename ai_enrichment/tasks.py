"""django-q2 tasks: each takes ids, never objects, and calls a service."""

from ai_enrichment.callbacks import callback_deliver
from ai_enrichment.pipeline import enrich_ticket_batch
from ai_enrichment.services import enrichment_requeue_stale


def enrich_ticket(ticket_id: int) -> int:
    return enrich_ticket_batch(ticket_id=ticket_id)


def deliver_callback(enrichment_id: int, attempt: int = 1) -> None:
    callback_deliver(enrichment_id=enrichment_id, attempt=attempt)


def requeue_stale_enrichments() -> int:
    return enrichment_requeue_stale()
