"""The lead dashboard's figures. Each is an aggregate computed in PostgreSQL over the rows the pipeline
and the agents wrote (ai_enrichment.Enrichment and AICall, feedback.Feedback and TicketLabel), for one
set of filters; Python only divides the totals and assembles them for the page and the CSV export.

Definitions a lead can check against the page:
- A *suggestion* is an enrichment that answered (status done or fallback).
- A sent reply is *unchanged* when its words equal the suggestion's, *lightly edited* down to
  DASHBOARD_LIGHT_EDIT_SIMILARITY, *rewritten* (the suggestion was rejected) below
  DASHBOARD_REWRITTEN_SIMILARITY, and *heavily edited* in between. *Accepted* = unchanged or lightly
  edited: those are the replies the AI saved an agent from writing.
- *Accuracy* compares a suggestion's labels with the labels an agent confirmed for the ticket
  (feedback.TicketLabel, origin agent): only tickets an agent labeled are counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Floor, TruncWeek
from django.utils import timezone

from ai_enrichment.models import AICall, Enrichment
from feedback.models import Feedback, TicketLabel
from tickets.models import Ticket

ANSWERED = (Enrichment.Status.DONE, Enrichment.Status.FALLBACK)
REPLY_KINDS = (Feedback.Kind.REPLY_SENT, Feedback.Kind.REPLY_COPIED)
LABEL_KINDS = (Feedback.Kind.LABELS_ACCEPTED, Feedback.Kind.LABELS_CHANGED)
LATENCY_FRACTIONS = (0.5, 0.95, 0.99)
Z_95 = 1.96  # two-sided 95 % normal quantile


# --- Database helpers -------------------------------------------------------------------------------


class Percentiles(Aggregate):
    """Several percentiles of one column in a single pass (PostgreSQL's ordered-set percentile_cont):
    an array in the order of `fractions`, or NULL over no rows."""

    function = "percentile_cont"
    template = "%(function)s(%(fractions)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fractions=LATENCY_FRACTIONS, **extra):
        array = "ARRAY[{}]::float8[]".format(", ".join(str(float(value)) for value in fractions))
        super().__init__(expression, fractions=array, output_field=ArrayField(FloatField()), **extra)


class Seconds(Func):
    """An interval as seconds (float)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()


# --- Filters ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    """What the lead asked for. `source_ids` None means every source (no team restriction applies)."""

    end: datetime  # exclusive
    start: datetime | None = None  # inclusive; None: since the first ticket
    source_ids: tuple[int, ...] | None = None
    category: str = ""  # the AI's category of the suggestion
    provider: str = ""
    model: str = ""
    prompt_version: str = ""


def _period(queryset: QuerySet, filters: DashboardFilters, field_name: str) -> QuerySet:
    queryset = queryset.filter(**{f"{field_name}__lt": filters.end})
    if filters.start is not None:
        queryset = queryset.filter(**{f"{field_name}__gte": filters.start})
    return queryset


def _ai_filters(filters: DashboardFilters, *, prefix: str = "", category_field: str) -> Q:
    condition = Q()
    for name in ("provider", "model", "prompt_version"):
        if value := getattr(filters, name):
            condition &= Q(**{f"{prefix}{name}": value})
    if filters.category:
        condition &= Q(**{category_field: filters.category})
    return condition


def enrichments_for(filters: DashboardFilters) -> QuerySet[Enrichment]:
    queryset = _period(Enrichment.objects.all(), filters, "created_at")
    if filters.source_ids is not None:
        queryset = queryset.filter(ticket__source_id__in=filters.source_ids)
    return queryset.filter(_ai_filters(filters, category_field="category"))


def feedback_for(filters: DashboardFilters) -> QuerySet[Feedback]:
    queryset = _period(Feedback.objects.all(), filters, "created_at")
    if filters.source_ids is not None:
        queryset = queryset.filter(enrichment__ticket__source_id__in=filters.source_ids)
    return queryset.filter(_ai_filters(filters, category_field="enrichment__category"))


def ai_calls_for(filters: DashboardFilters) -> QuerySet[AICall]:
    queryset = _period(AICall.objects.all(), filters, "created_at")
    if filters.source_ids is not None:
        queryset = queryset.filter(ticket__source_id__in=filters.source_ids)
    return queryset.filter(_ai_filters(filters, category_field="enrichment__category"))


def evaluated_for(filters: DashboardFilters) -> QuerySet[Enrichment]:
    """Suggestions whose ticket has labels an agent confirmed: the ones accuracy can be measured on."""
    return (
        enrichments_for(filters)
        .filter(status__in=ANSWERED, ticket__label__origin=TicketLabel.Origin.AGENT)
        .exclude(category="")
    )


# --- Small statistics on counts ------------------------------------------------------------------------


def ratio(part: float | int | None, whole: float | int | None) -> float | None:
    return None if not whole else (part or 0) / whole


@dataclass(frozen=True)
class Proportion:
    """`hits` out of `n`, with a 95 % Wilson interval: honest for small n and for rates near 0 or 1."""

    hits: int
    n: int

    @property
    def rate(self) -> float | None:
        return ratio(self.hits, self.n)

    @property
    def interval(self) -> tuple[float, float] | None:
        if not self.n:
            return None
        p, n, z2 = self.hits / self.n, self.n, Z_95**2
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
        return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Difference:
    """b − a of two proportions with a 95 % interval (Newcombe's hybrid score method, built from the
    two Wilson intervals). When the interval contains 0 the difference may be noise."""

    a: Proportion
    b: Proportion

    @property
    def value(self) -> float | None:
        if self.a.rate is None or self.b.rate is None:
            return None
        return self.b.rate - self.a.rate

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.value is None:
            return None
        (la, ua), (lb, ub) = self.a.interval, self.b.interval
        pa, pb = self.a.rate, self.b.rate
        lower = self.value - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
        upper = self.value + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
        return lower, upper

    @property
    def is_clear(self) -> bool:
        """The interval excludes 0: a real difference rather than noise, at 95 %."""
        interval = self.interval
        return interval is not None and (interval[0] > 0 or interval[1] < 0)


# --- Grouped counts shared by several sections ----------------------------------------------------------
# One GROUP BY per large table, by (week, prompt version, model) or (provider, model, prompt version):
# the sections sum the few hundred groups they need, so the page reads each table once or twice instead
# of once per figure.


@dataclass(frozen=True)
class Groups:
    rows: list[dict]

    def total(self, key: str):
        return sum(row[key] for row in self.rows)

    def by(self, dimension: str) -> dict:
        """{value of `dimension`: {count name: sum}}, in order of first appearance."""
        sums: dict = {}
        for row in self.rows:
            into = sums.setdefault(row[dimension], {})
            for key, value in row.items():
                if key not in GROUP_DIMENSIONS:
                    into[key] = into.get(key, 0) + value
        return sums


# Model latency is of calls answered while a ticket waited: batch results (enrich_backlog --batch) have
# no latency of their own (recorded as 0) and cache hits sent nothing.
ANSWERED_LIVE = Q(status=AICall.Status.OK, batch__isnull=True)

GROUP_DIMENSIONS = ("week", "provider", "prompt_version", "model")


def suggestion_groups(filters: DashboardFilters) -> Groups:
    return Groups(
        list(
            enrichments_for(filters)
            .filter(status__in=ANSWERED)
            .values("provider", "model", "prompt_version")
            .annotate(suggestions=Count("id"))
            .order_by("-suggestions", "provider", "model", "prompt_version")
        )
    )


def feedback_groups(filters: DashboardFilters) -> Groups:
    edited = Q(kind__in=REPLY_KINDS, similarity__lt=1)
    return Groups(
        list(
            feedback_for(filters)
            .annotate(week=TruncWeek("created_at"))
            .values("week", "prompt_version", "model")
            .annotate(
                **_reply_counts(),
                edited=Count("id", filter=edited),
                edited_similarity=Coalesce(Sum("similarity", filter=edited), 0.0),
                labels_accepted=Count("id", filter=Q(kind=Feedback.Kind.LABELS_ACCEPTED)),
                labels_changed=Count("id", filter=Q(kind=Feedback.Kind.LABELS_CHANGED)),
                regenerated=Count("id", filter=Q(kind=Feedback.Kind.REGENERATE)),
            )
            .order_by()
        )
    )


def evaluated_groups(filters: DashboardFilters) -> Groups:
    return Groups(
        list(
            evaluated_for(filters)
            .annotate(week=TruncWeek("created_at"))
            .values("week", "prompt_version", "model")
            .annotate(
                evaluated=Count("id"), correct=Count("id", filter=Q(category=F("ticket__label__category")))
            )
            .order_by()
        )
    )


# --- Sections ---------------------------------------------------------------------------------------------


class PerTicketCost:
    """For the figures that carry an AI cost and the number of tickets it was spent on."""

    cost_usd: Decimal
    tickets: int

    @property
    def cost_per_ticket(self) -> Decimal | None:
        return None if not self.tickets else self.cost_usd / self.tickets


@dataclass(frozen=True)
class Volume:
    tickets_received: int
    tickets_enriched: int  # tickets with at least one suggestion
    over_budget: int  # enrichments that skipped a provider because the source reached an AI limit
    by_status: dict[str, int]
    by_provider: list[tuple[str, str, int]]  # (provider, model, suggestions), most first

    @property
    def suggestions(self) -> int:
        return sum(self.by_status.get(status, 0) for status in ANSWERED)

    def share(self, count: int) -> float | None:
        return ratio(count, self.suggestions)

    @property
    def provider_shares(self) -> list[tuple[str, str, int, float | None]]:
        return [(provider, model, n, self.share(n)) for provider, model, n in self.by_provider]

    @property
    def local_share(self) -> float | None:
        return self.share(sum(n for provider, _, n in self.by_provider if provider == "local"))


def volume(filters: DashboardFilters, *, suggestions: Groups) -> Volume:
    tickets = _period(Ticket.objects.all(), filters, "received_at")
    if filters.source_ids is not None:
        tickets = tickets.filter(source_id__in=filters.source_ids)
    counts = enrichments_for(filters).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in Enrichment.Status.values},
        tickets_enriched=Count("ticket_id", distinct=True, filter=Q(status__in=ANSWERED)),
        over_budget=Count("id", filter=Q(over_budget=True)),
    )
    by_provider: dict[tuple[str, str], int] = {}
    for row in suggestions.rows:
        key = (row["provider"], row["model"])
        by_provider[key] = by_provider.get(key, 0) + row["suggestions"]
    return Volume(
        tickets_received=tickets.count(),
        tickets_enriched=counts.pop("tickets_enriched"),
        over_budget=counts.pop("over_budget"),
        by_status={status: n for status, n in counts.items() if n},
        by_provider=sorted(
            ((p, m, n) for (p, m), n in by_provider.items()), key=lambda row: (-row[2], row[:2])
        ),
    )


