"""GET /api/v1/tickets[/{id}]: a source reads its own tickets, and only those."""

from tests.conftest import SourceClient, ticket_payload
from tickets.services import source_create

URL = "/api/v1/tickets"


def test_it_returns_a_ticket_with_its_current_enrichment(source_client):
    ticket_id = source_client.post(URL, ticket_payload()).json()["id"]
    response = source_client.get(f"{URL}/{ticket_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["external_id"] == "ZD-1001"
    assert body["customer"] == {"external_id": "cus_1", "email": "maria@example.com", "name": "María Pérez"}
    assert body["enrichment"]["status"] == "pending"
    assert body["enrichment"]["category"] == ""


def test_the_enrichment_carries_the_warnings_agents_see(source_client):
    from ai_enrichment.models import Enrichment

    earlier_id = source_client.post(URL, ticket_payload(external_id="ZD-900")).json()["id"]
    ticket_id = source_client.post(URL, ticket_payload()).json()["id"]
    citation = {"chunk_id": 3, "document_id": 1, "title": "Refund policy", "heading": "Annual plans"}
    Enrichment.objects.filter(ticket_id=ticket_id).update(
        status="done",
        citations=[citation],
        injection_signals=["ignore_instructions"],
        unverified_links=["https://refunds.example.net"],
        over_budget=True,
        reply_source_ticket_id=earlier_id,
    )

    enrichment = source_client.get(f"{URL}/{ticket_id}").json()["enrichment"]
    listed = source_client.get(URL, {"external_id": "ZD-1001"}).json()["results"][0]["enrichment"]

    assert enrichment["citations"] == [citation]
    assert enrichment["injection_signals"] == ["ignore_instructions"]
    assert enrichment["unverified_links"] == ["https://refunds.example.net"]
    assert enrichment["over_budget"] is True
    assert enrichment["reply_source"] == listed["reply_source"] == {"id": earlier_id, "external_id": "ZD-900"}


def test_a_source_cannot_read_another_sources_ticket(source_client):
    ticket_id = source_client.post(URL, ticket_payload()).json()["id"]
    outsider = SourceClient(source_create(name="Outsider").api_key)
    assert outsider.get(f"{URL}/{ticket_id}").status_code == 404
    assert outsider.get(URL).json()["count"] == 0


def test_an_unknown_or_absurd_id_is_a_404(source_client):
    assert source_client.get(f"{URL}/999999").status_code == 404
    assert source_client.get(f"{URL}/{10**30}").status_code == 404


def test_reading_needs_the_api_key(client, source_client):
    ticket_id = source_client.post(URL, ticket_payload()).json()["id"]
    assert client.get(f"{URL}/{ticket_id}").status_code == 401


def test_the_list_filters_and_paginates(source_client):
    for n in range(5):
        source_client.post(
            URL, ticket_payload(external_id=f"T-{n}", customer={"email": f"c{n % 2}@example.com"})
        )
    page = source_client.get(URL, {"page_size": 2}).json()
    assert page["count"] == 5
    assert len(page["results"]) == 2
    assert page["results"][0]["external_id"] == "T-4", "newest first"
    assert source_client.get(URL, {"customer_email": "C1@example.com"}).json()["count"] == 2
    assert source_client.get(URL, {"external_id": "T-3"}).json()["results"][0]["external_id"] == "T-3"


def test_bad_list_filters_are_a_400_naming_the_filter(source_client):
    response = source_client.get(URL, {"received_after": "yesterday", "status": "nope"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"received_after", "status"}


def test_a_path_under_the_api_that_matches_nothing_is_a_json_404(source_client):
    for path in (f"{URL}/not-a-number", f"{URL}/-1", "/api/v1/nothing/here"):
        response = source_client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
