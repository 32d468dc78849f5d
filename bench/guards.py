"""Guards benchmark: what PII redaction and the injection detector cost per ticket, and what they find.

Each ticket is the data the pipeline redacts for an external provider (`ai_enrichment.context.
prompt_data` before fitting): subject and body, customer name and e-mail, two earlier tickets of the
customer, three confirmed examples and two knowledge-base passages. The texts are real customer
messages and agent answers from the Bitext customer-support set (read from `../shared/datasets/`, never
copied into the project): a body is a greeting, two or three messages of one intent and a sign-off; the
passages are the set's answers. In `--pii-share` of the tickets (seeded) one sentence with one to four
planted values is added to the body: e-mail, phone (several countries and formats), card (Luhn-valid),
IBAN (valid checksum), IPv4/IPv6.

Timed per ticket, as the pipeline does it: `RedactionMap(redactor).redact_data(data)`, then the answer's
side: `unknown_placeholders` and `restore` over a summary and a reply that echo placeholders. Reported:
tickets/s (one thread: tickets / the sum of their timed work), overhead per ticket p50/p99 in µs, the ticket size, the share of planted values
that did not reach the redacted data (`planted_found`), and what the detectors find in the data set's
own texts, which hold no personal data except the company's contact addresses (`found_in_dataset`).

Injection detector (`ai_enrichment.injection`), timed per ticket over what the pipeline checks: subject,
body and customer name, and the two earlier tickets (`injection_tickets_per_s`, `injection_us_p50/p99`).
Its detection and false-positive rates on the project's corpus (tests/ai_enrichment/injection_corpus.py:
attempts in en/de/es/fr and ordinary tickets that use the same words), and the share of the data set's
own texts it flags (`injection_flagged_in_dataset`: ordinary customer messages and agent answers, all
false positives).

Answer cache (`ai_enrichment.answer_cache`), on a database of its own (`bench_guards`, recreated):
`--cache-tickets` BANKING77 training texts (`../shared/datasets/banking77/train.csv`, seeded shuffle)
are ingested as tickets of one source (the text as body, no subject), in order. Each asks the semantic
cache as the pipeline does (`answer_cache_similar`, the real SQL: same source, prompt and taxonomy
version, guard, threshold), then stores an answer whose category is its own intent. `semantic_precision` is the share
of hits whose answer has the query's intent, at AI_SEMANTIC_CACHE_THRESHOLD and at a sweep of others
(`semantic_sweep`: threshold → hit rate and precision over the same stream, guard included).
Hit latency is timed inside the pipeline: `ProviderRun._from_cache()` of a claimed ticket whose prompt
is cached — key, lookup, validation, placeholders restored and the cache-hit AICall written —
`--cache-lookups` times for an exact hit (PostgreSQL, and Redis at 127.0.0.1:6379/14 when reachable) and
for a semantic hit against all the stored answers.

    .venv/bin/python bench/guards.py [--tickets 5000] [--pii-share 0.5] [--cache-tickets 3000]
        [--cache-lookups 500] [--timeout-seconds 600]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_database, cached_embeddings, percentile, rounded, watchdog  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
BITEXT = "bitext_customer_support/Bitext_Sample_Customer_Support_Training_Dataset.csv"
BANKING77 = "banking77/train.csv"
SWEEP = (0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98)
REDIS_URL = "redis://127.0.0.1:6379/14"
SEED = 20261122
WARM_UP = 100  # phonenumbers loads each region's metadata on first use
GREETINGS = ("Hello,", "Hi there,", "Good morning,", "Dear support team,", "")
SIGN_OFFS = ("Thanks, Alex", "Best regards,\nPriya Shah", "Cheers", "Kind regards, Tom Becker", "")
PHONES = (
    "+1 415 555 0123",
    "(415) 555-0147",
    "415.555.2671",
    "+1-202-555-0199",
    "+44 20 7946 0958",
    "+44 7911 123456",
    "+49 30 901820",
    "+33 1 23 45 67 89",
    "+34 912 345 678",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--pii-share", type=float, default=0.5)
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--cache-tickets", type=int, default=3000)
    parser.add_argument("--cache-lookups", type=int, default=500)
    parser.add_argument("--timeout-seconds", type=float, default=600)
    args = parser.parse_args()
    watchdog(args.timeout_seconds, "guards")
    path = args.datasets / BITEXT
    if not path.is_file() or not (args.datasets / BANKING77).is_file():
        print(json.dumps({"benchmark": "guards", "skipped": f"{path} or {BANKING77} not found"}))
        return

    bench_database("bench_guards")
    from ai_enrichment.injection import injection_scan
    from ai_enrichment.redaction import RedactionMap, redactor
    from tests.ai_enrichment.injection_corpus import INJECTIONS, ORDINARY

    guard = redactor()  # PII_PHONE_REGION and PII_CUSTOM_PATTERNS as configured
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rng = random.Random(SEED)
    tickets = [_ticket(rows, rng, plant=rng.random() < args.pii_share) for _ in range(WARM_UP + args.tickets)]

    durations_us: list[float] = []
    planted = found = 0
    placeholders_per_kind: Counter[str] = Counter()
    for index, (data, values) in enumerate(tickets):
        begin = time.perf_counter()
        redaction = RedactionMap(guard)
        redacted = redaction.redact_data(data)
        answer = _echoing_answer(redaction.counts)
        redaction.unknown_placeholders(answer)
        redaction.restore(answer)
        elapsed = time.perf_counter() - begin
        if index < WARM_UP:
            continue
        durations_us.append(elapsed * 1e6)
        sent = json.dumps(redacted, ensure_ascii=False)
        planted += len(values)
        found += sum(value not in sent for value in values)
        placeholders_per_kind.update(redaction.counts)

    in_dataset: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        for field in ("instruction", "response"):
            for detection in guard.detect(row[field]):
                in_dataset[detection.kind].append(row[field][detection.start : detection.end])

    injection_us: list[float] = []
    for index, (data, _) in enumerate(tickets):
        texts = [data["ticket"]["subject"], data["ticket"]["body"], data["ticket"]["customer_name"]]
        texts += [
            text for item in data["customer_history"] for text in (item["subject"], item["body_excerpt"])
        ]
        begin = time.perf_counter()
        injection_scan(*texts)
        if index >= WARM_UP:
            injection_us.append((time.perf_counter() - begin) * 1e6)
    detected = sum(injection_scan(subject, body).flagged for subject, body in INJECTIONS)
    false_positives = sum(injection_scan(subject, body).flagged for subject, body in ORDINARY)
    flagged_in_dataset: Counter[str] = Counter()
    for row in rows:
        for field in ("instruction", "response"):
            flagged_in_dataset.update(injection_scan(row[field]).signals)
    flagged_texts = sum(
        injection_scan(row[field]).flagged for row in rows for field in ("instruction", "response")
    )

    sizes = [len(json.dumps(data, ensure_ascii=False)) for data, _ in tickets[WARM_UP:]]
    cache_figures = _answer_cache_figures(args)
    print(
        json.dumps(
            {
                "benchmark": "guards",
                "tickets": args.tickets,
                "pii_share": args.pii_share,
                "ticket_chars_mean": round(sum(sizes) / len(sizes)),
                "tickets_per_s": rounded(args.tickets / (sum(durations_us) / 1e6), 1),
                "overhead_us_p50": rounded(percentile(durations_us, 0.5), 1),
                "overhead_us_p99": rounded(percentile(durations_us, 0.99), 1),
                "planted_values": planted,
                "planted_found": rounded(found / planted, 4) if planted else None,
                "placeholders_per_kind": dict(placeholders_per_kind),
                "dataset_texts": 2 * len(rows),
                "found_in_dataset": {
                    kind: {"count": len(values), "distinct": sorted(set(values))[:5]}
                    for kind, values in in_dataset.items()
                },
                "injection_tickets_per_s": rounded(args.tickets / (sum(injection_us) / 1e6), 1),
                "injection_us_p50": rounded(percentile(injection_us, 0.5), 1),
                "injection_us_p99": rounded(percentile(injection_us, 0.99), 1),
                "injection_corpus": {"attempts": len(INJECTIONS), "ordinary": len(ORDINARY)},
                "injection_detection_rate": rounded(detected / len(INJECTIONS), 4),
                "injection_false_positive_rate": rounded(false_positives / len(ORDINARY), 4),
                "injection_flagged_in_dataset": {
                    "texts": flagged_texts,
                    "share": rounded(flagged_texts / (2 * len(rows)), 5),
                    "signals": dict(flagged_in_dataset),
                },
                **cache_figures,
            },
            ensure_ascii=False,
        )
    )


def _answer_cache_figures(args) -> dict:
    from django.conf import settings
    from django.core.cache import caches

    from ai_enrichment.answer_cache import answer_cache_similar, ticket_guard
    from ai_enrichment.models import CachedAnswer, TicketEmbedding
    from tests.ai_enrichment.conftest import good_answer
    from tickets.services import source_create, ticket_ingest

    settings.AI_ANSWER_CACHE_TTL_SECONDS = 3600
    threshold = settings.AI_SEMANTIC_CACHE_THRESHOLD
    rows = list(csv.DictReader((args.datasets / BANKING77).open(encoding="utf-8")))
    random.Random(SEED).shuffle(rows)
    rows = rows[: args.cache_tickets]
    # A ticket of one question and no subject: its embedding text is the question (a shared dummy
    # subject would pull every pair closer together).
    vectors = cached_embeddings([f"\n{row['text']}" for row in rows])
    source = source_create(name="Bank", slug="bank").source
    tickets = [
        ticket_ingest(source=source, external_id=f"B-{n}", subject="", body=row["text"], enrich=False).ticket
        for n, row in enumerate(rows)
    ]
    TicketEmbedding.objects.bulk_create(
        TicketEmbedding(ticket=ticket, content_hash=ticket.content_hash, embedding=vector)
        for ticket, vector in zip(tickets, vectors, strict=True)
    )

    # The stream at the lowest threshold swept; each threshold's hits are those at or above it.
    settings.AI_SEMANTIC_CACHE_THRESHOLD = min(SWEEP)
    matches: list[tuple[float, bool]] = []  # (similarity, same intent) of each hit at min(SWEEP)
    for ticket, vector, row in zip(tickets, vectors, rows, strict=True):
        hit = answer_cache_similar(
            ticket=ticket, vector=list(vector), prompt_version="v", taxonomy_version="t"
        )
        if hit is not None:
            matches.append((hit.similarity, hit.answer["category"] == row["category"]))
        # Every ticket's answer is stored, hit or not: "the nearest earlier enrichment" at any threshold.
        _store_answer(
            ticket, vector, category=row["category"], guard=ticket_guard(f"{ticket.subject}\n{ticket.body}")
        )
    settings.AI_SEMANTIC_CACHE_THRESHOLD = threshold

    def at(level: float) -> dict:
        hits = [same for similarity, same in matches if similarity >= level]
        return {
            "hit_rate": rounded(len(hits) / len(rows), 4),
            "precision": rounded(sum(hits) / len(hits), 4) if hits else None,
        }

    chosen = at(threshold)
    figures = {
        "cache_tickets": len(rows),
        "semantic_threshold": threshold,
        "semantic_hit_rate": chosen["hit_rate"],
        "semantic_precision": chosen["precision"],
        "semantic_sweep": {str(level): at(level) for level in SWEEP},
        "cached_answers": CachedAnswer.objects.count(),
    }
    figures.update(_hit_latency(args, tickets, stored=good_answer))
    settings.REDIS_URL = REDIS_URL
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    try:
        caches["default"].clear()
    except Exception as error:  # noqa: BLE001 (no Redis here: report it and go on)
        figures["exact_redis"] = f"skipped: {error}"
    else:
        figures["exact_redis"] = _hit_latency(args, tickets, stored=good_answer, exact_only=True)[
            "exact_postgres"
        ]
        caches["default"].clear()
    return figures


def _store_answer(ticket, vector, *, category: str, guard: str) -> None:
    from django.utils import timezone

    from ai_enrichment.models import CachedAnswer

    CachedAnswer.objects.create(
        key=f"bench-{ticket.pk}",
        ticket=ticket,
        source_id=ticket.source_id,
        provider="anthropic",
        model="claude-haiku-4-5",
        prompt_version="v",
        taxonomy_version="t",
        answer={"category": category},
        reuse=CachedAnswer.Reuse.ANYONE,
        guard=guard,
        embedding=list(vector),
        expires_at=timezone.now() + timedelta(hours=1),
    )


def _hit_latency(args, tickets, *, stored, exact_only: bool = False) -> dict:
    """`ProviderRun._from_cache()` timed for a ticket whose prompt is cached (exact) and for a new
    ticket whose near-twin's answer is cached (semantic), with the pipeline's real prompt and provider."""
    from django.conf import settings

    from ai_enrichment.answer_cache import answer_cache_put
    from ai_enrichment.context import enrichment_context
    from ai_enrichment.models import AICall, Enrichment
    from ai_enrichment.pipeline import ProviderRun, prompt_cache_key
    from ai_enrichment.prompts import enrichment_prompt
    from ai_enrichment.providers import provider_get
    from ai_enrichment.redaction import RedactionMap, redactor
    from ai_enrichment.selectors import taxonomy_current
    from tickets.services import ticket_ingest

    settings.ANTHROPIC_API_KEY = "bench-key-never-used"  # a hit sends nothing
    taxonomy = taxonomy_current()
    source = tickets[0].source

    def run_for(ticket) -> ProviderRun:
        context = enrichment_context(ticket=ticket)
        prompt = enrichment_prompt(
            context=context,
            taxonomy=taxonomy,
            version=settings.AI_PROMPT_VERSION,
            token_budget=settings.AI_CONTEXT_TOKEN_BUDGET,
            summary_max_chars=settings.AI_SUMMARY_MAX_CHARS,
            reply_max_chars=settings.AI_REPLY_MAX_CHARS,
            redaction=RedactionMap(redactor()),
        )
        enrichment = Enrichment.objects.filter(ticket=ticket).first() or Enrichment.objects.create(
            ticket=ticket, ticket_content_hash=ticket.content_hash
        )
        run = ProviderRun(
            enrichment=enrichment,
            provider=provider_get("anthropic"),
            prompt=prompt,
            taxonomy=taxonomy,
            deadline=0,
        )
        run.cache_key = prompt_cache_key(provider=run.provider, prompt=prompt, taxonomy=taxonomy)
        return run

    def timed(run: ProviderRun, kind: str) -> dict:
        durations_ms = []
        for _ in range(args.cache_lookups):
            begin = time.perf_counter()
            output = run._from_cache()
            durations_ms.append((time.perf_counter() - begin) * 1000)
            assert output is not None and run.cache_hit.kind == kind, "expected a cache hit"
        return {
            "p50_ms": rounded(percentile(durations_ms, 0.5), 3),
            "p99_ms": rounded(percentile(durations_ms, 0.99), 3),
        }

    def answered(run: ProviderRun, answer: dict) -> ProviderRun:
        """Keep `answer` in the cache as the provider's answer to this run's prompt."""
        answer_cache_put(
            key=run.cache_key,
            ticket=run.enrichment.ticket,
            provider="anthropic",
            model="claude-haiku-4-5",
            prompt=run.prompt,
            taxonomy_version=taxonomy.version,
            answer=answer,
        )
        return run

    first = ticket_ingest(
        source=source,
        external_id="EXACT",
        subject="Card payment declined",
        body="My card payment was declined at the shop, write to me at ana@example.com.",
        customer_email="ana@example.com",
        enrich=False,
    ).ticket
    run = answered(
        run_for(first),
        stored(summary="Card declined for <EMAIL_1>.", suggested_reply="Hello, we will write to <EMAIL_1>."),
    )
    figures = {"exact_postgres": timed(run, AICall.Cache.EXACT)}
    if exact_only:
        return figures
    twin = ticket_ingest(
        source=source,
        external_id="TWIN",
        subject="Lost card",
        body="I lost my card yesterday, please block it.",
        enrich=False,
    ).ticket
    answered(run_for(twin), stored())
    again = ticket_ingest(
        source=source,
        external_id="TWIN-2",
        subject="Lost card",
        body="I lost my card yesterday, please block it!",
        enrich=False,
    ).ticket
    figures["semantic_postgres"] = timed(run_for(again), AICall.Cache.SEMANTIC)
    return figures


def _ticket(rows: list[dict], rng: random.Random, *, plant: bool) -> tuple[dict, list[str]]:
    """The prompt data of one ticket, and the personal values planted in it."""
    first = rng.choice(rows)
    same_intent = [row for row in rng.sample(rows, 60) if row["intent"] == first["intent"]][:2]
    messages = [first["instruction"], *(row["instruction"] for row in same_intent)]
    email = f"customer{rng.randrange(10**6)}@example.com"
    values = _planted(rng) if plant else []
    sentence = _sentence(values, rng) if values else ""
    body = "\n".join(filter(None, [rng.choice(GREETINGS), *messages, sentence, rng.choice(SIGN_OFFS)]))
    data = {
        "ticket": {
            "subject": first["instruction"][:80],
            "body": body,
            "customer_name": rng.choice(("Alex Morgan", "Priya Shah", "María López", "")),
            "customer_email": email,
            "channel": "email",
            "language_hint": "en",
            "metadata": {},
        },
        "customer_history": [
            {
                "received_at": "2026-11-01",
                "subject": row["instruction"][:80],
                "body_excerpt": row["instruction"],
            }
            for row in rng.sample(rows, 2)
        ],
        "knowledge_passages": [
            {
                "id": rng.randrange(10**5),
                "article": row["category"],
                "section": row["intent"],
                "text": row["response"],
            }
            for row in rng.sample(rows, 2)
        ],
        "confirmed_examples": [
            {"subject": row["instruction"][:80], "body_excerpt": row["instruction"], "category": "billing"}
            for row in rng.sample(rows, 3)
        ],
    }
    return data, [email, *values]


def _planted(rng: random.Random) -> list[str]:
    makers = (_email, _phone, _card, _iban, _ipv4, _ipv6)
    return [maker(rng) for maker in rng.sample(makers, rng.randint(1, 4))]


def _sentence(values: list[str], rng: random.Random) -> str:
    lead = rng.choice(("For reference:", "My details:", "In case you need them:", "PS"))
    return f"{lead} {', '.join(values)}."


def _email(rng: random.Random) -> str:
    return f"{rng.choice(('ana', 'j.smith', 'li.wei', 'o.brien'))}{rng.randrange(100)}@example.org"


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONES)


def _card(rng: random.Random) -> str:
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    checksum = sum(d if i % 2 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits)))
    number = "".join(map(str, digits)) + str((10 - checksum % 10) % 10)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4)) if rng.random() < 0.5 else number


def _iban(rng: random.Random) -> str:
    bban = "".join(str(rng.randrange(10)) for _ in range(18))
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "DE00")) % 97
    iban = f"DE{check:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if rng.random() < 0.5 else iban


def _ipv4(rng: random.Random) -> str:
    return f"203.0.113.{rng.randrange(1, 255)}"


def _ipv6(rng: random.Random) -> str:
    return f"2001:db8::{rng.randrange(1, 0xFFFF):x}:{rng.randrange(1, 0xFFFF):x}"


def _echoing_answer(counts: dict[str, int]) -> str:
    """A summary and reply that use every kind of placeholder issued, as a model that echoes them would."""
    placeholders = " and ".join(f"<{kind.upper()}_1>" for kind in counts)
    return f"The customer asks about {placeholders or 'their order'}. Hello, we have noted {placeholders}."


if __name__ == "__main__":
    main()