@dataclass(frozen=True)
class Usefulness:
    replies: int
    unchanged: int
    lightly_edited: int
    heavily_edited: int
    rewritten: int
    mean_edited_similarity: float | None  # over the replies that were edited at all
    votes_up: int
    votes_down: int
    down_reasons: list[tuple[str, int]]  # (reason label, count), most first
    labels_accepted: int
    labels_changed: int
    regenerated: int
    seconds_to_action: list[tuple[str, int, float]]  # (action label, count, median seconds)

    @property
    def accepted(self) -> int:
        return self.unchanged + self.lightly_edited

    @property
    def acceptance(self) -> Proportion:
        return Proportion(self.accepted, self.replies)

    @property
    def thumbs_up(self) -> Proportion:
        return Proportion(self.votes_up, self.votes_up + self.votes_down)


def _reply_counts() -> dict:
    """The reply-outcome counts, as aggregate expressions over Feedback rows (shared by the sections
    that group them differently)."""
    light = settings.DASHBOARD_LIGHT_EDIT_SIMILARITY
    rewritten = settings.DASHBOARD_REWRITTEN_SIMILARITY
    reply = Q(kind__in=REPLY_KINDS)
    return {
        "replies": Count("id", filter=reply),
        "unchanged": Count("id", filter=reply & Q(similarity__gte=1)),
        "lightly_edited": Count("id", filter=reply & Q(similarity__gte=light, similarity__lt=1)),
        "heavily_edited": Count("id", filter=reply & Q(similarity__gte=rewritten, similarity__lt=light)),
        "rewritten": Count("id", filter=reply & Q(similarity__lt=rewritten)),
        "accepted": Count("id", filter=reply & Q(similarity__gte=light)),
        "votes_up": Count("id", filter=Q(kind=Feedback.Kind.VOTE, vote=Feedback.Vote.UP)),
        "votes_down": Count("id", filter=Q(kind=Feedback.Kind.VOTE, vote=Feedback.Vote.DOWN)),
    }


