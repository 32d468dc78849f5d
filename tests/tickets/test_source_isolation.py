"""A source's key reaches only that source's tickets: another source writing the same external id, or
filtering for another source's customer, never touches or sees them. (Reading by id: test_read_api;
purging: test_purge.)"""

from django_q.models import OrmQ

from tests.conftest import SourceClient, ticket_payload
from tickets.models import Ticket
from tickets.services import source_create

URL = "/api/v1/tickets"


def test_writing_another_sources_external_id_leaves_their_ticket_untouched(
    source_client, source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        theirs = source_client.post(URL, ticket_payload(body="The original words.")).json()
    intruder = SourceClient(source_create(name="Intruder desk").api_key)
    with django_capture_on_commit_callbacks(execute=True):
        response = intruder.post(URL, ticket_payload(body="Overwritten!", status="closed"))

    assert response.status_code == 201, "a new ticket of the intruder's own"
    assert response.json()["id"] != theirs["id"]
    original = Ticket.objects.get(pk=theirs["id"])
    assert (original.source, original.body, original.status) == (source, "The original words.", "new")
    assert OrmQ.objects.count() == 2, "their ticket was not queued again"


def test_filters_never_reach_another_sources_tickets(source_client):
    source_client.post(URL, ticket_payload())
    intruder = SourceClient(source_create(name="Intruder desk").api_key)
    for filters in (
        {"external_id": "ZD-1001"},
        {"customer_email": "maria@example.com"},
        {"customer_external_id": "cus_1"},
        {},
    ):
        assert intruder.get(URL, filters).json()["count"] == 0, filters
