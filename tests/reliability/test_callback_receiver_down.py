"""The source's callback receiver is down for a while, then back: deliveries resume by themselves, each
enrichment is delivered once, and every attempt carries the same idempotency key (X-Delivery-Id)."""

from collections import Counter

import pytest
from django.db import connection
from django_q.brokers import get_broker
from django_q.scheduler import scheduler

from ai_enrichment.models import CallbackDelivery
from tests.conftest import wait_until
from tests.reliability.conftest import fault_payload
from tests.reliability.invariants import assert_nothing_lost, wait_until_settled

TICKETS = 12


def scheduler_tick():
    """django-q2's own scheduler pass, which the cluster runs only every 30 s: it queues the callback
    retries that are due, so the test waits on backoff, not on the cluster's scheduler period."""
    scheduler(broker=get_broker())
    connection.close()


@pytest.mark.cluster
def test_callbacks_resume_when_the_receiver_is_back_with_no_duplicates(worker, model, receiver, sender, desk):
    receiver.default = 503  # down: every delivery is refused
    worker()
    sent = {f"CB-{n}" for n in range(TICKETS)}
    for external_id in sorted(sent):
        assert sender.deliver(fault_payload(external_id)).statuses == [201]

    wait_until(lambda: len({r.headers["x-delivery-id"] for r in receiver.requests}) == TICKETS, timeout=30)
    refused = receiver.request_count
    receiver.default = 200  # back

    wait_until_settled(source=desk, sent=sent, tick=scheduler_tick)
    assert_nothing_lost(
        scenario="callback receiver down, then back",
        source=desk,
        sent=sent,
        faults_injected=refused,
        model=model,
        receiver=receiver,
    )
    per_key = Counter(r.headers["x-delivery-id"] for r in receiver.requests)
    assert min(per_key.values()) >= 2, "every enrichment was refused first, then delivered on a retry"
    assert CallbackDelivery.objects.filter(delivered=False).count() == refused