def usefulness(filters: DashboardFilters, *, feedback_counts: Groups) -> Usefulness:
    totals = {
        name: feedback_counts.total(name)
        for name in (
            "replies",
            "unchanged",
            "lightly_edited",
            "heavily_edited",
            "rewritten",
            "votes_up",
            "votes_down",
            "labels_accepted",
            "labels_changed",
            "regenerated",
        )
    }
    feedback = feedback_for(filters)
    reasons = dict(Feedback.Reason.choices)
    down_reasons = [
        (reasons.get(reason, "No reason given"), n)
        for reason, n in feedback.filter(kind=Feedback.Kind.VOTE, vote=Feedback.Vote.DOWN)
        .values_list("reason")
        .annotate(n=Count("id"))
        .order_by("-n", "reason")
    ]
    kinds = dict(Feedback.Kind.choices)
    timings = [
        (kinds[kind], n, seconds[0])
        for kind, n, seconds in feedback.filter(seconds_to_action__isnull=False)
        .values_list("kind")
        .annotate(n=Count("id"), seconds=Percentiles("seconds_to_action", fractions=(0.5,)))
        .order_by("kind")
    ]
    return Usefulness(
        down_reasons=down_reasons,
        seconds_to_action=timings,
        mean_edited_similarity=ratio(
            feedback_counts.total("edited_similarity"), feedback_counts.total("edited")
        ),
        **totals,
    )


