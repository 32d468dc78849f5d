"""Finished enrichments go back to the source system: signed, retried with backoff, every attempt recorded."""

import hashlib
import hmac
import json
import socket

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from ai_enrichment.callbacks import DELIVERY_LOCK_NAMESPACE, callback_deliver
from ai_enrichment.models import CallbackDelivery, Enrichment
from ai_enrichment.pipeline import enrich_ticket_batch
from tests.fakes import Reply

Status = Enrichment.Status


@pytest.fixture
def desk_with_callback(desk, callback_receiver):
    desk.callback_url = f"{callback_receiver.base_url}/hooks/ai"
    desk.save(update_fields=["callback_url"])
    return desk


def verify_signature(request, secret: str) -> bool:
    timestamp = request.headers["x-signature-timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + request.raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers["x-signature"], f"sha256={expected}")


def test_a_done_enrichment_is_posted_back_signed(
    fake_claude,
    desk_with_callback,
    callback_receiver,
    make_ticket,
    sync_tasks,
    django_capture_on_commit_callbacks,
):
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        enrich_ticket_batch(ticket_id=ticket.id)

    [request] = callback_receiver.wait_for(1)
    assert request.path == "/hooks/ai"
    assert verify_signature(request, "callback-secret")
    assert abs(int(request.headers["x-signature-timestamp"]) - timezone.now().timestamp()) < 60
    body = request.json
    enrichment = Enrichment.objects.get(ticket=ticket)
    assert body["event"] == "ticket.enriched"
    assert request.headers["x-delivery-id"] == body["delivery_id"] == f"enrichment-{enrichment.pk}"
    assert body["ticket"] == {"id": ticket.id, "external_id": "ZD-1"}
    assert body["enrichment"]["status"] == "done"
    assert body["enrichment"]["category"] == "billing"
    assert body["enrichment"]["suggested_reply"].startswith("Hello María")
    assert body["enrichment"]["reply_source"] is None  # Claude wrote it, reusing no earlier reply
    delivery = CallbackDelivery.objects.get()
    assert (delivery.attempt, delivery.delivered, delivery.status_code) == (1, True, 200)


def test_a_failed_enrichment_is_posted_back_with_its_reason(
    fake_claude,
    desk_with_callback,
    callback_receiver,
    make_ticket,
    sync_tasks,
    django_capture_on_commit_callbacks,
):
    fake_claude.default = Reply.bad_request()
    with django_capture_on_commit_callbacks(execute=True):
        enrich_ticket_batch(ticket_id=make_ticket().id)
    [request] = callback_receiver.wait_for(1)
    assert request.json["enrichment"]["status"] == "failed"
    assert "Work this ticket as usual" in request.json["enrichment"]["status_reason"]


def test_a_failing_receiver_is_retried_later_with_backoff(desk_with_callback, callback_receiver, make_ticket):
    callback_receiver.script(500)
    enrichment = Enrichment.objects.get(ticket=make_ticket())
    Enrichment.objects.filter(pk=enrichment.pk).update(status=Status.FAILED, status_reason="test")

    first = callback_deliver(enrichment_id=enrichment.pk, attempt=1)
    assert (first.delivered, first.status_code) == (False, 500)
    retry = Schedule.objects.get(func="ai_enrichment.tasks.deliver_callback")
    assert retry.args == f"({enrichment.pk}, 2)"
    assert retry.next_run > timezone.now()

    second = callback_deliver(enrichment_id=enrichment.pk, attempt=2)
    assert (second.delivered, second.status_code) == (True, 200)
    assert Schedule.objects.filter(func="ai_enrichment.tasks.deliver_callback").count() == 1, (
        "no retry after success"
    )
    assert callback_receiver.request_count == 2
    bodies = [r.json for r in callback_receiver.requests]
    assert bodies[0]["delivery_id"] == bodies[1]["delivery_id"], "the same idempotency key on every attempt"


def test_after_a_delivery_a_redelivered_task_posts_nothing(
    desk_with_callback, callback_receiver, make_ticket
):
    enrichment = Enrichment.objects.get(ticket=make_ticket())
    callback_deliver(enrichment_id=enrichment.pk, attempt=1)
    assert callback_deliver(enrichment_id=enrichment.pk, attempt=1) is None
    assert callback_receiver.request_count == 1


def test_while_another_task_delivers_a_callback_a_second_task_posts_nothing(
    desk_with_callback, callback_receiver, make_ticket
):
    enrichment = Enrichment.objects.get(ticket=make_ticket())
    other_worker = connection.copy()  # another session, as another worker's task holds it
    try:
        with other_worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [DELIVERY_LOCK_NAMESPACE, enrichment.pk])
        assert callback_deliver(enrichment_id=enrichment.pk, attempt=1) is None
        assert callback_receiver.request_count == 0
        with other_worker.cursor() as cursor:
            # The other task finishes. (Closing its session would release the lock too, but only once
            # the server has ended that backend, a moment after the client hung up.)
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [DELIVERY_LOCK_NAMESPACE, enrichment.pk])
    finally:
        other_worker.close()
    assert callback_deliver(enrichment_id=enrichment.pk, attempt=1).delivered
    assert callback_receiver.request_count == 1


