"""Routing by sensitivity: tickets of a sensitive source, or carrying more personal details than
AI_PII_LOCAL_ABOVE, never reach an external provider (the real SDK's fake server sees nothing); a
self-hosted OpenAI-compatible endpoint may take them; the decision is on every AICall and on the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ai_enrichment.models import AICall, Enrichment
from ai_enrichment.pipeline import enrich_ticket_batch
from ai_enrichment.routing import personal_details
from feedback.dashboard import DashboardFilters, dashboard_figures

LOTS_OF_PII = (
    "Please update my details: new e-mail ana.lima@example.org, phone +44 20 7946 0958, "
    "card 4111 1111 1111 1111 and IBAN GB82 WEST 1234 5698 7654 32."
)


def current(ticket) -> Enrichment:
    return Enrichment.objects.get(ticket=ticket, is_current=True)


@pytest.fixture
def claude_then_local(fake_claude, settings):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "local"]
    return fake_claude


def test_a_sensitive_sources_tickets_stay_on_the_local_model(claude_then_local, make_ticket, desk):
    desk.is_sensitive = True
    desk.save()
    ticket = make_ticket()
    enrich_ticket_batch(ticket_id=ticket.id)

    assert claude_then_local.request_count == 0
    enrichment = current(ticket)
    assert (enrichment.status, enrichment.provider) == (Enrichment.Status.DONE, "local")
    assert "marked sensitive" in enrichment.status_reason
    [call] = AICall.objects.all()
    assert call.provider == "local" and "marked sensitive" in call.routing


def test_a_ticket_over_the_pii_limit_stays_local_and_one_under_it_goes_out(
    claude_then_local, make_ticket, settings
):
    settings.AI_PII_LOCAL_ABOVE = 3
    crowded = make_ticket("ZD-1", body=LOTS_OF_PII)
    ordinary = make_ticket("ZD-2", body="My invoice INV-2031 shows the wrong VAT rate.")
    assert personal_details(crowded) == 4
    enrich_ticket_batch(ticket_id=crowded.id)
    enrich_ticket_batch(ticket_id=ordinary.id)

    assert claude_then_local.request_count == 1, "only the ordinary ticket went out"
    assert current(crowded).provider == "local"
    assert "carries 4 personal details (more than 3)" in current(crowded).status_reason
    assert current(ordinary).provider == "anthropic"
    assert AICall.objects.get(ticket=ordinary).routing == ""


def test_a_self_hosted_openai_compatible_endpoint_takes_sensitive_tickets_unredacted(
    claude_then_local, fake_openai, make_ticket, desk, settings
):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "openai_compatible", "local"]
    settings.OPENAI_COMPAT_SELF_HOSTED = True
    desk.is_sensitive = True
    desk.save()
    ticket = make_ticket(body=LOTS_OF_PII)
    enrich_ticket_batch(ticket_id=ticket.id)

    assert claude_then_local.request_count == 0
    assert fake_openai.request_count == 1
    assert "ana.lima@example.org" in fake_openai.requests[0].raw.decode(), "in-house: nothing to redact"
    assert current(ticket).provider == "openai_compatible"
    assert "Kept on self-hosted AI (openai_compatible, local)" in current(ticket).status_reason


def test_without_any_self_hosted_provider_a_sensitive_ticket_is_worked_manually(
    fake_claude, make_ticket, desk
):
    desk.is_sensitive = True
    desk.save()
    ticket = make_ticket()
    enrich_ticket_batch(ticket_id=ticket.id)

    assert fake_claude.request_count == 0
    enrichment = current(ticket)
    assert enrichment.status == Enrichment.Status.FAILED
    assert "No self-hosted AI provider is configured" in enrichment.status_reason
    assert not AICall.objects.exists()


def test_the_dashboard_counts_routed_tickets_and_redacted_calls(
    claude_then_local, make_ticket, desk, settings
):
    settings.AI_PII_LOCAL_ABOVE = 3
    enrich_ticket_batch(ticket_id=make_ticket("ZD-1", body=LOTS_OF_PII).id)
    enrich_ticket_batch(ticket_id=make_ticket("ZD-2").id)

    cost = dashboard_figures(filters=DashboardFilters(end=timezone.now() + timedelta(minutes=1))).cost
    assert cost.routed_tickets == 1, "the crowded ticket stayed local"
    assert cost.redacted_calls == 1, "the ordinary one went out redacted (the source's default)"
