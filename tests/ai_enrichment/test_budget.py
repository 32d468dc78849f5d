"""Per-source AI limits: reservations are atomic, so concurrent workers never overshoot a budget, and
past a limit the local model answers with the reason for agents and leads."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ai_enrichment.budget import budget_reserve, budget_settle
from ai_enrichment.models import AICall, AISpend, Enrichment
from ai_enrichment.pipeline import enrich_ticket_batch
from feedback.dashboard import DashboardFilters, dashboard_figures


def test_reservations_stop_at_the_daily_budget_and_settling_frees_the_difference(desk):
    desk.ai_budget_daily_usd = Decimal("1.00")
    desk.save()
    first = budget_reserve(source=desk, estimate_usd=Decimal("0.4")).reservation
    assert budget_reserve(source=desk, estimate_usd=Decimal("0.4")).reservation is not None
    refused = budget_reserve(source=desk, estimate_usd=Decimal("0.4"))
    assert refused.reservation is None
    assert refused.refused == "over its daily AI budget ($1.00)"

    budget_settle(reservation=first, actual_usd=Decimal("0.1"))
    day = AISpend.objects.get(source=desk, period="day")
    assert (day.reserved_usd, day.spent_usd) == (Decimal("0.4"), Decimal("0.1"))
    assert budget_reserve(source=desk, estimate_usd=Decimal("0.4")).reservation is not None, "0.9 of 1.00"


def test_requests_per_minute_start_again_each_minute(desk):
    desk.ai_requests_per_minute = 2
    desk.save()
    now = timezone.now()
    assert all(budget_reserve(source=desk, estimate_usd=Decimal(0), now=now).reservation for _ in range(2))
    assert (
        budget_reserve(source=desk, estimate_usd=Decimal(0), now=now).refused
        == "over its AI requests per minute (2/min)"
    )
    assert budget_reserve(source=desk, estimate_usd=Decimal(0), now=now + timedelta(minutes=1)).reservation


def test_a_source_without_limits_is_never_refused_and_keeps_no_ledger(desk):
    assert all(budget_reserve(source=desk, estimate_usd=Decimal(100)).reservation for _ in range(5))
    assert not AISpend.objects.exists()


def test_over_budget_the_local_model_answers_and_says_why(fake_claude, make_ticket, desk, settings):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "local"]
    desk.ai_budget_monthly_usd = Decimal("0.00")
    desk.save()
    ticket = make_ticket()
    enrich_ticket_batch(ticket_id=ticket.id)

    assert fake_claude.request_count == 0
    enrichment = Enrichment.objects.get(ticket=ticket)
    assert (enrichment.status, enrichment.provider, enrichment.over_budget) == ("fallback", "local", True)
    assert "Acme Helpdesk is over its monthly AI budget ($0.00)" in enrichment.status_reason
    volume = dashboard_figures(filters=DashboardFilters(end=timezone.now() + timedelta(minutes=1))).volume
    assert volume.over_budget == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_enrichments_against_a_budget_for_ten_make_ten_external_calls(
    fake_claude, make_ticket, desk, settings
):
    # Output tokens priced at $0.001 each, input free; every call is asked for at most as many output
    # tokens as the fake answers with, so a call's worst case (reserved) equals its real cost (settled).
    settings.AI_PRICES = {"claude-haiku-4-5": {"input": 0, "output": 1000, "cache_read": 0, "cache_write": 0}}
    settings.AI_PROVIDER_CHAIN = ["anthropic", "local"]
    enrich_ticket_batch(ticket_id=make_ticket("PROBE").id)
    per_call = AICall.objects.get().output_tokens
    settings.AI_MAX_OUTPUT_TOKENS = per_call
    cost = Decimal(per_call) / 1000
    desk.ai_budget_daily_usd = (cost * Decimal("10.5")).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    assert cost * 10 <= desk.ai_budget_daily_usd < cost * 11
    desk.save()
    AISpend.objects.all().delete()

    settings.AI_ENRICHMENT_BATCH = 50
    fake_claude.latency = lambda: 0.2
    tickets = [make_ticket(f"T{n:02}") for n in range(50)]
    calls_before = fake_claude.request_count
    assert enrich_ticket_batch(ticket_id=tickets[0].id) == 50

    assert fake_claude.request_count - calls_before == 10
    answered = Enrichment.objects.filter(ticket__in=tickets)
    assert answered.filter(provider="anthropic").count() == 10
    assert answered.filter(provider="local", over_budget=True).count() == 40
    day = AISpend.objects.get(source=desk, period="day")
    assert day.reserved_usd == 0, "every reservation was settled"
    assert day.spent_usd == cost * 10 <= desk.ai_budget_daily_usd