def test_an_unreachable_receiver_is_recorded_and_retried(desk, make_ticket):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        desk.callback_url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    desk.save(update_fields=["callback_url"])
    enrichment = Enrichment.objects.get(ticket=make_ticket())
    delivery = callback_deliver(enrichment_id=enrichment.pk, attempt=1)
    assert not delivery.delivered
    assert "ConnectError" in delivery.error
    assert Schedule.objects.filter(func="ai_enrichment.tasks.deliver_callback").exists()


def test_retries_stop_at_the_limit(desk_with_callback, callback_receiver, make_ticket, settings):
    callback_receiver.default = 503
    enrichment = Enrichment.objects.get(ticket=make_ticket())
    callback_deliver(enrichment_id=enrichment.pk, attempt=settings.CALLBACK_MAX_ATTEMPTS)
    assert not Schedule.objects.filter(func="ai_enrichment.tasks.deliver_callback").exists()


def test_an_unsigned_source_gets_unsigned_callbacks(desk_with_callback, callback_receiver, make_ticket):
    desk_with_callback.signing_secret = ""
    desk_with_callback.save(update_fields=["signing_secret"])
    enrichment = Enrichment.objects.get(ticket=make_ticket())
    callback_deliver(enrichment_id=enrichment.pk, attempt=1)
    [request] = callback_receiver.requests
    assert "x-signature" not in request.headers
    assert json.loads(request.raw)["delivery_id"] == f"enrichment-{enrichment.pk}"


def test_a_source_without_a_callback_url_gets_nothing(
    fake_claude, desk, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enrich_ticket_batch(ticket_id=ticket.id)
    assert callbacks == []
    assert not CallbackDelivery.objects.exists()


def test_a_finished_enrichment_whose_callback_task_was_lost_is_called_back_by_the_sweeper(
    desk_with_callback, callback_receiver, make_ticket, sync_tasks, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from ai_enrichment.services import enrichment_callbacks_requeue_missing

    lost, recent, delivered = (Enrichment.objects.get(ticket=make_ticket(f"ZD-{n}")) for n in range(3))
    long_ago = timezone.now() - timedelta(minutes=30)
    Enrichment.objects.filter(pk__in=[lost.pk, delivered.pk]).update(
        status=Status.DONE, status_reason="test", finished_at=long_ago
    )
    Enrichment.objects.filter(pk=recent.pk).update(status=Status.DONE, finished_at=timezone.now())
    CallbackDelivery.objects.create(
        enrichment=delivered,
        source=desk_with_callback,
        url=desk_with_callback.callback_url,
        attempt=1,
        delivered=True,
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert enrichment_callbacks_requeue_missing() == 1, "only the old one with no attempt at all"

    [request] = callback_receiver.wait_for(1)
    assert request.headers["x-delivery-id"] == f"enrichment-{lost.pk}"
    assert CallbackDelivery.objects.get(enrichment=lost).delivered
    with django_capture_on_commit_callbacks(execute=True):
        assert enrichment_callbacks_requeue_missing() == 0, "now it has its delivery"
