"""A burst of tickets far above the ingest benchmark's rate (bench/ingest.py: ~250 accepted/s): every
request is accepted or told to retry (429/503, never a 500 or a dropped request), and what the source
retries is stored; nothing is lost or stored twice."""

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.reliability.conftest import Sender, fault_payload
from tests.reliability.invariants import assert_nothing_lost, wait_until_settled

BURST = 200  # all offered within a fraction of a second: >10x the benchmark's accepted rate
CLIENTS = 50


@pytest.mark.cluster
def test_a_burst_far_above_the_benchmark_rate_is_accepted_or_refused_never_lost(
    worker, gunicorn_url, desk, desk_key
):
    # This scenario is about ingest: with AI off the worker ends each enrichment at once (failed, with
    # the reason), so the 2-core machine drains the burst in seconds. No callbacks for the same reason.
    desk.callback_url = ""
    desk.save(update_fields=["callback_url"])
    worker(AI_ENABLED="false")
    sent = [f"BURST-{n}" for n in range(BURST)]
    sender = Sender(gunicorn_url, desk_key)

    def client(share):
        with httpx.Client() as connection:
            return [sender.deliver(fault_payload(external_id), client=connection) for external_id in share]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        deliveries = [
            d for share in pool.map(client, [sent[i::CLIENTS] for i in range(CLIENTS)]) for d in share
        ]
    elapsed = time.monotonic() - started

    first = Counter(d.statuses[0] for d in deliveries)
    assert set(first) <= {201, 429, 503}, f"first answers: {first}"
    assert all(d.accepted for d in deliveries), [d for d in deliveries if not d.accepted][:5]
    print(
        f"burst of {BURST} from {CLIENTS} clients: first answers {dict(first)}, all stored in {elapsed:.1f} s"
    )

    wait_until_settled(source=desk, sent=set(sent), callbacks=False, timeout=60)
    assert_nothing_lost(
        scenario=f"burst of {BURST} tickets from {CLIENTS} clients at once",
        source=desk,
        sent=set(sent),
        faults_injected=first[429] + first[503],
    )


@pytest.mark.cluster
def test_a_burst_over_the_sources_ingest_limit_is_accepted_or_refused_with_429_never_both(
    worker, gunicorn_url, desk, desk_key
):
    """With an ingest limit the source is told which tickets to send again (429 with Retry-After) and
    those are not stored; every other one is stored once. A burst may straddle two clock minutes, so up
    to twice the limit gets through."""
    limit = 50
    desk.callback_url = ""
    desk.ingest_requests_per_minute = limit
    desk.save(update_fields=["callback_url", "ingest_requests_per_minute"])
    worker(AI_ENABLED="false")
    sent = [f"LIMITED-{n}" for n in range(BURST)]
    sender = Sender(gunicorn_url, desk_key)

    def client(share):
        with httpx.Client() as connection:
            return [sender.post(fault_payload(external_id), connection) for external_id in share]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        shares = [sent[i::CLIENTS] for i in range(CLIENTS)]
        answers = dict(
            zip(
                [e for share in shares for e in share],
                [r for rs in pool.map(client, shares) for r in rs],
                strict=True,
            )
        )

    accepted = {external_id for external_id, response in answers.items() if response.status_code == 201}
    refused = {external_id for external_id, response in answers.items() if response.status_code == 429}
    assert accepted | refused == set(sent), Counter(r.status_code for r in answers.values())
    assert limit <= len(accepted) <= 2 * limit
    assert all(1 <= int(answers[external_id].headers["Retry-After"]) <= 60 for external_id in refused)

    wait_until_settled(source=desk, sent=accepted, callbacks=False, timeout=60)
    assert_nothing_lost(
        scenario=f"burst of {BURST} tickets against an ingest limit of {limit} a minute",
        source=desk,
        sent=accepted,
        faults_injected=len(refused),
    )