@dataclass(frozen=True)
class CalibrationBin:
    low: float  # confidence from `low` to `low` + 0.1
    n: int
    mean_confidence: float
    accuracy: float


@dataclass(frozen=True)
class Accuracy:
    evaluated: int
    category_correct: int
    priority_correct: int
    low_confidence_evaluated: int
    low_confidence_wrong: int
    confident_wrong: int
    suggestions_with_confidence: int
    low_confidence: int
    confusion: list[tuple[str, str, int]]  # (AI label, agent label, count)
    calibration: list[CalibrationBin]

    @property
    def category(self) -> Proportion:
        return Proportion(self.category_correct, self.evaluated)

    @property
    def priority(self) -> Proportion:
        return Proportion(self.priority_correct, self.evaluated)

    @property
    def low_confidence_share(self) -> float | None:
        return ratio(self.low_confidence, self.suggestions_with_confidence)

    @property
    def low_confidence_error_rate(self) -> float | None:
        """How often an unsure suggestion was in fact wrong: high means the warning means something."""
        return ratio(self.low_confidence_wrong, self.low_confidence_evaluated)

    @property
    def confident_error_rate(self) -> float | None:
        return ratio(self.confident_wrong, self.evaluated - self.low_confidence_evaluated)

    @property
    def calibration_error(self) -> float | None:
        """Expected calibration error: mean |confidence − accuracy| weighted by bin size (0 is perfect)."""
        total = sum(bin.n for bin in self.calibration)
        if not total:
            return None
        return sum(bin.n * abs(bin.mean_confidence - bin.accuracy) for bin in self.calibration) / total

    @property
    def matrix(self) -> tuple[list[str], list[tuple[str, list[tuple[str, int]], int]]]:
        """Column labels (every label either side used) and one row per AI label: (AI label,
        [(agent label, count)], row total). The diagonal is where the agent kept the AI's label."""
        labels = sorted({ai for ai, _, _ in self.confusion} | {agent for _, agent, _ in self.confusion})
        cells = {(ai, agent): n for ai, agent, n in self.confusion}
        rows = []
        for ai in labels:
            counts = [(agent, cells.get((ai, agent), 0)) for agent in labels]
            if total := sum(n for _, n in counts):
                rows.append((ai, counts, total))
        return labels, rows

    @property
    def precision_by_category(self) -> list[tuple[str, Proportion]]:
        """Each AI category's precision (how often the agent kept it), the lowest first."""
        totals: dict[str, list[int]] = {}
        for ai, agent, n in self.confusion:
            hits_n = totals.setdefault(ai, [0, 0])
            hits_n[0] += n if ai == agent else 0
            hits_n[1] += n
        rows = [(label, Proportion(hits, n)) for label, (hits, n) in totals.items()]
        return sorted(rows, key=lambda row: (row[1].rate, -row[1].n, row[0]))


