"""Import labeled history (past tickets with the labels and replies agents gave them) in bulk, so the
local model and few-shot retrieval have examples from day one. Idempotent: importing the same file
again changes nothing."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django_q.tasks import async_task

from ai_enrichment.models import Category, Priority
from ai_enrichment.services import ticket_embeddings_compute
from feedback.models import TicketLabel
from feedback.services import ticket_label_confirm
from tickets.models import Source, Ticket
from tickets.services import IngestOutcome, ticket_ingest

BATCH = 500


@dataclass(frozen=True)
class HistoryColumns:
    text: str
    label: str
    priority: str = ""
    reply: str = ""
    subject: str = ""
    external_id: str = ""


@dataclass
class HistoryImported:
    imported: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)  # "row N: reason"


def read_rows(path: Path) -> Iterator[dict]:
    """Rows of a CSV (with a header) or JSONL file, as dicts. ValueError for anything else."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield from csv.DictReader(handle)
    elif suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except ValueError as error:
                        row = {"__error__": f"not JSON ({error})"}
                    yield (
                        row if isinstance(row, dict) else {"__error__": f"line {number} is not a JSON object"}
                    )
    else:
        raise ValueError(f"{path.name}: expected a .csv or .jsonl file")


def history_import(
    *,
    source: Source,
    rows: Iterator[dict],
    columns: HistoryColumns,
    add_missing_labels: bool = False,
    progress=None,
) -> HistoryImported:
    """Store each row as a ticket of `source` with its confirmed label, then embed the batch."""
    result = HistoryImported()
    categories = set(Category.objects.filter(is_active=True).values_list("slug", flat=True))
    priorities = set(Priority.objects.filter(is_active=True).values_list("slug", flat=True))
    batch: list[tuple[int, dict]] = []
    for number, row in enumerate(rows, start=1):
        batch.append((number, row))
        if len(batch) >= BATCH:
            _import_batch(source, batch, columns, categories, priorities, add_missing_labels, result)
            batch = []
        if progress:
            progress(1)
    if batch:
        _import_batch(source, batch, columns, categories, priorities, add_missing_labels, result)
    if result.imported or result.unchanged:
        # The local model's trained half learns the new history (or relabeled rows) now rather than at
        # the next scheduled refit; the neighbours' vote already sees it. Re-imported rows save their
        # labels again, so even an identical file refits once.
        async_task("ai_enrichment.tasks.refit_label_models")
    return result


def _import_batch(source, batch, columns, categories, priorities, add_missing_labels, result) -> None:
    imported: list[Ticket] = []
    with transaction.atomic():
        for number, row in batch:
            problem, values = _check(row, columns, categories, priorities, add_missing_labels)
            if problem:
                result.rejected.append(f"row {number}: {problem}")
                continue
            if values["category"] not in categories:
                Category.objects.get_or_create(
                    slug=values["category"],
                    defaults={
                        "name": values["category"].replace("_", " ").capitalize(),
                        "description": "Imported label.",
                    },
                )
                categories.add(values["category"])
            ingested = ticket_ingest(
                source=source,
                external_id=values["external_id"],
                subject=values["subject"],
                body=values["text"],
                status=Ticket.Status.SOLVED,
                enrich=False,
            )
            ticket_label_confirm(
                ticket=ingested.ticket,
                category=values["category"],
                priority=values["priority"],
                reply=values["reply"],
                origin=TicketLabel.Origin.IMPORT,
            )
            if ingested.outcome == IngestOutcome.UNCHANGED:
                result.unchanged += 1
            else:
                result.imported += 1
            imported.append(ingested.ticket)
    ticket_embeddings_compute(tickets=imported)


def _check(row, columns, categories, priorities, add_missing_labels) -> tuple[str, dict]:
    if "__error__" in row:
        return row["__error__"], {}
    text = str(row.get(columns.text) or "").strip()
    category = str(row.get(columns.label) or "").strip()
    priority = str(row.get(columns.priority) or "").strip() if columns.priority else ""
    if not text:
        return f"empty '{columns.text}'", {}
    if "\x00" in text:
        return "text contains NUL characters", {}
    if not category:
        return f"empty '{columns.label}'", {}
    if category not in categories and not add_missing_labels:
        return (
            f"category '{category}' is not in the taxonomy (add it in the admin, or pass --add-missing-labels)",
            {},
        )
    if priority and priority not in priorities:
        return f"priority '{priority}' is not one of {', '.join(sorted(priorities))}", {}
    external_id = str(row.get(columns.external_id) or "").strip() if columns.external_id else ""
    subject = str(row.get(columns.subject) or "").strip() if columns.subject else ""
    return "", {
        "text": text,
        "category": category[:50],
        "priority": priority,
        "reply": str(row.get(columns.reply) or "").strip() if columns.reply else "",
        "subject": (subject or text.splitlines()[0])[:200],
        # Without an id column, the row's content names it: importing the same file twice is a no-op.
        "external_id": external_id[:200]
        or "import-" + hashlib.sha256(f"{text}\x1f{category}".encode()).hexdigest()[:24],
    }
