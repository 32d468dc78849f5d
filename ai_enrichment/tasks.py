"""django-q2 tasks: each takes ids, never objects, and calls a service."""

from ai_enrichment.answer_cache import answer_cache_sweep
from ai_enrichment.callbacks import callback_deliver
from ai_enrichment.label_model import label_models_refit
from ai_enrichment.pipeline import enrich_ticket_batch
from ai_enrichment.services import (
    enrichment_callbacks_requeue_missing,
    enrichment_requeue_stale,
    task_history_prune,
)


def enrich_ticket(ticket_id: int) -> int:
    return enrich_ticket_batch(ticket_id=ticket_id)


def deliver_callback(enrichment_id: int, attempt: int = 1) -> None:
    callback_deliver(enrichment_id=enrichment_id, attempt=attempt)


def requeue_stale_enrichments() -> int:
    return enrichment_requeue_stale()


def requeue_missing_callbacks() -> int:
    return enrichment_callbacks_requeue_missing()


def sweep_answer_cache() -> int:
    return answer_cache_sweep()


def prune_task_history() -> int:
    return task_history_prune()


def refit_label_models() -> int:
    """Scheduled, and queued after an import of labeled history."""
    from django.conf import settings

    # Half the queue's timeout: the task ends by itself, and the next run fits the sources left.
    return len(label_models_refit(time_budget_seconds=settings.Q_CLUSTER["timeout"] / 2))


def collect_message_batches() -> int:
    """Scheduled: apply the results of the backfill's Message Batches that have ended."""
    from django.conf import settings

    from ai_enrichment.backlog import backlog_batches_collect

    # Half the queue's timeout: the task ends by itself, and the next one goes on where it stopped.
    return len(backlog_batches_collect(time_budget_seconds=settings.Q_CLUSTER["timeout"] / 2).ended)
