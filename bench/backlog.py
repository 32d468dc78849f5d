"""Backfill benchmark: N old tickets without a suggestion sent in a Message Batch and applied, through
`ai_enrichment.backlog` and the real anthropic SDK against the fake Batches API on 127.0.0.1.

Timed separately: preparing and sending (claim, injection check and routing, embedding, retrieval,
redacted prompt, budget reservation, one upload) and applying (one results download, then per
result: the prompt built again and hash-checked, validation, AICall, finish). Prints one JSON line:
tickets/s of each phase, the cost recorded (batch price) beside the same tokens at the list price, the
outcomes, and the load average before and after (the machine is shared). Uses its own database
(`bench_backlog`, recreated each run).

    .venv/bin/python bench/backlog.py [--tickets 300] [--timeout-seconds 600]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_database, watchdog  # noqa: E402

DATABASE = "bench_backlog"
TEMPLATES = (
    (
        "Invoice {i} was charged twice",
        "Hello, my card was charged twice for invoice INV-{i}. Please refund one.",
    ),
    ("Cannot log in (case {i})", "Since the update the login page says my password is wrong. User user{i}."),
    ("Parcel {i} has not arrived", "The tracking page for parcel {i} has not moved for four days."),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--timeout-seconds", type=float, default=600)
    args = parser.parse_args()
    if not 1 <= args.tickets <= 10_000:
        parser.error("--tickets must be between 1 and 10000")
    watchdog(args.timeout_seconds, "backlog")
    load_before = os.getloadavg()

    from tests.fakes import FakeAnthropic, Reply

    answer = {
        "category": "billing",
        "priority": "high",
        "summary": "The customer was charged twice for one invoice and wants one charge refunded.",
        "suggested_reply": "Hello, thank you for telling us. We have asked our billing team to refund one.",
        "confidence": 0.86,
        "language": "en",
        "sentiment": "negative",
    }
    fake = FakeAnthropic(default=Reply(tool_input=answer)).start()
    os.environ.update(
        {
            "ANTHROPIC_API_KEY": "bench",
            "ANTHROPIC_BASE_URL": fake.base_url,
            "AI_PROVIDER_CHAIN": "anthropic,local",
        }
    )
    bench_database(DATABASE)

    from datetime import timedelta

    from django.db.models import Sum
    from django.utils import timezone

    from ai_enrichment.accounting import cost_usd
    from ai_enrichment.backlog import backlog_batch_submit, backlog_batches_collect, backlog_tickets
    from ai_enrichment.models import AICall, Enrichment
    from ai_enrichment.providers.base import Usage
    from tickets.models import Ticket
    from tickets.services import source_create, ticket_ingest

    source = source_create(name="Bench desk", slug="bench").source
    for i in range(args.tickets):
        subject, body = TEMPLATES[i % len(TEMPLATES)]
        ticket_ingest(
            source=source,
            external_id=f"B-{i}",
            subject=subject.format(i=i),
            body=body.format(i=i),
            customer_email=f"customer{i}@example.com",
        )
    Enrichment.objects.all().delete()  # imported history: no suggestion yet
    Ticket.objects.update(received_at=timezone.now() - timedelta(days=30))
    ticket_ids = backlog_tickets()

    started = time.monotonic()
    submission = backlog_batch_submit(ticket_ids=ticket_ids)
    prepared = time.monotonic() - started
    fake.finish_batches()
    started = time.monotonic()
    collection = backlog_batches_collect()
    applied = time.monotonic() - started
    fake.stop()

    calls = AICall.objects.filter(batch__isnull=False)
    list_price = sum(
        cost_usd(
            model=call.model,
            usage=Usage(
                input_tokens=call.input_tokens,
                output_tokens=call.output_tokens,
                cache_read_tokens=call.cache_read_tokens,
                cache_write_tokens=call.cache_write_tokens,
            ),
        )
        for call in calls
    )
    recorded = calls.aggregate(total=Sum("cost_usd"))["total"] or 0
    print(
        json.dumps(
            {
                "benchmark": "backlog",
                "tickets": len(ticket_ids),
                "batched": submission.sent,
                "prepare_and_send_s": round(prepared, 2),
                "prepare_tickets_per_s": round(len(ticket_ids) / prepared, 1),
                "apply_s": round(applied, 2),
                "apply_results_per_s": round(submission.sent / applied, 1) if applied else None,
                "outcomes": dict(collection.outcomes),
                "cost_usd_recorded": float(recorded),
                "cost_usd_at_list_price": float(list_price),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
