"""The queue's search: what an agent types (a word, an external id, a customer's e-mail) finds the ticket."""

import pytest
from django.contrib.auth.models import Group

from tests.workspace.conftest import enriched_ticket
from tickets.models import Ticket
from tickets.services import source_create, ticket_ingest


@pytest.fixture
def tickets(desk):
    ticket_ingest(
        source=desk,
        external_id="ZD-10293",
        subject="Card charged twice",
        body="Hello, I was charged twice for my invoice and would like one of the payments refunded.",
        customer_email="Jane.Doe@Example.com",
        customer_name="Jane Doe",
    )
    ticket_ingest(
        source=desk,
        external_id="ZD-10294",
        subject="Cannot log in",
        body="The password reset e-mail never arrives.",
        customer_email="omar@example.org",
        customer_name="Omar Haddad",
    )


def found(client, search: str) -> list[str]:
    response = client.get("/queue/", {"q": search})
    assert response.status_code == 200
    return [ticket.external_id for ticket in response.context["page"]]


def test_a_word_finds_the_tickets_that_contain_it_in_any_form(client, agent, tickets):
    client.force_login(agent)
    assert found(client, "invoice") == ["ZD-10293"], "a word of the body"
    assert found(client, "log") == ["ZD-10294"], "a word of the subject"
    assert found(client, "refunds") == ["ZD-10293"], "refunds finds refunded (English stems)"
    assert found(client, "PASSWORD") == ["ZD-10294"], "case does not matter"


def test_every_word_must_match_and_quotes_and_minus_work_as_in_a_web_search(client, agent, tickets):
    client.force_login(agent)
    assert found(client, "charged invoice") == ["ZD-10293"]
    assert found(client, "charged password") == []
    assert found(client, "charged or password") == ["ZD-10293", "ZD-10294"]
    assert found(client, '"charged twice"') == ["ZD-10293"]
    assert found(client, '"twice charged"') == []
    assert found(client, "charged -password") == ["ZD-10293"]
    assert found(client, "charged -refund") == []


def test_an_external_id_typed_whole_finds_its_ticket_in_any_case(client, agent, tickets):
    client.force_login(agent)
    assert found(client, "ZD-10294") == ["ZD-10294"]
    assert found(client, " zd-10293 ") == ["ZD-10293"]


def test_a_customer_email_or_name_finds_their_tickets(client, agent, tickets):
    client.force_login(agent)
    assert found(client, "jane.doe@example.com") == ["ZD-10293"]
    assert found(client, "omar@example.org") == ["ZD-10294"]
    assert found(client, "Haddad") == ["ZD-10294"]


def test_part_of_a_word_is_not_a_word(client, agent, tickets):
    client.force_login(agent)
    assert found(client, "voice") == [], "searching words, not substrings"


def test_search_keeps_the_queue_order_and_the_other_filters(client, agent, desk):
    enriched_ticket(desk, "LOW", priority="low", category="billing")
    enriched_ticket(desk, "CRIT", priority="critical", category="billing")
    enriched_ticket(desk, "ACCOUNT", priority="critical", category="account")
    Ticket.objects.filter(external_id="ACCOUNT").update(status="solved")
    client.force_login(agent)
    assert found(client, "charged") == ["CRIT", "LOW"], "active only, most urgent first"
    response = client.get("/queue/", {"q": "charged", "status": "all", "category": "account"})
    assert [ticket.external_id for ticket in response.context["page"]] == ["ACCOUNT"]


def test_search_never_shows_a_source_the_agent_may_not_see(client, agent, desk):
    vip = source_create(name="VIP desk", slug="vip").source
    vip.teams.add(Group.objects.create(name="vip-team"))
    enriched_ticket(vip, "VIP-1")
    enriched_ticket(desk, "OPEN-1")
    client.force_login(agent)
    assert found(client, "charged") == ["OPEN-1"]
    assert found(client, "VIP-1") == []


@pytest.mark.parametrize("search", ["the", "!!!", '"', "-", "or", "a & b | c", "'; DROP TABLE x; --"])
def test_searches_without_words_or_with_operators_find_nothing_and_never_fail(client, agent, tickets, search):
    client.force_login(agent)
    assert found(client, search) == []


def test_a_huge_body_is_stored_and_its_beginning_is_searchable(desk):
    # ~1.3 MB of distinct words: more than one tsvector can hold, were the whole body indexed.
    body = "needle " + " ".join(f"w{n:07d}" for n in range(160_000))
    ticket = ticket_ingest(source=desk, external_id="HUGE", subject="Log dump", body=body).ticket
    assert Ticket.objects.get(pk=ticket.pk).body == body
    assert list(Ticket.objects.filter(search_vector="needle").values_list("external_id", flat=True)) == [
        "HUGE"
    ]
