"""A source's ingest limit: past it, 429 with Retry-After and nothing stored; other sources and the
next minute are not affected; a concurrent burst gets exactly the limit through."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tests.conftest import SourceClient, ticket_payload
from tickets.models import IngestWindow, Ticket
from tickets.services import source_create

MINUTE = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.fixture
def at(monkeypatch):
    """Set the rate limiter's clock: `at(seconds)` into MINUTE."""

    def set_time(seconds: float) -> None:
        monkeypatch.setattr("tickets.ratelimit.clock", lambda: MINUTE + timedelta(seconds=seconds))

    return set_time


def limited(source_with_key, per_minute):
    source_with_key.source.ingest_requests_per_minute = per_minute
    source_with_key.source.save(update_fields=["ingest_requests_per_minute"])
    return SourceClient(source_with_key.api_key)


def test_past_the_limit_ingest_answers_429_with_retry_after_and_stores_nothing(source_with_key, at):
    client = limited(source_with_key, 3)
    at(20.5)
    statuses = [
        client.post("/api/v1/tickets", ticket_payload(external_id=f"T-{n}")).status_code for n in range(4)
    ]

    assert statuses == [201, 201, 201, 429]
    refused = client.post("/api/v1/tickets", ticket_payload(external_id="T-9"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40", "until the next minute, rounded up"
    assert (
        refused.json()["detail"]
        == "This source may send 3 tickets a minute. Expected available in 40 seconds."
    )
    assert Ticket.objects.count() == 3
    assert IngestWindow.objects.get().requests == 3, "refused requests are not counted"


def test_the_next_minute_admits_again_and_reading_is_never_limited(source_with_key, at):
    client = limited(source_with_key, 1)
    at(0)
    assert client.post("/api/v1/tickets", ticket_payload(external_id="T-1")).status_code == 201
    assert client.post("/api/v1/tickets", ticket_payload(external_id="T-2")).status_code == 429
    assert client.get("/api/v1/tickets").status_code == 200

    at(60)
    assert client.post("/api/v1/tickets", ticket_payload(external_id="T-2")).status_code == 201


def test_one_noisy_source_does_not_use_up_another_sources_minute(source_with_key, at):
    at(0)
    noisy = limited(source_with_key, 2)
    quiet = SourceClient(source_create(name="Quiet desk", slug="quiet").api_key)
    assert [
        noisy.post("/api/v1/tickets", ticket_payload(external_id=f"N-{n}")).status_code for n in range(3)
    ] == [
        201,
        201,
        429,
    ]
    assert [
        quiet.post("/api/v1/tickets", ticket_payload(external_id=f"Q-{n}")).status_code for n in range(5)
    ] == [201] * 5, "no limit set: none applies"


def test_a_limit_of_zero_pauses_the_source(source_with_key, at):
    at(59.2)
    response = limited(source_with_key, 0).post("/api/v1/tickets", ticket_payload())
    assert (response.status_code, response["Retry-After"]) == (429, "1")


def test_old_minutes_are_tidied_up_when_a_new_one_begins(source_with_key, at):
    client = limited(source_with_key, 5)
    at(0)
    client.post("/api/v1/tickets", ticket_payload(external_id="T-1"))
    at(61 * 60)
    client.post("/api/v1/tickets", ticket_payload(external_id="T-2"))
    assert list(IngestWindow.objects.values_list("starts_at", flat=True)) == [MINUTE + timedelta(minutes=61)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_concurrent_burst_gets_exactly_the_limit_through(source_with_key, at):
    at(1)
    api_key = limited(source_with_key, 5).api_key
    barrier = threading.Barrier(12)
    statuses = []

    def deliver(n):
        try:
            barrier.wait(timeout=10)
            statuses.append(
                SourceClient(api_key)
                .post("/api/v1/tickets", ticket_payload(external_id=f"B-{n}"))
                .status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [201] * 5 + [429] * 7
    assert Ticket.objects.count() == 5
