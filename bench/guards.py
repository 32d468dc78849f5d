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

    .venv/bin/python bench/guards.py [--tickets 5000] [--pii-share 0.5] [--timeout-seconds 300]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import percentile, rounded, watchdog  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
BITEXT = "bitext_customer_support/Bitext_Sample_Customer_Support_Training_Dataset.csv"
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
    parser.add_argument("--timeout-seconds", type=float, default=300)
    args = parser.parse_args()
    watchdog(args.timeout_seconds, "guards")
    path = args.datasets / BITEXT
    if not path.is_file():
        print(json.dumps({"benchmark": "guards", "skipped": f"{path} not found"}))
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
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
            },
            ensure_ascii=False,
        )
    )


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
