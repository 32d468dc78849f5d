"""Writes for enrichments: request, claim, finish, and recover the ones a dead worker left behind."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from ai_enrichment.models import Enrichment
from ai_enrichment.validation import EnrichmentOutput
from tickets.models import Ticket

logger = logging.getLogger(__name__)

Status = Enrichment.Status
# A worker that dies mid-run leaves its claim behind; after this many claims we stop trying and say so.
MAX_CLAIMS = 3


def enrichment_request(
    *, ticket: Ticket, trigger: str = Enrichment.Trigger.CREATED, queue: bool = True
) -> Enrichment:
    """Make a new pending enrichment the ticket's current one, and queue it once this transaction commits.

    `queue=False` leaves it to the caller, who claims it at once (the backfill, ai_enrichment.backlog).

    Called in the same transaction that stores the ticket, so a stored ticket always has its pending
    enrichment: if the queue loses the task, `enrichment_requeue_stale` finds the row and queues it again.
    A ticket created in this transaction has no earlier enrichment to retire (ingest's hot path skips
    the lookup).
    """
    with transaction.atomic(savepoint=False):
        previous = None
        if trigger != Enrichment.Trigger.CREATED:
            previous = Enrichment.objects.select_for_update().filter(ticket=ticket, is_current=True).first()
        if previous is not None:
            previous.is_current = False
            fields = ["is_current"]
            if previous.status == Status.PENDING:
                previous.status = Status.SUPERSEDED
                previous.status_reason = "Replaced by a newer request before it started."
                previous.finished_at = timezone.now()
                fields += ["status", "status_reason", "finished_at"]
            previous.save(update_fields=fields)
        enrichment = Enrichment.objects.create(
            ticket=ticket, trigger=trigger, ticket_content_hash=ticket.content_hash, is_current=True
        )
        if queue:
            _queue_enrichment_on_commit(ticket_id=ticket.id)
    return enrichment


def _queue_enrichment_on_commit(*, ticket_id: int) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "ai_enrichment.tasks.enrich_ticket", ticket_id, task_name=f"enrich-ticket-{ticket_id}"
        )
    )


# Pending, or running on a lease that expired with its worker (see enrichment_claim_batch).
_CLAIMABLE = (
    "is_current AND (status = %(pending)s OR (status = %(running)s AND started_at < %(lease_expired)s))"
)


def enrichment_claim_batch(*, ticket_id: int | None, limit: int) -> list[Enrichment]:
    """Claim this ticket's pending enrichment (if `ticket_id`) and other pending ones, oldest first, up to `limit`.

    Rows are locked with SKIP LOCKED and flipped to `running` by one statement, so two workers never
    claim the same row, and a task delivered twice finds nothing left to do. A `running` row whose
    lease (Q_TIMEOUT: the queue has killed its task by then) has expired was left by a dead worker and
    is claimed again.

    Written in SQL because it runs before every enrichment: one UPDATE … RETURNING instead of a
    transaction of three ORM statements (the ORM's update() cannot say which rows it changed).
    """
    now = timezone.now()
    table = Enrichment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH own AS (
                SELECT id, 0 AS turn, created_at FROM {table}
                WHERE ticket_id = %(ticket_id)s AND {_CLAIMABLE}
                FOR UPDATE SKIP LOCKED
            ), oldest AS (
                SELECT id, 1 AS turn, created_at FROM {table}
                WHERE {_CLAIMABLE} AND id NOT IN (SELECT id FROM own)
                ORDER BY created_at, id LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED
            ), chosen AS (
                SELECT id FROM (SELECT * FROM own UNION ALL SELECT * FROM oldest) AS candidates
                ORDER BY turn, created_at, id LIMIT %(limit)s
            )
            UPDATE {table} SET status = %(running)s, started_at = %(now)s, claims = claims + 1
            WHERE id IN (SELECT id FROM chosen)
            RETURNING id
            """,
            {
                "ticket_id": ticket_id,
                "limit": limit,
                "running": Status.RUNNING,
                "pending": Status.PENDING,
                "now": now,
                "lease_expired": now - timedelta(seconds=settings.Q_CLUSTER["timeout"]),
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    return list(
        Enrichment.objects.filter(id__in=ids)
        # The ticket's stored vector comes along: ticket_embedding_ensure reuses it when still current.
        .select_related("ticket__source", "ticket__embedding")
        .order_by("created_at", "id")
    )


def enrichment_finish(
    *,
    enrichment: Enrichment,
    status: str,
    reason: str = "",
    output: EnrichmentOutput | None = None,
    citations: list[dict] | None = None,
    passages_offered: int = 0,
    provider: str = "",
    model: str = "",
    prompt_version: str = "",
    injection_signals: list[str] | None = None,
    over_budget: bool = False,
) -> Enrichment:
    """Store a run's result, unless the ticket changed or another worker took the claim meanwhile.

    Terminal results are sent back to the source system (on commit, by a separate task).
    """
    with transaction.atomic():
        current = (
            Enrichment.objects.select_for_update().select_related("ticket__source").get(pk=enrichment.pk)
        )
        if current.status != Status.RUNNING or current.claims != enrichment.claims:
            logger.info(
                "enrichment %s: result dropped, the claim moved on",
                enrichment.pk,
                extra={"ticket_id": enrichment.ticket_id, "enrichment_id": enrichment.pk},
            )
            return current
        ticket = current.ticket
        if not current.is_current or ticket.content_hash != current.ticket_content_hash:
            current.status = Status.SUPERSEDED
            current.status_reason = (
                "The ticket changed while the AI worked on it; a newer suggestion is on its way."
            )
            if current.is_current:  # changed without a new request (should not happen): ask for one
                current.is_current = False
                current.save(update_fields=["is_current"])
                enrichment_request(ticket=ticket, trigger=Enrichment.Trigger.UPDATED)
        else:
            current.status = status
            current.status_reason = reason
            current.provider, current.model, current.prompt_version = provider, model, prompt_version
            current.citations, current.passages_offered = citations or [], passages_offered
            current.injection_signals = injection_signals or []
            current.over_budget = over_budget
            if output is not None:
                current.category, current.priority = output.category, output.priority
                current.summary, current.suggested_reply = output.summary, output.suggested_reply
                current.confidence, current.language, current.sentiment = (
                    output.confidence,
                    output.language,
                    output.sentiment,
                )
                current.unverified_links = list(output.unverified_links)
                source = output.reply_source_ticket
                # The source may have been purged meanwhile: the suggestion still stands, without it.
                exists = source is not None and Ticket.objects.filter(pk=source).exists()
                current.reply_source_ticket_id = source if exists else None
        current.finished_at = timezone.now()
        current.save()
        if current.is_current:
            ticket_queue_rank_set(
                ticket=ticket, priority=current.priority if current.status != Status.SUPERSEDED else ""
            )
        if current.status != Status.SUPERSEDED and ticket.source.callback_url:
            _queue_callback_on_commit(enrichment_id=current.pk)
    # Ids, outcome and timing only: never the ticket's text or the suggestion.
    logger.info(
        "enrichment %s finished: %s",
        current.pk,
        current.status,
        extra={
            "ticket_id": current.ticket_id,
            "enrichment_id": current.pk,
            "provider": current.provider or None,
            "model": current.model or None,
            "status": current.status,
            "latency_ms": _elapsed_ms(current.started_at, current.finished_at),
        },
    )
    return current


def _elapsed_ms(started_at, finished_at) -> int | None:
    if started_at is None or finished_at is None:
        return None
    return int((finished_at - started_at).total_seconds() * 1000)


def ticket_queue_rank_set(*, ticket: Ticket, priority: str) -> None:
    """Keep the queue's sort key in step with the current suggestion's priority: its place among the
    active priorities, least urgent first; -1 when it has none."""
    from ai_enrichment.selectors import taxonomy_current

    order = taxonomy_current().priority_slugs
    rank = order.index(priority) if priority in order else -1
    if ticket.queue_rank != rank:
        Ticket.objects.filter(pk=ticket.pk).update(queue_rank=rank)


def _queue_callback_on_commit(*, enrichment_id: int) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "ai_enrichment.tasks.deliver_callback", enrichment_id, 1, task_name=f"callback-{enrichment_id}-1"
        )
    )


