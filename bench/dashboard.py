"""Lead dashboard benchmark: server time of /dashboard/ with 100k tickets' worth of AI history.

Seeds (in its own database, `bench_dashboard`, recreated each run) tickets spread over a year, each
with an enrichment, its AI calls, and for most of them an agent's labels, sent reply and sometimes a
vote, in bulk. Then renders the dashboard in-process through Django's full request stack as a signed-in
lead, for the last 30 days and for all time (and a filtered view), and prints one JSON line: p50/p95
server time and the query count per view, cold (every figure computed) and warm (cached for the
current DASHBOARD_CACHE_SECONDS window), and the time to build the daily rollups (feedback.rollups)
and to refresh them; and, for the ratio, the cold views before the rollups exist.

    .venv/bin/python bench/dashboard.py [--tickets 100000] [--requests 20]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_database, percentile, rounded, watchdog  # noqa: E402

DATABASE = "bench_dashboard"
CATEGORIES = ["billing", "technical", "feature_request", "complaint", "account", "other"]
PRIORITIES = ["low", "medium", "high", "critical"]
CHUNK = 5000


def seed(count: int) -> float:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from ai_enrichment.models import AICall, Enrichment
    from feedback.models import Feedback, TicketLabel
    from tickets.models import Ticket
    from tickets.services import source_create

    started = time.perf_counter()
    sources = [source_create(name=f"Desk {n}", slug=f"desk-{n}").source for n in range(3)]
    agent = User.objects.create_user("bench-agent")
    rng = random.Random(7)
    now = timezone.now()
    documents = [(n, f"Article {n}") for n in range(1, 201)]
    for start in range(0, count, CHUNK):
        numbers = range(start, min(start + CHUNK, count))
        received = {n: now - timedelta(days=rng.uniform(0, 365)) for n in numbers}
        tickets = Ticket.objects.bulk_create(
            [
                Ticket(
                    source=sources[n % 3],
                    external_id=f"B-{n}",
                    subject=f"Ticket {n}: invoice {rng.randint(1000, 9999)} problem",
                    body="My card was charged twice for last month's invoice, please refund one of them.",
                    customer_email=f"c{n % 3000}@example.com",
                    status="solved",
                    content_hash=f"{n:064d}",
                )
                for n in numbers
            ],
            batch_size=1000,
        )
        Ticket.objects.bulk_update(
            [_with(t, received_at=received[int(t.external_id[2:])]) for t in tickets],
            ["received_at"],
            batch_size=1000,
        )
        enrichments = []
        for ticket in tickets:
            at = ticket.received_at
            status = rng.choices(["done", "fallback", "failed", "pending"], weights=[86, 6, 4, 4])[0]
            answered = status in ("done", "fallback")
            version = "enrich-v2" if at > now - timedelta(days=60) else "enrich-v1"
            cited = rng.sample(documents, 2) if answered and rng.random() < 0.7 else []
            enrichments.append(
                Enrichment(
                    ticket=ticket,
                    ticket_content_hash=ticket.content_hash,
                    status=status,
                    category=rng.choice(CATEGORIES) if answered else "",
                    priority=rng.choice(PRIORITIES) if answered else "",
                    confidence=round(rng.uniform(0.3, 1.0), 2) if answered else None,
                    summary="The customer was charged twice." if answered else "",
                    suggested_reply="Hello, we refunded the duplicate charge." if answered else "",
                    citations=[
                        {"chunk_id": d, "document_id": d, "title": t, "heading": ""} for d, t in cited
                    ],
                    passages_offered=len(cited),
                    provider="local" if status == "fallback" else "anthropic",
                    model="local-knn-v1" if status == "fallback" else "claude-haiku-4-5",
                    prompt_version=version,
                    claims=1,
                    started_at=at + timedelta(seconds=1),
                    finished_at=at + timedelta(seconds=rng.uniform(1.5, 8)) if status != "pending" else None,
                )
            )
        Enrichment.objects.bulk_create(enrichments, batch_size=1000)
        calls, labels, feedback = [], [], []
        for enrichment in enrichments:
            if enrichment.status == "pending":
                continue
            for attempt in range(1, 3 if rng.random() < 0.08 else 2):
                ok = attempt > 1 or enrichment.status != "failed"
                calls.append(
                    AICall(
                        ticket_id=enrichment.ticket_id,
                        enrichment=enrichment,
                        provider="anthropic",
                        model="claude-haiku-4-5",
                        prompt_version=enrichment.prompt_version,
                        input_hash="bench",
                        attempt=attempt,
                        status="ok" if ok else "error",
                        input_tokens=rng.randint(900, 2700),
                        output_tokens=rng.randint(200, 420),
                        cost_usd=Decimal(rng.randint(2000, 4500)) / 1_000_000,
                        latency_ms=int(rng.lognormvariate(7.25, 0.35)),
                    )
                )
            if enrichment.status not in ("done", "fallback") or rng.random() > 0.8:
                continue
            kept = rng.random() < 0.82
            category = enrichment.category if kept else rng.choice(CATEGORIES)
            labels.append(
                TicketLabel(
                    ticket_id=enrichment.ticket_id,
                    category=category,
                    priority=enrichment.priority,
                    origin="agent",
                    labeled_by=agent,
                )
            )
            common = {
                "enrichment": enrichment,
                "agent": agent,
                "provider": enrichment.provider,
                "model": enrichment.model,
                "prompt_version": enrichment.prompt_version,
                "seconds_to_action": rng.uniform(5, 400),
            }
            feedback.append(
                Feedback(
                    kind="labels_accepted" if category == enrichment.category else "labels_changed", **common
                )
            )
            feedback.append(
                Feedback(kind="reply_sent", similarity=round(rng.betavariate(4, 1.5), 4), **common)
            )
            if rng.random() < 0.3:
                down = rng.random() < 0.3
                feedback.append(
                    Feedback(
                        kind="vote",
                        vote="down" if down else "up",
                        reason=rng.choice(["wrong_category", "wrong_facts", "tone"]) if down else "",
                        **common,
                    )
                )
        AICall.objects.bulk_create(calls, batch_size=2000)
        TicketLabel.objects.bulk_create(labels, batch_size=2000)
        Feedback.objects.bulk_create(feedback, batch_size=2000)
    # Rows were created "now": date them as the pipeline and the agents would have.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE ai_enrichment_enrichment e SET created_at = t.received_at
            FROM tickets_ticket t WHERE t.id = e.ticket_id;
            UPDATE ai_enrichment_aicall c SET created_at = e.finished_at
            FROM ai_enrichment_enrichment e WHERE e.id = c.enrichment_id;
            UPDATE feedback_feedback f SET created_at = e.finished_at + interval '20 minutes'
            FROM ai_enrichment_enrichment e WHERE e.id = f.enrichment_id;
            UPDATE feedback_ticketlabel l SET created_at = e.finished_at + interval '20 minutes',
                updated_at = e.finished_at + interval '20 minutes'
            FROM ai_enrichment_enrichment e WHERE e.ticket_id = l.ticket_id;
            """
        )
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def refresh_rollups() -> dict:
    """Build the daily rollups as the scheduled task would after the history was written, then time a
    refresh with one day changed (an agent's new feedback on a month-old suggestion) and one with none."""
    from django.db import connection
    from django.utils import timezone

    from feedback.models import Feedback
    from feedback.rollups import rollups_refresh

    started, runs, rows, longest = time.perf_counter(), 0, 0, 0.0
    while True:  # as the scheduled task would, a bounded number of days per run
        run_started = time.perf_counter()
        built = rollups_refresh()
        longest = max(longest, time.perf_counter() - run_started)
        runs, rows = runs + 1, rows + built.rows
        if built.rolled_up_until >= timezone.localdate():
            break
    build_s = time.perf_counter() - started
    # As autovacuum soon would after the bulk insert: measured with it still running, the views are
    # slower by what it takes from the two cores, not by the rollups.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    month_ago = timezone.now() - timedelta(days=30)
    old = Feedback.objects.filter(enrichment__created_at__lt=month_ago).first()
    Feedback.objects.create(
        enrichment_id=old.enrichment_id,
        kind="vote",
        vote="down",
        reason="tone",
        provider=old.provider,
        model=old.model,
        prompt_version=old.prompt_version,
    )
    started = time.perf_counter()
    changed = rollups_refresh()
    changed_s = time.perf_counter() - started
    started = time.perf_counter()
    rollups_refresh()
    idle_s = time.perf_counter() - started
    return {
        "rollup_build_s": round(build_s, 2),
        "rollup_build_runs": runs,
        "rollup_longest_run_s": round(longest, 2),
        "rollup_rows": rows,
        "refresh_one_day_ms": round(changed_s * 1000),
        "refresh_days": changed.days,
        "refresh_idle_ms": round(idle_s * 1000),
    }


