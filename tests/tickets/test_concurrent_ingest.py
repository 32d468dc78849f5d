"""Concurrent deliveries of the same external ticket store it exactly once."""

import threading

import pytest
from django.db import connection

from tests.conftest import SourceClient, ticket_payload
from tickets.models import Ticket


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicate_deliveries_store_one_ticket(source_with_key):
    barrier = threading.Barrier(8)
    statuses = []

    def deliver():
        try:
            barrier.wait(timeout=10)
            response = SourceClient(source_with_key.api_key).post("/api/v1/tickets", ticket_payload())
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200] * 7 + [201]
    assert Ticket.objects.count() == 1
