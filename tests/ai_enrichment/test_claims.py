"""Claiming makes running twice harmless: redelivered tasks, dead workers and changed tickets never
duplicate work or results."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import OrmQ

from ai_enrichment.models import AICall, Enrichment
from ai_enrichment.pipeline import enrich_ticket_batch
from ai_enrichment.services import enrichment_claim_batch, enrichment_finish, enrichment_requeue_stale
from tests.fakes import Reply
from tickets.services import ticket_ingest

Status = Enrichment.Status


def test_a_second_delivery_of_the_task_finds_nothing_to_do(fake_claude, make_ticket):
    ticket = make_ticket()
    assert enrich_ticket_batch(ticket_id=ticket.id) == 1
    assert enrich_ticket_batch(ticket_id=ticket.id) == 0
    assert fake_claude.request_count == 1
    assert AICall.objects.count() == 1


def test_a_claim_left_by_a_dead_worker_is_taken_again_after_the_lease(fake_claude, make_ticket, settings):
    ticket = make_ticket()
    [claimed] = enrichment_claim_batch(ticket_id=ticket.id, limit=1)
    assert enrich_ticket_batch(ticket_id=ticket.id) == 0, "a live claim is not taken"

    expired = timezone.now() - timedelta(seconds=settings.Q_CLUSTER["timeout"] + 1)
    Enrichment.objects.filter(pk=claimed.pk).update(started_at=expired)
    assert enrich_ticket_batch(ticket_id=ticket.id) == 1
    enrichment = Enrichment.objects.get(pk=claimed.pk)
    assert (enrichment.status, enrichment.claims) == (Status.DONE, 2)


def test_a_claim_takes_its_own_ticket_first_then_the_oldest_waiting_ones(make_ticket):
    oldest, older, newest = (make_ticket(f"T{n}") for n in range(3))
    running = make_ticket("T-running")
    enrichment_claim_batch(ticket_id=running.id, limit=1)

    claimed = enrichment_claim_batch(ticket_id=newest.id, limit=2)

    assert [enrichment.ticket_id for enrichment in claimed] == [oldest.id, newest.id]
    assert [(enrichment.status, enrichment.claims) for enrichment in claimed] == [(Status.RUNNING, 1)] * 2
    [rest] = enrichment_claim_batch(ticket_id=None, limit=5)
    assert rest.ticket_id == older.id, "live claims are never taken twice"


def test_the_result_of_a_claim_that_moved_on_is_dropped(make_ticket, settings):
    ticket = make_ticket()
    [stale_claim] = enrichment_claim_batch(ticket_id=ticket.id, limit=1)
    Enrichment.objects.filter(pk=stale_claim.pk).update(claims=2)  # another worker took it over
    result = enrichment_finish(enrichment=stale_claim, status=Status.FAILED, reason="late")
    assert result.status == Status.RUNNING
    assert Enrichment.objects.get(pk=stale_claim.pk).status_reason == ""


def test_a_ticket_that_keeps_killing_workers_is_failed_with_a_reason(
    make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket()
    long_ago = timezone.now() - timedelta(hours=1)
    Enrichment.objects.filter(ticket=ticket).update(status=Status.RUNNING, started_at=long_ago, claims=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert enrichment_requeue_stale() == 0
    enrichment = Enrichment.objects.get(ticket=ticket)
    assert enrichment.status == Status.FAILED
    assert "work this ticket manually" in enrichment.status_reason


def test_the_sweeper_queues_again_what_the_queue_lost(make_ticket, django_capture_on_commit_callbacks):
    ticket = make_ticket()  # its task never reached the queue: no on_commit ran
    assert OrmQ.objects.count() == 0
    assert enrichment_requeue_stale() == 0, "too recent to call lost"
    Enrichment.objects.filter(ticket=ticket).update(created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert enrichment_requeue_stale() == 1
    assert [task.task["args"] for task in OrmQ.objects.all()] == [(ticket.id,)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_runs_waiting_enrichments_concurrently(fake_claude, make_ticket, settings):
    settings.AI_ENRICHMENT_BATCH = 6
    fake_claude.latency = lambda: 1.0
    tickets = [make_ticket(f"T{n}") for n in range(6)]

    assert enrich_ticket_batch(ticket_id=tickets[-1].id) == 6
    assert set(Enrichment.objects.values_list("status", flat=True)) == {Status.DONE}
    arrivals = sorted(request.received_at for request in fake_claude.requests)
    assert arrivals[-1] - arrivals[0] < 1.0, "all six calls were in flight before the first answer"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_ticket_changed_while_the_ai_works_discards_the_result_and_queues_a_new_run(
    fake_claude, desk, make_ticket
):
    ticket = make_ticket()

    def customer_edits_the_ticket_meanwhile(request):
        ticket_ingest(
            source=desk,
            external_id=ticket.external_id,
            subject="Charged twice",
            body="Update: three times now!",
        )
        connection.close()
        return Reply(tool_input={**fake_claude.default.tool_input})

    fake_claude.script(customer_edits_the_ticket_meanwhile)
    enrich_ticket_batch(ticket_id=ticket.id)

    first, second = Enrichment.objects.filter(ticket=ticket).order_by("id")
    assert first.status == Status.SUPERSEDED
    assert first.category == "", "the stale result is not stored"
    assert "changed while the AI worked" in first.status_reason
    assert (second.status, second.is_current) == (Status.PENDING, True)
    assert [task.task["args"] for task in OrmQ.objects.all()] == [(ticket.id,), (ticket.id,)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_threads_keep_claiming_waiting_enrichments_until_none_is_left(fake_claude, make_ticket, settings):
    settings.AI_ENRICHMENT_BATCH = 2
    tickets = [make_ticket(f"T{n}") for n in range(5)]

    assert enrich_ticket_batch(ticket_id=tickets[0].id) == 5, "two threads ran all five, one after another"
    assert set(Enrichment.objects.values_list("status", flat=True)) == {Status.DONE}
    assert set(Enrichment.objects.values_list("claims", flat=True)) == {1}
    assert enrich_ticket_batch(ticket_id=tickets[-1].id) == 0, "the later tasks find nothing left"