def accuracy(filters: DashboardFilters) -> Accuracy:
    """One pass over the agent-labeled suggestions, grouped by (AI category, agent's category,
    confidence band): every accuracy figure, the confusion matrix and the calibration table are sums
    over those few hundred groups."""
    unsure = Q(confidence__lt=settings.AI_LOW_CONFIDENCE)
    groups = (
        evaluated_for(filters)
        # Ten bands of 0.1; confidence 1.0 belongs with the 0.9 band.
        .annotate(band=Floor(Func(F("confidence") * 10, Value(9.0), function="LEAST")))
        .values_list("category", "ticket__label__category", "band")
        .annotate(
            n=Count("id"),
            priority_kept=Count("id", filter=Q(priority=F("ticket__label__priority"))),
            unsure=Count("id", filter=unsure),
            confidence_sum=Coalesce(Sum("confidence"), 0.0),
        )
        .order_by()
    )
    totals = dict.fromkeys(
        (
            "evaluated",
            "category_correct",
            "priority_correct",
            "low_confidence_evaluated",
            "low_confidence_wrong",
            "confident_wrong",
        ),
        0,
    )
    confusion: dict[tuple[str, str], int] = {}
    bands: dict[int, list] = {}  # band → [n, confidence sum, correct]
    for ai_label, agent_label, band, n, priority_kept, unsure_n, confidence_sum in groups:
        right = ai_label == agent_label
        totals["evaluated"] += n
        totals["category_correct"] += n if right else 0
        totals["priority_correct"] += priority_kept
        totals["low_confidence_evaluated"] += unsure_n
        if not right:
            totals["low_confidence_wrong"] += unsure_n
            totals["confident_wrong"] += n - unsure_n if band is not None else 0
        confusion[ai_label, agent_label] = confusion.get((ai_label, agent_label), 0) + n
        if band is not None:
            sums = bands.setdefault(int(band), [0, 0.0, 0])
            sums[0] += n
            sums[1] += confidence_sum
            sums[2] += n if right else 0
    overall = (
        enrichments_for(filters)
        .filter(status__in=ANSWERED, confidence__isnull=False)
        .aggregate(suggestions_with_confidence=Count("id"), low_confidence=Count("id", filter=unsure))
    )
    return Accuracy(
        confusion=[(ai, agent, n) for (ai, agent), n in confusion.items()],
        calibration=[
            CalibrationBin(low=band / 10, n=n, mean_confidence=total / n, accuracy=correct / n)
            for band, (n, total, correct) in sorted(bands.items())
        ],
        **totals,
        **overall,
    )


@dataclass(frozen=True)
class CostAndSpeed(PerTicketCost):
    calls: int
    failed_calls: int
    invalid_calls: int
    retried_calls: int
    cost_usd: Decimal
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    tickets: int  # distinct tickets the calls were for
    redacted_calls: int  # sent with personal data replaced by placeholders
    routed_tickets: int  # kept on self-hosted providers or the local model (sensitive, injected)
    exact_cache_hits: int  # answered from ai_enrichment.answer_cache without a request
    semantic_cache_hits: int
    latency_ms: list[float] | None  # p50, p95, p99 of successful calls
    end_to_end_seconds: list[float] | None  # p50, p95, p99 from ingest to a new ticket's suggestion

    @property
    def failure_rate(self) -> float | None:
        return ratio(self.failed_calls + self.invalid_calls, self.calls)

    @property
    def retry_rate(self) -> float | None:
        return ratio(self.retried_calls, self.calls)

    @property
    def cache_hit_rate(self) -> float | None:
        """Share of the tickets asked of AI that the answer cache served."""
        return ratio(self.exact_cache_hits + self.semantic_cache_hits, self.tickets)


