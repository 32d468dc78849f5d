"""The circuit breaker: repeated failures open a provider's circuit, tickets then go straight down the
chain without waiting on it, one probe after the cooldown decides whether it closes again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ai_enrichment.circuit import circuit_allows, circuit_record, circuit_states
from ai_enrichment.models import Enrichment, ProviderCircuit
from ai_enrichment.pipeline import enrich_ticket_batch
from tests.ai_enrichment.conftest import good_answer
from tests.fakes import Reply


@pytest.fixture
def breaker(settings):
    settings.AI_CIRCUIT_MIN_CALLS = 3
    settings.AI_CIRCUIT_FAILURE_RATE = 0.5
    settings.AI_CIRCUIT_COOLDOWN_SECONDS = 30


def cool_down():
    ProviderCircuit.objects.update(updated_at=timezone.now() - timedelta(seconds=31))


def test_an_outage_opens_the_circuit_and_later_tickets_skip_the_provider(
    fake_claude, make_ticket, settings, breaker
):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "local"]
    settings.AI_MAX_ATTEMPTS = 1
    fake_claude.default = Reply(status=500)
    tickets = [make_ticket(f"T{n}") for n in range(6)]
    for ticket in tickets:
        enrich_ticket_batch(ticket_id=ticket.id)

    assert fake_claude.request_count == 3, "after three failures in a row nothing more was sent"
    assert circuit_states()["anthropic"]["state"] == "open"
    assert "3 of its last 3 calls failed" in circuit_states()["anthropic"]["reason"]
    later = Enrichment.objects.get(ticket=tickets[-1])
    assert (later.status, later.provider) == ("fallback", "local")
    assert "circuit breaker is open" in later.status_reason


def test_after_the_cooldown_one_probe_goes_out_and_its_success_closes_the_circuit(
    fake_claude, make_ticket, settings, breaker
):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "local"]
    ProviderCircuit.objects.create(provider="anthropic", state="open", reason="outage")
    enrich_ticket_batch(ticket_id=make_ticket("T1").id)
    assert fake_claude.request_count == 0, "still cooling down"

    cool_down()
    fake_claude.default = Reply(tool_input=good_answer())
    probe = make_ticket("T2")
    enrich_ticket_batch(ticket_id=probe.id)
    assert fake_claude.request_count == 1
    assert Enrichment.objects.get(ticket=probe).provider == "anthropic"
    assert ProviderCircuit.objects.get().state == "closed"


def test_only_one_caller_wins_the_probe_and_a_failed_probe_opens_it_again(db, breaker):
    ProviderCircuit.objects.create(provider="anthropic", state="open")
    cool_down()
    assert [circuit_allows(provider="anthropic") for _ in range(3)] == [True, False, False]
    assert ProviderCircuit.objects.get().state == "half_open"

    circuit_record(provider="anthropic", ok=False)
    circuit = ProviderCircuit.objects.get()
    assert (circuit.state, circuit.reason) == ("open", "the probe after the cooldown failed")
    assert not circuit_allows(provider="anthropic")


def test_a_few_failures_among_many_successes_keep_it_closed(fake_claude, make_ticket, settings, breaker):
    settings.AI_MAX_ATTEMPTS = 2
    fake_claude.script(Reply(status=529), Reply(tool_input=good_answer()))  # overloaded once, then fine
    for n in range(4):
        enrich_ticket_batch(ticket_id=make_ticket(f"T{n}").id)
    assert fake_claude.request_count == 5
    assert circuit_allows(provider="anthropic")
    assert set(Enrichment.objects.values_list("provider", flat=True)) == {"anthropic"}
