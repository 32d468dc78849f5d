"""Every admin page an operator uses renders, with data in it."""

import pytest

from ai_enrichment.models import Enrichment
from tickets.services import source_create, ticket_ingest

PAGES = [
    "/admin/tickets/source/",
    "/admin/tickets/ticket/",
    "/admin/ai_enrichment/enrichment/",
    "/admin/ai_enrichment/aicall/",
    "/admin/ai_enrichment/callbackdelivery/",
    "/admin/ai_enrichment/category/",
    "/admin/ai_enrichment/priority/",
    "/admin/tickets/source/add/",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_admin_pages_render(admin_client, path):
    source = source_create(name="Desk").source
    ticket_ingest(source=source, external_id="1", subject="Hello", body="Body")
    response = admin_client.get(path)
    assert response.status_code == 200


def test_the_ticket_and_enrichment_change_pages_render(admin_client):
    source = source_create(name="Desk").source
    ticket = ticket_ingest(source=source, external_id="1", subject="Hello", body="Body").ticket
    assert admin_client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").status_code == 200
    enrichment = Enrichment.objects.get(ticket=ticket)
    assert admin_client.get(f"/admin/ai_enrichment/enrichment/{enrichment.pk}/change/").status_code == 200


def test_adding_a_source_in_the_admin_shows_its_key_once(admin_client):
    response = admin_client.post(
        "/admin/tickets/source/add/", {"name": "New desk", "slug": "new-desk", "is_active": "on"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("API key for New desk (shown only now" in m for m in messages)
