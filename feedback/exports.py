"""What leads download from the dashboard: its figures as CSV, and the feedback dataset as JSONL.

The dataset has one line per AI suggestion that agents acted on, with the ticket's text, what the AI
said and what the agents settled on, in flat columns `manage.py evaluate` reads:

    manage.py evaluate feedback.jsonl --text text --label category --predicted ai_category
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Subquery

from ai_enrichment.models import Enrichment
from feedback.dashboard import ANSWERED, REPLY_KINDS, Dashboard, DashboardFilters, enrichments_for
from feedback.models import Feedback


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def figures_rows(figures: Dashboard) -> Iterator[tuple[str, str, str, object]]:
    """(section, figure, breakdown, value) for every number on the dashboard."""
    volume, useful, accuracy, cost = figures.volume, figures.usefulness, figures.accuracy, figures.cost
    yield "volume", "tickets_received", "", volume.tickets_received
    yield "volume", "tickets_enriched", "", volume.tickets_enriched
    yield "volume", "over_budget", "", volume.over_budget
    for status, n in sorted(volume.by_status.items()):
        yield "volume", "enrichments", status, n
    for provider, model, n in volume.by_provider:
        yield "volume", "suggestions_by_provider", f"{provider}/{model}", n

    for name in ("replies", "unchanged", "lightly_edited", "heavily_edited", "rewritten", "accepted"):
        yield "usefulness", name, "", getattr(useful, name)
    yield "usefulness", "acceptance_rate", "", _rate(useful.acceptance.rate)
    yield "usefulness", "mean_edited_similarity", "", _rate(useful.mean_edited_similarity)
    yield "usefulness", "votes_up", "", useful.votes_up
    yield "usefulness", "votes_down", "", useful.votes_down
    for reason, n in useful.down_reasons:
        yield "usefulness", "down_votes_by_reason", reason, n
    for name in ("labels_accepted", "labels_changed", "regenerated"):
        yield "usefulness", name, "", getattr(useful, name)
    for action, _count, seconds in useful.seconds_to_action:
        yield "usefulness", "median_seconds_to_action", action, round(seconds, 1)

    yield "accuracy", "evaluated", "", accuracy.evaluated
    yield "accuracy", "category_accuracy", "", _rate(accuracy.category.rate)
    yield "accuracy", "priority_accuracy", "", _rate(accuracy.priority.rate)
    yield "accuracy", "low_confidence_share", "", _rate(accuracy.low_confidence_share)
    yield "accuracy", "low_confidence_wrong_rate", "", _rate(accuracy.low_confidence_error_rate)
    yield "accuracy", "confident_wrong_rate", "", _rate(accuracy.confident_error_rate)
    yield "accuracy", "calibration_error", "", _rate(accuracy.calibration_error)
    for ai_label, agent_label, n in sorted(accuracy.confusion):
        yield "accuracy", "confusion", f"{ai_label}->{agent_label}", n
    for label, precision in accuracy.precision_by_category:
        yield "accuracy", "precision", label, _rate(precision.rate)

    for name in (
        "calls",
        "failed_calls",
        "invalid_calls",
        "retried_calls",
        "tickets",
        "redacted_calls",
        "routed_tickets",
        "exact_cache_hits",
        "semantic_cache_hits",
    ):
        yield "cost", name, "", getattr(cost, name)
    for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        yield "cost", name, "", getattr(cost, name)
    yield "cost", "cost_usd", "", cost.cost_usd
    yield (
        "cost",
        "cost_per_ticket_usd",
        "",
        "" if cost.cost_per_ticket is None else round(cost.cost_per_ticket, 6),
    )
    for label, values in (("latency_ms", cost.latency_ms), ("end_to_end_seconds", cost.end_to_end_seconds)):
        for percentile, value in zip(("p50", "p95", "p99"), values or (), strict=False):
            yield "cost", label, percentile, round(value, 1)

    saved = figures.time_saved
    yield "value", "minutes_saved", "", round(saved.minutes_saved, 1)
    yield "value", "value_usd", "", saved.value_usd
    yield "value", "value_per_ai_dollar", "", _rate(saved.return_ratio)

    for article in figures.knowledge.stale_candidates:
        yield "knowledge", "cited_in_poor_suggestions", article.title, article.cited_in_poor
    yield "knowledge", "suggestions_without_passages", "", figures.knowledge.without_passages

    for week in figures.trends:
        label = week.start.isoformat()
        yield "trends", "acceptance_rate", label, _rate(week.acceptance.rate)
        yield "trends", "category_accuracy", label, _rate(week.accuracy.rate)
        yield (
            "trends",
            "cost_per_ticket_usd",
            label,
            "" if week.cost_per_ticket is None else round(week.cost_per_ticket, 6),
        )
        yield (
            "trends",
            "latency_p50_ms",
            label,
            "" if week.latency_p50_ms is None else round(week.latency_p50_ms, 1),
        )

    dimension = figures.comparison.dimension
    for variant in figures.comparison.variants:
        key = f"{dimension}={variant.name}"
        yield "comparison", "suggestions", key, variant.suggestions
        yield "comparison", "acceptance_rate", key, _rate(variant.acceptance.rate)
        yield "comparison", "thumbs_up_rate", key, _rate(variant.thumbs_up.rate)
        yield "comparison", "category_accuracy", key, _rate(variant.accuracy.rate)


def feedback_dataset(filters: DashboardFilters) -> Iterator[str]:
    """JSON lines, one per suggestion in the filters that an agent acted on (newest first)."""
    feedback = Feedback.objects.filter(enrichment=OuterRef("pk")).order_by("-created_at", "-id")
    suggestions = (
        enrichments_for(filters)
        .filter(status__in=ANSWERED)
        .filter(Exists(Feedback.objects.filter(enrichment=OuterRef("pk"))))
        .select_related("ticket__source", "ticket__label")
        .annotate(
            sent_reply=Subquery(feedback.filter(kind__in=REPLY_KINDS).values("final_reply")[:1]),
            similarity=Subquery(feedback.filter(kind__in=REPLY_KINDS).values("similarity")[:1]),
            vote=Subquery(feedback.filter(kind=Feedback.Kind.VOTE).values("vote")[:1]),
        )
        .order_by("-created_at", "-id")
    )
    for enrichment in suggestions.iterator(chunk_size=1000):
        yield json.dumps(_dataset_row(enrichment), ensure_ascii=False) + "\n"


def _dataset_row(enrichment: Enrichment) -> dict:
    ticket = enrichment.ticket
    label = getattr(ticket, "label", None)
    return {
        "ticket_id": ticket.pk,
        "external_id": ticket.external_id,
        "source": ticket.source.slug,
        "language": ticket.language,
        "subject": ticket.subject,
        "body": ticket.body,
        "text": f"{ticket.subject}\n\n{ticket.body}".strip(),
        # What the agents settled on ("" when they did not confirm labels).
        "category": label.category if label else "",
        "priority": label.priority if label else "",
        "label_origin": label.origin if label else "",
        "reply": enrichment.sent_reply or "",
        "reply_similarity": enrichment.similarity,
        "vote": enrichment.vote or "",
        # What the AI suggested.
        "enrichment_id": enrichment.pk,
        "ai_category": enrichment.category,
        "ai_priority": enrichment.priority,
        "ai_summary": enrichment.summary,
        "ai_reply": enrichment.suggested_reply,
        "ai_confidence": enrichment.confidence,
        "provider": enrichment.provider,
        "model": enrichment.model,
        "prompt_version": enrichment.prompt_version,
        "created_at": enrichment.created_at.isoformat(),
    }