def enrichment_requeue_stale(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Queue again the current enrichments that are pending with no worker on them, or whose worker died.

    Run on a schedule. The claim makes a spare task harmless, so requeueing too much costs nothing.
    Rows claimed MAX_CLAIMS times are failed instead: something about the ticket kills workers.
    """
    now = timezone.now()
    lease_expired = now - timedelta(seconds=settings.Q_CLUSTER["timeout"])
    stuck = Enrichment.objects.filter(
        Q(status=Status.PENDING, created_at__lt=now - older_than)
        | Q(status=Status.RUNNING, started_at__lt=lease_expired),
        is_current=True,
    )
    poisoned = stuck.filter(claims__gte=MAX_CLAIMS)
    poisoned.update(
        status=Status.FAILED,
        status_reason=f"Enrichment stopped after {MAX_CLAIMS} interrupted attempts; please work this ticket manually.",
        finished_at=now,
    )
    ticket_ids = list(stuck.exclude(claims__gte=MAX_CLAIMS).values_list("ticket_id", flat=True))
    for ticket_id in ticket_ids:
        _queue_enrichment_on_commit(ticket_id=ticket_id)
    return len(ticket_ids)


def enrichment_callbacks_requeue_missing(
    *, older_than: timedelta = timedelta(minutes=15), within: timedelta = timedelta(days=1)
) -> int:
    """Queue the callback again of recently finished enrichments that never had a delivery attempt:
    their task was lost (queued just as the database went down, or acknowledged after failing on a dead
    connection). Run on a schedule. A late task that still arrives finds the delivery done and stops.
    """
    now = timezone.now()
    missing = list(
        Enrichment.objects.filter(
            status__in=(Status.DONE, Status.FALLBACK, Status.FAILED),
            finished_at__range=(now - within, now - older_than),
            callback_deliveries__isnull=True,
        )
        .exclude(ticket__source__callback_url="")
        .values_list("pk", flat=True)
    )
    for enrichment_id in missing:
        _queue_callback_on_commit(enrichment_id=enrichment_id)
    return len(missing)


def task_history_prune(*, keep: int | None = None) -> int:
    """Delete the results of successful queue tasks beyond the newest `keep` (TASK_HISTORY_KEPT); failed
    ones are kept for whoever investigates them. Run on a schedule, in place of django-q2's pruning on
    every result (see Q_CLUSTER["save_limit"])."""
    from django_q.models import Success

    keep = settings.TASK_HISTORY_KEPT if keep is None else keep
    newest = Success.objects.order_by("-stopped", "-id").values("id")[:keep]
    deleted, _ = Success.objects.exclude(id__in=newest).delete()
    return deleted


def ticket_embedding_text(ticket: Ticket) -> str:
    """What a ticket's vector stands for: subject and the start of the body (the model reads ~256
    word-pieces; the rest would be cut anyway)."""
    return f"{ticket.subject}\n{ticket.body[:1500]}"


def ticket_embedding_ensure(*, ticket: Ticket) -> list[float]:
    """The ticket's vector, computed now if it is missing or older than the ticket's content (or than
    the embedder: a vector without the label vector the embedder gives). The label vector comes along
    in `ticket.embedding`."""
    from ai_enrichment.embeddings import embedder
    from ai_enrichment.models import TicketEmbedding

    try:
        stored = ticket.embedding  # no query when the claim loaded it (enrichment_claim_batch)
    except TicketEmbedding.DoesNotExist:
        stored = None
    if stored is not None and _embedding_current(
        stored_hash=stored.content_hash,
        has_label_vector=stored.label_embedding is not None,
        content_hash=ticket.content_hash,
    ):
        return list(stored.embedding)
    vectors, label_vectors = embedder().embed_with_label_vectors([ticket_embedding_text(ticket)])
    stored = TicketEmbedding(
        ticket=ticket,
        content_hash=ticket.content_hash,
        embedding=vectors[0],
        label_embedding=label_vectors[0] if label_vectors else None,
    )
    # One upsert statement (every enrichment of a new ticket comes here; update_or_create takes five).
    TicketEmbedding.objects.bulk_create(
        [stored],
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["content_hash", "embedding", "label_embedding", "updated_at"],
    )
    ticket.embedding = stored  # the next read of this ticket's vector needs no query
    return vectors[0]


def ticket_label_vector(ticket: Ticket) -> list[float] | None:
    """The label vector stored with the ticket's vector (after `ticket_embedding_ensure`); None when
    the embedder gives none."""
    from ai_enrichment.models import TicketEmbedding

    try:
        stored = ticket.embedding
    except TicketEmbedding.DoesNotExist:
        return None
    return None if stored.label_embedding is None else list(stored.label_embedding)


def _embedding_current(*, stored_hash: str, has_label_vector: bool, content_hash: str) -> bool:
    from ai_enrichment.embeddings import embedder

    return stored_hash == content_hash and (has_label_vector or embedder().label_dimensions is None)


def ticket_embeddings_compute(*, tickets: list[Ticket]) -> int:
    """Embed many tickets in batches (imports, demo data); skips the ones already up to date."""
    from ai_enrichment.embeddings import embedder
    from ai_enrichment.models import TicketEmbedding

    # Once per ticket: the same ticket twice in a batch would make the upsert touch a row twice.
    unique = {ticket.id: ticket for ticket in tickets}
    current = {
        ticket_id
        for ticket_id, stored_hash, has_label_vector in TicketEmbedding.objects.filter(
            ticket__in=tickets
        ).values_list(
            "ticket_id",
            "content_hash",
            ExpressionWrapper(Q(label_embedding__isnull=False), output_field=BooleanField()),
        )
        if _embedding_current(
            stored_hash=stored_hash,
            has_label_vector=has_label_vector,
            content_hash=unique[ticket_id].content_hash,
        )
    }
    todo = [ticket for ticket in unique.values() if ticket.id not in current]
    if not todo:
        return 0
    vectors, label_vectors = embedder().embed_with_label_vectors(
        [ticket_embedding_text(ticket) for ticket in todo]
    )
    TicketEmbedding.objects.bulk_create(
        [
            TicketEmbedding(
                ticket=ticket,
                content_hash=ticket.content_hash,
                embedding=vector,
                label_embedding=label_vectors[index] if label_vectors else None,
            )
            for index, (ticket, vector) in enumerate(zip(todo, vectors, strict=True))
        ],
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["content_hash", "embedding", "label_embedding", "updated_at"],
    )
    return len(todo)
