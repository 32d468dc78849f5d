"""The queue: AI labels at a glance, filters that keep the URL, most urgent first, no N+1."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workspace.conftest import enriched_ticket
from tickets.models import Ticket


def titles(response) -> list[str]:
    return [t.subject for t in response.context["page"]]


def test_it_lists_open_tickets_most_urgent_first_then_oldest(client, agent, desk):
    enriched_ticket(desk, "LOW", priority="low")
    enriched_ticket(desk, "CRIT", priority="critical")
    enriched_ticket(desk, "HIGH-OLD", priority="high")
    enriched_ticket(desk, "HIGH-NEW", priority="high")
    enriched_ticket(desk, "WAITING", status="pending")
    solved = enriched_ticket(desk, "SOLVED", priority="critical")
    Ticket.objects.filter(pk=solved.pk).update(status="solved")

    client.force_login(agent)
    response = client.get("/queue/")
    assert titles(response) == [
        "Subject CRIT",
        "Subject HIGH-OLD",
        "Subject HIGH-NEW",
        "Subject LOW",
        "Subject WAITING",
    ]
    page = response.content.decode()
    assert "AI working…" in page and 'hx-trigger="every 2s"' in page, "a pending row polls for its result"


def test_filters_narrow_the_list(client, agent, desk):
    enriched_ticket(desk, "B", category="billing", confidence=0.95)
    enriched_ticket(desk, "A", category="account", confidence=0.3)
    enriched_ticket(desk, "F", status="failed")
    client.force_login(agent)
    assert titles(client.get("/queue/", {"category": "account"})) == ["Subject A"]
    assert titles(client.get("/queue/", {"low_confidence": "on"})) == ["Subject A"]
    assert titles(client.get("/queue/", {"ai_failed": "on"})) == ["Subject F"]
    assert titles(client.get("/queue/", {"q": "Subject B"})) == ["Subject B"]
    assert "AI unavailable" in client.get("/queue/", {"ai_failed": "on"}).content.decode()


def test_an_htmx_filter_change_returns_only_the_results(client, agent, desk):
    enriched_ticket(desk, "B")
    client.force_login(agent)
    response = client.get("/queue/", {"category": "billing"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="queue-results">')
    assert "<html" not in body


def test_bad_filter_values_are_shown_not_crashed(client, agent, desk):
    enriched_ticket(desk, "B")
    client.force_login(agent)
    response = client.get("/queue/", {"category": "nonsense", "page": "banana"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_queue_costs_a_fixed_number_of_queries(client, agent, desk):
    client.force_login(agent)
    for n in range(3):
        enriched_ticket(desk, f"T{n}")
    client.get("/queue/")  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        client.get("/queue/")
    for n in range(3, 30):
        enriched_ticket(desk, f"T{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/queue/")
    assert len(many) == len(few), [q["sql"][:80] for q in many]
    assert len(many) <= 12


def test_a_huge_queue_says_more_than_the_cap_instead_of_counting_everything(client, agent, desk, monkeypatch):
    from tickets import views

    monkeypatch.setattr(views, "QUEUE_COUNT_CAP", 3)
    for n in range(5):
        enriched_ticket(desk, f"T{n}")
    client.force_login(agent)
    response = client.get("/queue/")
    assert "More than 3 tickets" in response.content.decode()
    assert len(response.context["page"]) == 4, "the page shows what the capped count allows"
