"""A circuit breaker per AI provider, shared by every worker through the database.

Closed: calls go through. When, within AI_CIRCUIT_WINDOW_SECONDS, at least AI_CIRCUIT_MIN_CALLS calls
to a provider were made and AI_CIRCUIT_FAILURE_RATE of them failed (errors, timeouts, 5xx, 429; not
invalid answers), it opens: the pipeline skips the provider and goes straight down the chain, so a
provider that is down costs tickets no timeouts. After AI_CIRCUIT_COOLDOWN_SECONDS one worker wins a
probe (half-open): success closes the circuit, failure opens it again. The failure rate is read from
the AICall rows the pipeline writes anyway.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from ai_enrichment.models import AICall, ProviderCircuit

State = ProviderCircuit.State


def circuit_allows(*, provider: str) -> bool:
    """Whether this call may go to `provider` now; when the cooldown is over, one caller gets the probe."""
    circuit = ProviderCircuit.objects.filter(provider=provider).first()
    if circuit is None or circuit.state == State.CLOSED:
        return True
    now = timezone.now()
    if circuit.updated_at > now - timedelta(seconds=settings.AI_CIRCUIT_COOLDOWN_SECONDS):
        return False  # open and cooling down, or a probe is out
    # Whoever moves the row first sends the probe; a probe whose worker died is retried after a cooldown.
    return bool(
        ProviderCircuit.objects.filter(pk=circuit.pk, updated_at=circuit.updated_at).update(
            state=State.HALF_OPEN, updated_at=now
        )
    )


def circuit_record(*, provider: str, ok: bool) -> None:
    """After a call: success closes an open circuit; a failure re-opens a half-open one, or opens a
    closed one when the window's failure rate crosses the threshold."""
    circuit = ProviderCircuit.objects.filter(provider=provider).first()
    state = circuit.state if circuit else State.CLOSED
    if ok:
        if state != State.CLOSED:
            ProviderCircuit.objects.filter(provider=provider).update(
                state=State.CLOSED, reason="", updated_at=timezone.now()
            )
        return
    if state == State.HALF_OPEN:
        _open(provider, "the probe after the cooldown failed")
    elif state == State.CLOSED:
        window = settings.AI_CIRCUIT_WINDOW_SECONDS
        calls = AICall.objects.filter(
            provider=provider, created_at__gte=timezone.now() - timedelta(seconds=window)
        ).aggregate(total=Count("id"), failed=Count("id", filter=Q(status=AICall.Status.ERROR)))
        total, failed = calls["total"], calls["failed"]
        if total >= settings.AI_CIRCUIT_MIN_CALLS and failed / total >= settings.AI_CIRCUIT_FAILURE_RATE:
            _open(provider, f"{failed} of its last {total} calls failed within {window:g} s")


def _open(provider: str, reason: str) -> None:
    ProviderCircuit.objects.update_or_create(
        provider=provider, defaults={"state": State.OPEN, "reason": reason, "updated_at": timezone.now()}
    )


def circuit_states() -> dict[str, dict]:
    """Every provider's circuit, for the health endpoint and the admin: {provider: {state, reason, since}}."""
    return {
        circuit.provider: {
            "state": circuit.state,
            "reason": circuit.reason,
            "since": circuit.updated_at.isoformat(),
        }
        for circuit in ProviderCircuit.objects.order_by("provider")
    }