def cost_and_speed(filters: DashboardFilters) -> CostAndSpeed:
    sent = ~Q(status=AICall.Status.CACHE_HIT)
    totals = ai_calls_for(filters).aggregate(
        calls=Count("id", filter=sent),
        failed_calls=Count("id", filter=Q(status=AICall.Status.ERROR)),
        invalid_calls=Count("id", filter=Q(status=AICall.Status.INVALID_OUTPUT)),
        retried_calls=Count("id", filter=Q(attempt__gt=1) | Q(is_repair=True)),
        cost_usd=Coalesce(Sum("cost_usd"), Decimal(0)),
        input_tokens=Coalesce(Sum("input_tokens"), 0),
        output_tokens=Coalesce(Sum("output_tokens"), 0),
        cache_read_tokens=Coalesce(Sum("cache_read_tokens"), 0),
        cache_write_tokens=Coalesce(Sum("cache_write_tokens"), 0),
        tickets=Count("ticket_id", distinct=True),
        redacted_calls=Count("id", filter=sent & Q(redactions__isnull=False)),
        routed_tickets=Count("ticket_id", distinct=True, filter=~Q(routing="")),
        exact_cache_hits=Count("id", filter=Q(cache=AICall.Cache.EXACT)),
        semantic_cache_hits=Count("id", filter=Q(cache=AICall.Cache.SEMANTIC)),
        latency_ms=Percentiles("latency_ms", filter=ANSWERED_LIVE),
    )
    end_to_end = (
        enrichments_for(filters)
        .filter(status__in=ANSWERED, trigger=Enrichment.Trigger.CREATED, finished_at__isnull=False)
        # A new ticket's enrichment row is created in the ticket's own ingest transaction: its
        # created_at is the ingest time, with no join to the ticket.
        .aggregate(seconds=Percentiles(Seconds(F("finished_at") - F("created_at"))))
    )
    return CostAndSpeed(**totals, end_to_end_seconds=end_to_end["seconds"])


@dataclass(frozen=True)
class TimeSaved:
    accepted_suggestions: int
    minutes_per_suggestion: float
    agent_hourly_cost: float
    ai_cost_usd: Decimal

    @property
    def minutes_saved(self) -> float:
        return self.accepted_suggestions * self.minutes_per_suggestion

    @property
    def value_usd(self) -> Decimal:
        return Decimal(str(round(self.minutes_saved / 60 * self.agent_hourly_cost, 2)))

    @property
    def return_ratio(self) -> float | None:
        """Agent time saved per dollar of AI spend."""
        return None if not self.ai_cost_usd else float(self.value_usd / self.ai_cost_usd)


@dataclass(frozen=True)
class CitedArticle:
    document_id: int
    title: str
    cited: int
    cited_in_poor: int  # in suggestions voted down or whose reply was heavily edited or rewritten

    @property
    def poor_share(self) -> float | None:
        return ratio(self.cited_in_poor, self.cited)


@dataclass(frozen=True)
class Knowledge:
    stale_candidates: list[CitedArticle]
    suggestions: int
    without_passages: int
    recent_without_passages: list[tuple[int, str]]  # (ticket id, subject), newest first

    @property
    def without_passages_share(self) -> float | None:
        return ratio(self.without_passages, self.suggestions)


