"""The ticket page: the ticket as text, the AI panel, and each action recorded once."""

from django.utils import timezone

from ai_enrichment.models import Enrichment
from feedback.models import Feedback, TicketLabel
from tests.workspace.conftest import enriched_ticket


def test_it_shows_the_ticket_and_the_suggestion(client, agent, ticket):
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Refund a double charge." in page
    assert "billing" in page and "confidence 90%" in page
    assert "Hi María," in page


def test_a_reused_reply_links_the_ticket_it_comes_from(client, agent, desk):
    earlier = enriched_ticket(desk, "E-7")
    reused = enriched_ticket(desk, "R", reply_source_ticket=earlier)
    client.force_login(agent)
    page = client.get(f"/tickets/{reused.pk}/").content.decode()
    assert f'Reply reused from the answer to <a href="/tickets/{earlier.pk}/"' in page
    assert "acme #E-7" in page and "Subject E-7" in page
    assert "Reply reused" not in client.get(f"/tickets/{earlier.pk}/").content.decode()


def test_a_failed_enrichment_says_work_manually_and_offers_a_retry(client, agent, desk):
    failed = enriched_ticket(desk, "F", status="failed")
    client.force_login(agent)
    page = client.get(f"/tickets/{failed.pk}/").content.decode()
    assert "AI unavailable — work this ticket manually." in page
    assert "No AI provider is configured" in page
    assert "Retry" in page


def test_a_pending_panel_polls_and_a_done_panel_does_not(client, agent, desk, ticket):
    waiting = enriched_ticket(desk, "W", status="pending")
    client.force_login(agent)
    assert 'hx-trigger="every 2s"' in client.get(f"/tickets/{waiting.pk}/ai/").content.decode()
    assert 'hx-trigger="every 2s"' not in client.get(f"/tickets/{ticket.pk}/ai/").content.decode()


def test_markup_in_a_ticket_is_shown_as_text(client, agent, desk):
    from tickets.services import ticket_ingest

    evil = ticket_ingest(
        source=desk,
        external_id="X",
        subject="<script>alert(1)</script>",
        body="<img src=x onerror=alert(2)>",
        customer_name="<b>Bob</b>",
    ).ticket
    client.force_login(agent)
    page = client.get(f"/tickets/{evil.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>Bob</b>" not in page


def test_each_action_leaves_exactly_one_feedback_row(client, agent, ticket):
    client.force_login(agent)
    shown = (timezone.now() - timezone.timedelta(seconds=30)).isoformat()
    url = f"/tickets/{ticket.pk}"
    assert (
        client.post(
            f"{url}/vote/",
            {"vote": "down", "reason": "wrong_facts", "comment": "no", "displayed_at": shown},
            HTTP_HX_REQUEST="true",
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"{url}/labels/", {"category": "account", "priority": "high"}, HTTP_HX_REQUEST="true"
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"{url}/reply/", {"final_reply": "Hi María, refunded.", "action": "sent"}, HTTP_HX_REQUEST="true"
        ).status_code
        == 200
    )

    kinds = list(Feedback.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["vote", "labels_changed", "reply_sent"]
    vote = Feedback.objects.get(kind="vote")
    assert (vote.vote, vote.reason, vote.agent) == ("down", "wrong_facts", agent)
    assert 29 < vote.seconds_to_action < 120
    assert TicketLabel.objects.get(ticket=ticket).category == "account"


def test_an_htmx_action_returns_the_panel_with_a_toast(client, agent, ticket):
    client.force_login(agent)
    response = client.post(f"/tickets/{ticket.pk}/vote/", {"vote": "up"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<aside class="card ai-panel"')
    assert "toast" in response["HX-Trigger"]


def test_without_javascript_an_action_redirects_back_to_the_ticket(client, agent, ticket):
    client.force_login(agent)
    response = client.post(f"/tickets/{ticket.pk}/vote/", {"vote": "up"})
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"


def test_regenerate_queues_a_new_suggestion_and_keeps_the_old(client, agent, ticket):
    client.force_login(agent)
    client.post(f"/tickets/{ticket.pk}/regenerate/", HTTP_HX_REQUEST="true")
    assert list(
        Enrichment.objects.filter(ticket=ticket).order_by("id").values_list("status", "is_current")
    ) == [("done", False), ("pending", True)]


def test_bad_input_is_a_400_with_the_error_next_to_the_field(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        f"/tickets/{ticket.pk}/labels/", {"category": "nope", "priority": "high"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post(f"/tickets/{ticket.pk}/vote/", {"vote": "maybe", "displayed_at": "yesterday"})
    assert response.status_code == 400
    assert not Feedback.objects.exists()
