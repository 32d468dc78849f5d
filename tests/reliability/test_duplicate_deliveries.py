"""The same external tickets delivered again, out of order and at the same moment, while the worker
runs: each is stored once, ends on its newest version, and its newest version is what was enriched."""

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest

from ai_enrichment.models import Enrichment
from tests.reliability.conftest import fault_payload
from tests.reliability.invariants import assert_nothing_lost, wait_until_settled
from tickets.models import Ticket

TICKETS = 10
COPIES = 3  # deliveries of each version


@pytest.mark.cluster
def test_duplicate_and_out_of_order_deliveries_store_each_ticket_once_at_its_newest_version(
    worker, model, receiver, sender, desk
):
    worker()
    model.latency = lambda: 0.2  # enrichments are in flight while later versions arrive
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    deliveries = []
    for n in range(TICKETS):
        for version in (1, 2, 3):
            payload = fault_payload(
                f"DUP-{n}",
                body=f"Version {version}: my card was charged twice for invoice DUP-{n}.",
                source_updated_at=(start + timedelta(minutes=version)).isoformat(),
            )
            deliveries += [payload] * COPIES
    random.Random(3).shuffle(deliveries)  # newer versions often arrive before older ones

    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def deliver(share):
        barrier.wait(timeout=10)  # twelve clients start together: the same ticket arrives concurrently
        for payload in share:
            statuses.append(sender.post(payload).status_code)

    threads = [threading.Thread(target=deliver, args=(deliveries[i::12],)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(statuses) == len(deliveries)
    assert set(statuses) <= {200, 201}, sorted(set(statuses))
    assert statuses.count(201) == TICKETS, "each external ticket created exactly once"

    sent = {f"DUP-{n}" for n in range(TICKETS)}
    wait_until_settled(source=desk, sent=sent)
    assert_nothing_lost(
        scenario="duplicate and out-of-order deliveries",
        source=desk,
        sent=sent,
        faults_injected=len(deliveries) - TICKETS,
        model=model,
        receiver=receiver,
    )
    for ticket in Ticket.objects.filter(source=desk):
        assert ticket.body.startswith("Version 3:"), f"{ticket.external_id} kept an older version"
        current = Enrichment.objects.get(ticket=ticket, is_current=True)
        assert current.ticket_content_hash == ticket.content_hash, "the enrichment is of the newest version"