def _with(ticket, **fields):
    for name, value in fields.items():
        setattr(ticket, name, value)
    return ticket


def measure(client, path: str, requests: int) -> dict:
    """Cold: every figure computed (the cache emptied first). Warm: the figures of the current cache
    window reused (DASHBOARD_CACHE_SECONDS), as for reloads and other leads in the same minute."""
    return {
        "cold": _timed(client, path, requests, cold=True),
        "warm": _timed(client, path, requests, cold=False),
    }


def _timed(client, path: str, requests: int, *, cold: bool) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], 0
    for _ in range(requests):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        assert b'id="confusion-matrix"' in response.content, path
        queries = len(captured)
    return {
        "p50_ms": rounded(percentile(timings, 0.5), 1),
        "p95_ms": rounded(percentile(timings, 0.95), 1),
        "queries": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--requests-without-rollups", type=int, default=5)
    parser.add_argument("--timeout-seconds", type=float, default=1800)
    args = parser.parse_args()
    watchdog(args.timeout_seconds, "dashboard")

    bench_database(DATABASE)
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.test import Client

    # Static files as in tests: rendering must not depend on a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    seed_s = seed(args.tickets)
    lead = User.objects.create_user("bench-lead")
    lead.groups.set(Group.objects.filter(name__in=["agents", "leads"]))
    client = Client()
    client.force_login(lead)

    views = {
        "last_30_days": "/dashboard/?period=30",
        "all_time": "/dashboard/?period=all",
        "all_time_one_source_v1": "/dashboard/?period=all&source=desk-1&prompt_version=enrich-v1",
    }
    # First without rollups (everything counted from the rows, as before the first refresh), so that
    # one run gives the ratio whatever else the machine is doing.
    measure(client, views["all_time"], 1)  # warm up
    counted = {
        name: _timed(client, path, args.requests_without_rollups, cold=True) for name, path in views.items()
    }
    rollups = refresh_rollups()
    for path in views.values():
        measure(client, path, 2)  # warm up
    result = {
        "benchmark": "dashboard",
        "tickets": args.tickets,
        "seed_s": round(seed_s, 1),
        **rollups,
        **{name: measure(client, path, args.requests) for name, path in views.items()},
        "without_rollups_cold": counted,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
