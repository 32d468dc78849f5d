"""What every fault scenario ends by proving, in one place: nothing lost, nothing duplicated.

`wait_until_settled` waits for the worker to bring every ticket to a terminal state (and the callbacks
home); `assert_nothing_lost` then checks, from the database and the fakes' own records:

- every ticket sent is stored exactly once, and nothing else was stored for the source;
- each has exactly one current enrichment, terminal (done, fallback, failed), with the reason an agent
  reads when it is not `done`; older enrichments are terminal too (none left pending or running);
- AICall rows are consistent: each names its enrichment's ticket, a done/fallback enrichment has an
  accepted answer from the provider it names, no enrichment has more accepted answers than claims, and
  every request the fake model received is accounted as one AICall;
- callbacks: each finished enrichment was delivered exactly once (one `delivered` attempt), and every
  request the receiver saw is a recorded attempt under that enrichment's X-Delivery-Id.

The figures of each scenario are collected for the suite's summary (see conftest.py) and BENCHMARKS.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.db.models import Count

from ai_enrichment.models import AICall, CallbackDelivery, Enrichment
from tests.conftest import wait_until
from tests.fakes import CallbackReceiver, FakeAnthropic
from tickets.models import Source, Ticket

Status = Enrichment.Status
FINISHED = (Status.DONE, Status.FALLBACK, Status.FAILED)


@dataclass
class Figures:
    scenario: str
    tickets_sent: int
    faults_injected: int
    tickets_stored: int = 0
    lost: int = 0
    duplicates: int = 0
    enrichments: dict[str, int] = field(default_factory=dict)
    ai_calls: int = 0
    callbacks_delivered: int = 0


SUITE_FIGURES: list[Figures] = []


def wait_until_settled(
    *, source: Source, sent: set[str], callbacks: bool = True, timeout: float = 45.0, tick=None
) -> None:
    """Wait until every sent ticket's current enrichment is terminal and, with `callbacks`, delivered.

    `tick` runs on each poll (e.g. a scheduler tick that queues due callback retries).
    """

    def settled() -> bool:
        if tick is not None:
            tick()
        current = Enrichment.objects.filter(
            ticket__source=source, ticket__external_id__in=sent, is_current=True
        )
        if current.count() < len(sent) or current.exclude(status__in=FINISHED).exists():
            return False
        if not callbacks:
            return True
        finished = Enrichment.objects.filter(ticket__source=source, status__in=FINISHED)
        return not finished.exclude(callback_deliveries__delivered=True).exists()

    try:
        wait_until(settled, timeout=timeout, interval=0.2, message="every ticket to settle")
    except AssertionError as timed_out:
        raise AssertionError(f"{timed_out}; {_unsettled(source=source, sent=sent)}") from None
    finally:
        connection.close()  # polled from the test's thread; a restarted database needs a fresh one


def _unsettled(*, source: Source, sent: set[str]) -> str:
    """What is still open when a scenario times out, so that a failure on CI says where it stuck."""
    connection.close()
    current = Enrichment.objects.filter(ticket__source=source, ticket__external_id__in=sent, is_current=True)
    statuses = dict(Counter(current.values_list("status", flat=True)))
    open_runs = list(
        current.exclude(status__in=FINISHED).values_list(
            "ticket__external_id", "status", "claims", "created_at", "started_at"
        )[:10]
    )
    undelivered = list(
        Enrichment.objects.filter(ticket__source=source, status__in=FINISHED)
        .exclude(callback_deliveries__delivered=True)
        .values_list("ticket__external_id", "status", "finished_at")[:10]
    )
    attempts = list(
        CallbackDelivery.objects.filter(enrichment__ticket__source=source, delivered=False).values_list(
            "enrichment__ticket__external_id", "attempt", "status_code", "error", "created_at"
        )[:10]
    )
    return (
        f"{current.count()} of {len(sent)} current enrichments, by status {statuses}; "
        f"open: {open_runs}; finished without a delivered callback: {undelivered}; "
        f"failed delivery attempts: {attempts}"
    )


def assert_nothing_lost(
    *,
    scenario: str,
    source: Source,
    sent: set[str],
    faults_injected: int = 0,
    model: FakeAnthropic | None = None,
    unaccounted_model_requests: int = 0,
    receiver: CallbackReceiver | None = None,
    still_claimable: bool = False,
) -> Figures:
    """Check the invariants above for the tickets `sent` (external ids) by `source`; return the figures.

    `unaccounted_model_requests`: model requests allowed to have no AICall row (a worker killed while
    it waited for the answer never records it; its claim is taken over and the ticket asked again).
    `still_claimable`: current enrichments may still be pending or running (work the sweeper will queue
    again); every other invariant holds for the finished ones.
    """
    figures = Figures(scenario=scenario, tickets_sent=len(sent), faults_injected=faults_injected)
    tickets = Ticket.objects.filter(source=source)
    stored = Counter(tickets.values_list("external_id", flat=True))
    figures.tickets_stored = len(stored)
    figures.lost = len(sent - stored.keys())
    figures.duplicates = sum(count - 1 for count in stored.values())
    assert figures.lost == 0, f"lost tickets: {sorted(sent - stored.keys())[:10]}"
    assert figures.duplicates == 0, f"stored twice: {[k for k, n in stored.items() if n > 1][:10]}"
    assert stored.keys() == sent, f"stored but never sent: {sorted(stored.keys() - sent)[:10]}"

    enrichments = Enrichment.objects.filter(ticket__source=source)
    current_per_ticket = enrichments.filter(is_current=True).values("ticket").annotate(n=Count("id"))
    assert {row["n"] for row in current_per_ticket} == {1}
    assert current_per_ticket.count() == len(sent), "a ticket without a current enrichment"
    unfinished = list(enrichments.exclude(status__in=(*FINISHED, Status.SUPERSEDED)).values("id", "status"))
    if not still_claimable:
        assert unfinished == [], f"left pending or running: {unfinished[:10]}"
    assert not enrichments.filter(is_current=False, status__in=(Status.PENDING, Status.RUNNING)).exists()
    current = list(enrichments.filter(is_current=True))
    assert not any(e.status == Status.SUPERSEDED for e in current), "a current enrichment was superseded"
    for enrichment in (e for e in current if e.status in FINISHED):
        if enrichment.status == Status.DONE:
            assert enrichment.category and enrichment.provider, f"done without a result: {enrichment}"
        else:
            assert enrichment.status_reason.strip(), f"{enrichment} has no reason an agent can read"
    figures.enrichments = dict(Counter(e.status for e in current))

    calls = AICall.objects.filter(ticket__source=source)
    figures.ai_calls = calls.count()
    mismatched = [c.pk for c in calls.select_related("enrichment") if c.enrichment.ticket_id != c.ticket_id]
    assert mismatched == [], f"AICall rows naming another ticket: {mismatched[:10]}"
    # An answer is accepted from the provider (ok) or from the answer cache (cache_hit: no request sent).
    answered = (AICall.Status.OK, AICall.Status.CACHE_HIT)
    accepted = Counter(calls.filter(status__in=answered).values_list("enrichment_id", "provider"))
    for enrichment in enrichments.filter(status__in=FINISHED):
        answers = sum(n for (eid, _), n in accepted.items() if eid == enrichment.pk)
        assert answers <= enrichment.claims, (
            f"{enrichment}: {answers} accepted answers for {enrichment.claims} claims"
        )
        if enrichment.status in (Status.DONE, Status.FALLBACK):
            assert accepted[(enrichment.pk, enrichment.provider)] >= 1, f"{enrichment} has no accepted answer"
    if model is not None:
        asked = sum(1 for r in model.requests if r.path == "/v1/messages")
        recorded = calls.filter(provider="anthropic").exclude(status=AICall.Status.CACHE_HIT).count()
        assert recorded <= asked <= recorded + unaccounted_model_requests, (
            f"the model was asked {asked} times, {recorded} AICall rows"
        )

    if source.callback_url:
        finished = list(enrichments.filter(status__in=FINISHED).values_list("id", flat=True))
        deliveries = CallbackDelivery.objects.filter(enrichment__ticket__source=source)
        delivered = Counter(deliveries.filter(delivered=True).values_list("enrichment_id", flat=True))
        figures.callbacks_delivered = sum(delivered.values())
        if still_claimable:  # callbacks of the last finished ones may still be on their way
            assert set(delivered) <= set(finished), "a callback for an unfinished enrichment"
        else:
            assert sorted(delivered) == sorted(finished), "a finished enrichment was not called back"
        assert set(delivered.values()) <= {1}, "an enrichment was delivered twice"
        attempts = Counter(deliveries.values_list("enrichment_id", "attempt"))
        assert set(attempts.values()) <= {1}, "the same attempt was made twice"
        if receiver is not None:
            # Each request the receiver saw is one recorded attempt, under the enrichment's own key.
            received = Counter(r.headers.get("x-delivery-id") for r in receiver.requests)
            recorded = Counter(
                f"enrichment-{pk}" for pk in deliveries.values_list("enrichment_id", flat=True)
            )
            assert received == recorded, "the receiver's requests and the recorded attempts differ"

    SUITE_FIGURES.append(figures)
    print(asdict(figures))
    return figures
