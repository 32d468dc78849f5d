"""Reads shared by the pipeline, the API and the agent workspace."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings

from ai_enrichment.models import Category, Enrichment, Priority


@dataclass(frozen=True)
class Label:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[Label, ...]
    priorities: tuple[Label, ...]  # least urgent first

    @property
    def category_slugs(self) -> list[str]:
        return [label.slug for label in self.categories]

    @property
    def priority_slugs(self) -> list[str]:
        return [label.slug for label in self.priorities]

    @cached_property  # part of every cache key: computed once per taxonomy read
    def version(self) -> str:
        """Changes whenever an admin edits a label: part of cache keys, so old answers are not reused."""
        payload = json.dumps([self.categories, self.priorities], default=lambda label: label.__dict__)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


# (read at, taxonomy) of this process; see taxonomy_current.
_taxonomy_cached: tuple[float, Taxonomy] | None = None


def taxonomy_current() -> Taxonomy:
    """The active categories and priorities.

    Every enrichment reads them and they change only when an admin edits a label, so a process keeps
    them for TAXONOMY_CACHE_SECONDS: an edit reaches the workers within that time, and the process
    that saved it at once (taxonomy_forget, on every save and delete).
    """
    global _taxonomy_cached
    cached, now = _taxonomy_cached, time.monotonic()
    if cached is not None and now - cached[0] < settings.TAXONOMY_CACHE_SECONDS:
        return cached[1]
    taxonomy = _taxonomy_read()
    _taxonomy_cached = (now, taxonomy)
    return taxonomy


def taxonomy_forget(**kwargs) -> None:
    """Signal receiver: a category or priority was saved or deleted in this process."""
    global _taxonomy_cached
    _taxonomy_cached = None


def _taxonomy_read() -> Taxonomy:
    def labels(model) -> tuple[Label, ...]:
        rows = (
            model.objects.filter(is_active=True)
            .order_by("position", "slug")
            .values_list("slug", "name", "description")
        )
        return tuple(Label(*row) for row in rows)

    return Taxonomy(categories=labels(Category), priorities=labels(Priority))


def enrichment_current(*, ticket_id: int) -> Enrichment | None:
    return (
        Enrichment.objects.filter(ticket_id=ticket_id, is_current=True)
        .select_related("reply_source_ticket__source")
        .first()
    )


@dataclass(frozen=True)
class QueueBacklog:
    pending: int
    running: int
    oldest_age_seconds: float  # of the oldest pending or running enrichment; 0 when there is none


def enrichment_queue_backlog() -> QueueBacklog:
    """Enrichments waiting for or held by a worker (for /readyz and /metrics). One grouped query on
    the (status, created_at) index the workers claim with."""
    from django.db.models import Count, Min
    from django.utils import timezone

    rows = (
        Enrichment.objects.filter(status__in=[Enrichment.Status.PENDING, Enrichment.Status.RUNNING])
        .values("status")
        .annotate(count=Count("id"), oldest=Min("created_at"))
        .order_by()
    )
    counts = {Enrichment.Status.PENDING: 0, Enrichment.Status.RUNNING: 0}
    oldest = None
    for row in rows:
        counts[row["status"]] = row["count"]
        oldest = row["oldest"] if oldest is None else min(oldest, row["oldest"])
    return QueueBacklog(
        pending=counts[Enrichment.Status.PENDING],
        running=counts[Enrichment.Status.RUNNING],
        oldest_age_seconds=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
    )