def knowledge(filters: DashboardFilters, *, limit: int = 10) -> Knowledge:
    suggestions = enrichments_for(filters).filter(status__in=ANSWERED)
    poor = Feedback.objects.filter(
        Q(kind=Feedback.Kind.VOTE, vote=Feedback.Vote.DOWN)
        | Q(kind__in=REPLY_KINDS, similarity__lt=settings.DASHBOARD_LIGHT_EDIT_SIMILARITY)
    ).values("enrichment_id")
    # `id IN (subquery)` in the select list runs as one hashed lookup table, not a query per row.
    cited = (
        suggestions.exclude(citations=[])
        .annotate(poor=ExpressionWrapper(Q(pk__in=poor), output_field=BooleanField()))
        .values("citations", "poor")
    )
    inner_sql, params = cited.query.sql_with_params()
    # One row per citation: the ORM has no set-returning functions, so the filtered queryset is the
    # inner query and jsonb_array_elements unnests its citations.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT (c.value->>'document_id')::bigint, max(c.value->>'title'),
                   count(*), count(*) FILTER (WHERE e.poor)
            FROM ({inner_sql}) AS e CROSS JOIN LATERAL jsonb_array_elements(e.citations) AS c
            GROUP BY 1
            HAVING count(*) FILTER (WHERE e.poor) > 0
            ORDER BY 4 DESC, count(*) FILTER (WHERE e.poor)::float / count(*) DESC, 1
            LIMIT %s
            """,
            [*params, limit],
        )
        stale = [CitedArticle(*row) for row in cursor.fetchall()]
    counts = suggestions.aggregate(
        suggestions=Count("id"), without_passages=Count("id", filter=Q(passages_offered=0))
    )
    recent = list(
        suggestions.filter(passages_offered=0)
        .order_by("-created_at")
        .values_list("ticket_id", "ticket__subject")[:limit]
    )
    return Knowledge(stale_candidates=stale, recent_without_passages=recent, **counts)


@dataclass(frozen=True)
class Week(PerTicketCost):
    start: datetime
    acceptance: Proportion = field(default_factory=lambda: Proportion(0, 0))
    accuracy: Proportion = field(default_factory=lambda: Proportion(0, 0))
    cost_usd: Decimal = Decimal(0)
    tickets: int = 0
    latency_p50_ms: float | None = None


def trends(filters: DashboardFilters, *, feedback_counts: Groups, evaluated: Groups) -> list[Week]:
    """Weekly series (weeks start on Monday) of acceptance, accuracy, cost per ticket and latency."""
    weeks: dict[datetime, dict] = {}
    for start, sums in feedback_counts.by("week").items():
        weeks.setdefault(start, {})["acceptance"] = Proportion(sums["accepted"], sums["replies"])
    for start, sums in evaluated.by("week").items():
        weeks.setdefault(start, {})["accuracy"] = Proportion(sums["correct"], sums["evaluated"])
    for start, cost, tickets, latency in _calls_by(filters, TruncWeek("created_at")):
        weeks.setdefault(start, {}).update(cost_usd=cost, tickets=tickets, latency_p50_ms=latency)
    return [Week(start=start, **values) for start, values in sorted(weeks.items())]


def _calls_by(filters: DashboardFilters, group) -> list[tuple]:
    """(group, cost, distinct tickets, median latency of successful calls) per group of AI calls."""
    return [
        (key, cost, tickets, latency[0] if latency else None)
        for key, cost, tickets, latency in ai_calls_for(filters)
        .annotate(group=group)
        .values_list("group")
        .annotate(
            cost=Coalesce(Sum("cost_usd"), Decimal(0)),
            tickets=Count("ticket_id", distinct=True),
            latency=Percentiles("latency_ms", fractions=(0.5,), filter=ANSWERED_LIVE),
        )
        .order_by()
    ]


@dataclass(frozen=True)
class Variant(PerTicketCost):
    """One prompt version or model, on the figures that decide whether to keep it."""

    name: str
    suggestions: int = 0
    acceptance: Proportion = field(default_factory=lambda: Proportion(0, 0))
    thumbs_up: Proportion = field(default_factory=lambda: Proportion(0, 0))
    accuracy: Proportion = field(default_factory=lambda: Proportion(0, 0))
    cost_usd: Decimal = Decimal(0)
    tickets: int = 0
    latency_p50_ms: float | None = None


@dataclass(frozen=True)
class Comparison:
    dimension: str  # "prompt_version" or "model"
    variants: list[Variant]  # most suggestions first

    @property
    def label(self) -> str:
        return COMPARE_DIMENSIONS[self.dimension]

    @property
    def top_two(self) -> tuple[Variant, Variant] | None:
        return (self.variants[0], self.variants[1]) if len(self.variants) >= 2 else None

    def differences(self) -> list[tuple[str, Difference]]:
        """The second-largest variant minus the largest, on each rate, with its interval."""
        if self.top_two is None:
            return []
        a, b = self.top_two
        return [
            ("Acceptance", Difference(a.acceptance, b.acceptance)),
            ("Thumbs up", Difference(a.thumbs_up, b.thumbs_up)),
            ("Category accuracy", Difference(a.accuracy, b.accuracy)),
        ]


COMPARE_DIMENSIONS = {"prompt_version": "Prompt version", "model": "Model"}


def comparison(
    filters: DashboardFilters,
    *,
    dimension: str,
    suggestions: Groups,
    feedback_counts: Groups,
    evaluated: Groups,
    limit: int = 4,
) -> Comparison:
    if dimension not in COMPARE_DIMENSIONS:
        raise ValueError(f"Cannot compare by {dimension!r}")
    by_suggestions = sorted(
        suggestions.by(dimension).items(), key=lambda item: (-item[1]["suggestions"], item[0])
    )
    variants = {name: {"suggestions": sums["suggestions"]} for name, sums in by_suggestions[:limit]}
    for name, sums in feedback_counts.by(dimension).items():
        if name in variants:
            variants[name]["acceptance"] = Proportion(sums["accepted"], sums["replies"])
            variants[name]["thumbs_up"] = Proportion(sums["votes_up"], sums["votes_up"] + sums["votes_down"])
    for name, sums in evaluated.by(dimension).items():
        if name in variants:
            variants[name]["accuracy"] = Proportion(sums["correct"], sums["evaluated"])
    for name, cost, tickets, latency in _calls_by(filters, F(dimension)):
        if name in variants:
            variants[name].update(cost_usd=cost, tickets=tickets, latency_p50_ms=latency)
    return Comparison(
        dimension=dimension, variants=[Variant(name=name, **values) for name, values in variants.items()]
    )


# --- The whole page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    volume: Volume
    usefulness: Usefulness
    accuracy: Accuracy
    cost: CostAndSpeed
    time_saved: TimeSaved
    knowledge: Knowledge
    trends: list[Week]
    comparison: Comparison


def dashboard_figures(*, filters: DashboardFilters, compare_by: str = "prompt_version") -> Dashboard:
    suggestions = suggestion_groups(filters)
    feedback_counts = feedback_groups(filters)
    evaluated = evaluated_groups(filters)
    useful = usefulness(filters, feedback_counts=feedback_counts)
    cost = cost_and_speed(filters)
    return Dashboard(
        filters=filters,
        volume=volume(filters, suggestions=suggestions),
        usefulness=useful,
        accuracy=accuracy(filters),
        cost=cost,
        time_saved=TimeSaved(
            accepted_suggestions=useful.accepted,
            minutes_per_suggestion=settings.DASHBOARD_MINUTES_SAVED,
            agent_hourly_cost=settings.DASHBOARD_AGENT_HOURLY_COST,
            ai_cost_usd=cost.cost_usd,
        ),
        knowledge=knowledge(filters),
        trends=trends(filters, feedback_counts=feedback_counts, evaluated=evaluated),
        comparison=comparison(
            filters,
            dimension=compare_by,
            suggestions=suggestions,
            feedback_counts=feedback_counts,
            evaluated=evaluated,
        ),
    )


def dashboard_now() -> datetime:
    """The end of rolling periods: the end of the current cache window, so that every request within
    the window asks for the same figures (which hold everything up to when they were computed)."""
    now = timezone.now()
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return now
    return datetime.fromtimestamp((now.timestamp() // seconds + 1) * seconds, tz=now.tzinfo)


def filter_choices() -> dict[str, list[str]]:
    """The providers, models and prompt versions that have produced suggestions, for the filter form."""
    rows = (
        Enrichment.objects.exclude(provider="")
        .values_list("provider", "model", "prompt_version")
        .order_by()  # not the model's ordering, which would make every row distinct
        .distinct()
    )
    providers, models, versions = set(), set(), set()
    for provider, model, version in rows:
        providers.add(provider)
        models.add(model)
        versions.add(version)
    return {"provider": sorted(providers), "model": sorted(models), "prompt_version": sorted(versions)}
