"""An agent's day in a real browser: log in, open a ticket, watch the suggestion arrive, vote, correct,
edit and send — and every action is a Feedback row. Screenshots land in tests/screenshots/."""

import pytest
from django.contrib.auth.models import Group

from ai_enrichment.models import Enrichment
from feedback.models import Feedback, TicketLabel
from tests.ai_enrichment.conftest import good_answer
from tests.browser.conftest import log_in, screenshot
from tests.conftest import wait_until
from tests.fakes import FakeAnthropic, Reply
from tickets import roles
from tickets.services import source_create, ticket_ingest


@pytest.fixture
def agent(django_user_model):
    user = django_user_model.objects.create_user("agent", password="pw")
    user.groups.set(Group.objects.filter(name=roles.AGENTS))
    return user


@pytest.mark.cluster
def test_an_agent_votes_corrects_and_sends_and_each_action_is_recorded(browser_page, start_q_cluster, agent):
    page, base_url = browser_page
    with FakeAnthropic(default=Reply(tool_input=good_answer())) as claude:
        source = source_create(name="Tallyhive Helpdesk", slug="tallyhive").source
        for n, (subject, body) in enumerate(
            [
                ("Invoice PDF is blank", "The PDF of invoice INV-88 opens blank."),
                ("Add dark mode", "Please add a dark theme."),
            ]
        ):
            ticket_ingest(
                source=source, external_id=f"OLD-{n}", subject=subject, body=body, customer_name="Ana Lima"
            )
        ticket = ticket_ingest(
            source=source,
            external_id="ZD-1",
            subject="Charged twice for March",
            body="Hello,\nmy card was charged twice for invoice INV-2031.\nCan you refund one of them?",
            customer_name="María Pérez",
            customer_email="maria@example.com",
        ).ticket

        log_in(page, base_url, "agent")
        page.get_by_text("Charged twice for March").click()
        page.wait_for_url(f"{base_url}/tickets/{ticket.pk}/")
        assert page.locator("#ai-panel").inner_text().startswith("AI suggestion")

        # The worker starts only now: the page shows the suggestion when it lands, without a reload.
        start_q_cluster(
            ANTHROPIC_API_KEY="browser", ANTHROPIC_BASE_URL=claude.base_url, AI_PROVIDER_CHAIN="anthropic"
        )
        page.wait_for_selector("#ai-panel .summary", timeout=90_000)
        assert "charged twice for invoice INV-2031" in page.locator("#ai-panel .summary").inner_text()
        screenshot(page, "ticket-page")

        page.select_option("#ai-panel select[name=reason]", "wrong_facts")
        page.click("[data-vote=down]")
        page.wait_for_selector("#toasts .toast")
        wait_until(lambda: Feedback.objects.filter(kind="vote").exists(), message="the vote")

        page.select_option("#ai-panel select[name=category]", "account")
        page.click("[data-accept-form] button[type=submit]")
        wait_until(
            lambda: Feedback.objects.filter(kind="labels_changed").exists(), message="the label change"
        )

        page.fill("#id_final_reply", "Hi María,\n\nWe refunded the duplicate charge today.\n\nSupport team")
        page.click("button[value=sent]")
        wait_until(lambda: Feedback.objects.filter(kind="reply_sent").exists(), message="the sent reply")

        page.goto(f"{base_url}/queue/")
        page.wait_for_selector("table[data-queue]")
        page.keyboard.press("j")
        assert page.locator("tr.selected").count() == 1
        screenshot(page, "queue")

    rows = {row.kind: row for row in Feedback.objects.all()}
    assert sorted(rows) == ["labels_changed", "reply_sent", "vote"]
    assert (rows["vote"].vote, rows["vote"].reason) == ("down", "wrong_facts")
    assert rows["labels_changed"].overrides == {"category": {"from": "billing", "to": "account"}}
    assert (
        rows["reply_sent"].final_reply
        == "Hi María,\n\nWe refunded the duplicate charge today.\n\nSupport team"
    )
    assert 0 < rows["reply_sent"].similarity < 1
    assert all(row.agent == agent and row.seconds_to_action is not None for row in rows.values())
    assert TicketLabel.objects.get(ticket=ticket).category == "account"
    assert Enrichment.objects.get(ticket=ticket, is_current=True).status == "done"
    assert page.dialogs == []


PAYLOADS = [
    '<script>alert("subject")</script>',
    "<img src=x onerror=\"alert('body')\">",
    "javascript:alert('name')",
]


def test_markup_in_tickets_never_runs_in_the_browser(browser_page, agent):
    page, base_url = browser_page
    source = source_create(name="Desk", slug="desk").source
    ticket = ticket_ingest(
        source=source,
        external_id="XSS",
        subject=PAYLOADS[0],
        body=f"{PAYLOADS[1]}\n<a href=\"javascript:alert('link')\">click</a>\n"
        + "مرحبا، لم أستلم الفاتورة 🧾 " * 40
        + "x" * 3000,
        customer_name=PAYLOADS[2],
    ).ticket
    Enrichment.objects.filter(ticket=ticket).update(
        status="done",
        category="billing",
        priority="high",
        confidence=0.5,
        summary=PAYLOADS[1],
        suggested_reply=PAYLOADS[0],
        provider="local",
        model="local-knn-v1",
        prompt_version="enrich-v2",
    )
    log_in(page, base_url, "agent")
    page.wait_for_selector("table[data-queue]")
    screenshot(page, "queue-hostile-content")
    page.goto(f"{base_url}/tickets/{ticket.pk}/")
    page.wait_for_selector("#ai-panel .summary")
    for link in page.locator("a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    assert page.locator("img[src=x]").count() == 0
    assert PAYLOADS[0] in page.locator("h1").inner_text(), "shown as text"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1360, "long bodies and RTL text do not break the layout"
    screenshot(page, "ticket-hostile-content")
    assert page.dialogs == []
