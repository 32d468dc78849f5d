"""Agent workspace benchmark: queue and ticket-page server time with 50k tickets in the database.

Seeds tickets with current enrichments in bulk (its own database, `bench_ui`, recreated each run),
then renders the pages in-process through Django's full request stack (middleware, auth, templates)
as a signed-in agent, and prints one JSON line: p50/p99 server time and the query count per page.

    .venv/bin/python bench/ui.py [--tickets 50000] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_database  # noqa: E402

DATABASE = "bench_ui"


def setup_database() -> None:
    os.environ["EMBEDDED_DATABASE_NAME"] = DATABASE
    bench_database(DATABASE)
    from django.conf import settings

    # Static files as in tests: rendering must not depend on a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def seed(count: int) -> list[int]:
    from django.utils import timezone

    from ai_enrichment.models import Enrichment
    from tickets.models import Ticket
    from tickets.services import source_create

    source = source_create(name="Bench desk", slug="bench").source
    rng = random.Random(7)
    now = timezone.now()
    categories = ["billing", "technical", "feature_request", "complaint", "account", "other"]
    priorities = ["low", "medium", "high", "critical"]
    statuses = ["new", "open", "pending", "solved", "closed"]
    ids: list[int] = []
    for start in range(0, count, 5000):
        labels = {
            n: (rng.choice(["done"] * 8 + ["failed", "pending"]), rng.choice(priorities))
            for n in range(start, min(start + 5000, count))
        }
        tickets = [
            Ticket(
                source=source,
                external_id=f"B-{n}",
                subject=f"Ticket {n}: invoice {rng.randint(1000, 9999)} problem",
                body="My card was charged twice for last month's invoice, please refund one of them. " * 3,
                customer_email=f"c{n % 3000}@example.com",
                customer_external_id=f"cus_{n % 3000}",
                customer_name=f"Customer {n % 3000}",
                status=rng.choice(statuses),
                content_hash=f"{n:064d}",
                # What enrichment_finish keeps in step: the current suggestion's priority rank.
                queue_rank=priorities.index(labels[n][1]) if labels[n][0] == "done" else -1,
            )
            for n in range(start, min(start + 5000, count))
        ]
        Ticket.objects.bulk_create(tickets, batch_size=1000)
        Enrichment.objects.bulk_create(
            [
                Enrichment(
                    ticket=ticket,
                    ticket_content_hash=ticket.content_hash,
                    status=labels[int(ticket.external_id[2:])][0],
                    category=rng.choice(categories),
                    priority=labels[int(ticket.external_id[2:])][1],
                    confidence=round(rng.random(), 2),
                    summary="The customer was charged twice and wants a refund.",
                    suggested_reply="Hello, we refunded the duplicate charge.",
                    provider="local",
                    model="local-knn-v1",
                    prompt_version="enrich-v2",
                )
                for ticket in tickets
            ],
            batch_size=1000,
        )
        ids += [ticket.pk for ticket in tickets]
    Ticket.objects.filter(pk__in=ids[: count // 2]).update(received_at=now - timezone.timedelta(days=30))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ids


def measure(client, paths: list[str]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], []
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries.append(len(captured))
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p99_ms": round(timings[max(int(len(timings) * 0.99) - 1, 0)], 1),
        "queries": max(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    setup_database()
    from django.contrib.auth.models import Group, User
    from django.test import Client

    started = time.perf_counter()
    ids = seed(args.tickets)
    seed_s = time.perf_counter() - started
    agent = User.objects.create_user("bench-agent")
    agent.groups.set(Group.objects.filter(name="agents"))
    client = Client()
    client.force_login(agent)

    rng = random.Random(11)
    filters = [
        "",
        "?category=billing",
        "?priority=critical",
        "?low_confidence=on",
        "?ai_failed=on",
        "?q=invoice+4242",
        "?page=3",
        "?status=all",
    ]
    queue_paths = [f"/queue/{rng.choice(filters)}" for _ in range(args.requests)]
    ticket_paths = [f"/tickets/{rng.choice(ids)}/" for _ in range(args.requests)]
    measure(client, queue_paths[:10] + ticket_paths[:10])  # warm up
    result = {
        "benchmark": "ui",
        "tickets": args.tickets,
        "seed_s": round(seed_s, 1),
        "queue": measure(client, queue_paths),
        "ticket_page": measure(client, ticket_paths),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
