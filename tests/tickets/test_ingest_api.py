"""POST /api/v1/tickets: create or update by (source, external_id), idempotently, and queue enrichment."""

import pytest
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from tests.conftest import ticket_payload
from tickets.models import Ticket
from tickets.services import source_create

URL = "/api/v1/tickets"


def queued_ticket_ids():
    return [SignedPackage.loads(task.payload)["args"][0] for task in OrmQ.objects.order_by("id")]


def test_it_creates_a_ticket_and_answers_201_with_its_id(source_client, source):
    response = source_client.post(URL, ticket_payload())
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert response.json()["id"] == ticket.id
    assert response.json()["enrichment"]["status"] == "pending"
    assert response["X-Ingest-Outcome"] == "created"
    assert type(response.headers["X-Ingest-Outcome"]) is str, "WSGI servers refuse a str subclass"
    assert ticket.source == source
    assert ticket.customer_email == "maria@example.com"
    assert ticket.customer_name == "María Pérez"
    assert ticket.body.endswith("them?\n"), "the body is stored exactly as sent"


def test_it_queues_enrichment_only_after_the_ticket_is_committed(
    source_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = source_client.post(URL, ticket_payload())
        assert OrmQ.objects.count() == 0, "nothing is queued before the commit"
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued_ticket_ids() == [response.json()["id"]]


def test_the_same_payload_again_is_a_no_op(source_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = source_client.post(URL, ticket_payload())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = source_client.post(URL, ticket_payload())
    assert again.status_code == 200
    assert again["X-Ingest-Outcome"] == "unchanged"
    assert again.json()["id"] == first.json()["id"]
    assert callbacks == []
    assert Ticket.objects.count() == 1
    assert len(queued_ticket_ids()) == 1


def test_changed_content_updates_the_ticket_and_queues_it_again(
    source_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = source_client.post(URL, ticket_payload())
        changed = source_client.post(URL, ticket_payload(body="Actually it was charged three times."))
    assert changed.status_code == 200
    assert changed["X-Ingest-Outcome"] == "updated"
    assert Ticket.objects.get().body == "Actually it was charged three times."
    assert queued_ticket_ids() == [first.json()["id"], first.json()["id"]]


def test_an_older_delivery_than_the_one_held_is_ignored(source_client):
    source_client.post(URL, ticket_payload(body="newest", source_updated_at="2026-03-04T10:00:00Z"))
    late = source_client.post(URL, ticket_payload(body="older", source_updated_at="2026-03-04T09:00:00Z"))
    assert late.status_code == 200
    assert late["X-Ingest-Outcome"] == "stale"
    assert Ticket.objects.get().body == "newest"


def test_the_same_external_id_from_two_sources_is_two_tickets(source_client):
    other = source_create(name="Other desk")
    from tests.conftest import SourceClient

    assert source_client.post(URL, ticket_payload()).status_code == 201
    assert SourceClient(other.api_key).post(URL, ticket_payload()).status_code == 201
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/tickets/"])
def test_it_accepts_the_path_with_and_without_a_trailing_slash(source_client, path):
    assert source_client.post(path, ticket_payload()).status_code == 201


@pytest.mark.parametrize(
    "text",
    [
        "Emoji 🎉🔥 and a family 👨‍👩‍👧",
        "مرحبا، لم أستلم الفاتورة",  # right-to-left
        "Mixed עברית and English",
        "Zero-width\u200bjoiner and combining e\u0301",
        "   leading and trailing whitespace is kept   ",
    ],
)
def test_any_unicode_is_stored_faithfully(source_client, text):
    response = source_client.post(URL, ticket_payload(body=text, subject=text.strip()))
    assert response.status_code == 201
    assert Ticket.objects.get().body == text
    assert response.json()["body"] == text
