"""The lead dashboard's figures. Each is a sum computed in PostgreSQL over the rows the pipeline and the
agents wrote (ai_enrichment.Enrichment and AICall, feedback.Feedback and TicketLabel), for one set of
filters: over their daily rollups for the whole days those hold, over the rows themselves for the rest
(feedback.rollups). Python only adds up the groups, divides the totals and assembles them for the page
and the CSV export.

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
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ai_enrichment.models import Enrichment
from feedback.models import DailyEnrichments, Feedback
from feedback.rollups import (
    ACCURACY,
    AI_CALLS,
    AI_DIMENSIONS,
    ANSWERED,
    CITATIONS,
    END_TO_END,
    ENRICHMENTS,
    FEEDBACK,
    MODEL_LATENCY,
    REPLY_KINDS,
    SECONDS_TO_ACTION,
    Rollup,
    grouped,
    histogram_percentiles,
    rolled_up_until,
)
from tickets.models import Ticket

REPLY_OUTCOMES = ("unchanged", "lightly_edited", "heavily_edited", "rewritten")
DURATIONS = (MODEL_LATENCY, END_TO_END, SECONDS_TO_ACTION)  # one read of their shared table
LATENCY_FRACTIONS = (0.5, 0.95, 0.99)
Z_95 = 1.96  # two-sided 95 % normal quantile


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


def enrichments_for(filters: DashboardFilters) -> QuerySet[Enrichment]:
    """The enrichments of the period and filters themselves (the exports and the lists of the page)."""
    return _period(ENRICHMENTS.filtered_rows(filters), filters, "created_at")


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


# --- Counts, from the daily rollups ---------------------------------------------------------------------
# Every figure is a sum over feedback.rollups.grouped: the whole days the rollups hold, plus the rest of the
# period counted from the rows themselves. A few grouped reads are shared between sections (suggestions,
# feedback, evaluated suggestions), which sum the few hundred groups they need.


@dataclass(frozen=True)
class Counts:
    filters: DashboardFilters
    rolled_up_until: date | None  # see feedback.rollups.rolled_up_until

    def rows(self, rollups: Rollup | tuple[Rollup, ...], *by: str) -> list[dict]:
        return grouped(rollups, self.filters, by=by, rolled_up_until=self.rolled_up_until)

    def totals(self, rollup: Rollup) -> dict:
        [row] = self.rows(rollup)
        return {name: 0 if value is None else value for name, value in row.items()}

    def histograms(self, rollups: Rollup | tuple[Rollup, ...], *by: str) -> dict[tuple, dict[int, int]]:
        """{group: {bucket: n}} of durations rollups (grouped by `by`, e.g. "measure")."""
        histograms: dict[tuple, dict[int, int]] = {}
        for row in self.rows(rollups, *by, "bucket"):
            histograms.setdefault(tuple(row[name] for name in by), {})[row["bucket"]] = row["n"]
        return histograms


def percentiles(histogram: dict[int, int] | None, fractions=LATENCY_FRACTIONS) -> list[float] | None:
    """Percentiles of a histogram of milliseconds (within 2.5 %, see feedback.rollups)."""
    return histogram_percentiles(histogram or {}, fractions)


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


GROUP_DIMENSIONS = ("week", "provider", "prompt_version", "model")


def suggestion_groups(enrichment_rows: list[dict]) -> Groups:
    """Suggestions (answered enrichments) by provider, model and prompt version."""
    return Groups(
        [
            {name: row[name] for name in AI_DIMENSIONS} | {"suggestions": row["n"]}
            for row in enrichment_rows
            if row["status"] in ANSWERED
        ]
    )


def feedback_groups(feedback_rows: list[dict]) -> Groups:
    """The reply outcomes, votes and label actions by week, prompt version and model."""
    groups = []
    for row in feedback_rows:
        kind, outcome, n = row["kind"], row["outcome"], row["n"]

        def when(condition: bool, n=n) -> int:
            return n if condition else 0

        groups.append(
            {
                "week": row["week"],
                "prompt_version": row["prompt_version"],
                "model": row["model"],
                "replies": when(kind in REPLY_KINDS),
                **{name: when(outcome == name) for name in REPLY_OUTCOMES},
                "accepted": when(outcome in ("unchanged", "lightly_edited")),
                "edited": when(outcome in ("lightly_edited", "heavily_edited", "rewritten")),
                "edited_similarity": row["similarity_sum"],
                "votes_up": when(kind == Feedback.Kind.VOTE and row["vote"] == Feedback.Vote.UP),
                "votes_down": when(kind == Feedback.Kind.VOTE and row["vote"] == Feedback.Vote.DOWN),
                "labels_accepted": when(kind == Feedback.Kind.LABELS_ACCEPTED),
                "labels_changed": when(kind == Feedback.Kind.LABELS_CHANGED),
                "regenerated": when(kind == Feedback.Kind.REGENERATE),
            }
        )
    return Groups(groups)


def evaluated_groups(counts: Counts) -> Groups:
    """Agent-labeled suggestions and how many kept their category, by week, prompt version and model."""
    return Groups(
        [
            {"week": row["week"], "prompt_version": row["prompt_version"], "model": row["model"]}
            | {"evaluated": row["n"], "correct": row["correct"]}
            for row in counts.rows(ACCURACY, "week", "prompt_version", "model")
        ]
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


def volume(filters: DashboardFilters, *, enrichment_rows: list[dict], suggestions: Groups) -> Volume:
    tickets = _period(Ticket.objects.all(), filters, "received_at")
    if filters.source_ids is not None:
        tickets = tickets.filter(source_id__in=filters.source_ids)
    by_status: dict[str, int] = {}
    for row in enrichment_rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
    by_provider: dict[tuple[str, str], int] = {}
    for row in suggestions.rows:
        key = (row["provider"], row["model"])
        by_provider[key] = by_provider.get(key, 0) + row["suggestions"]
    return Volume(
        tickets_received=tickets.count(),
        tickets_enriched=sum(row["tickets"] for row in enrichment_rows if row["status"] in ANSWERED),
        over_budget=sum(row["over_budget"] for row in enrichment_rows),
        by_status={status: n for status, n in by_status.items() if n},
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


def usefulness(
    *, feedback_rows: list[dict], feedback_counts: Groups, durations: dict[str, dict[int, int]]
) -> Usefulness:
    totals = {
        name: feedback_counts.total(name)
        for name in (
            "replies",
            *REPLY_OUTCOMES,
            "votes_up",
            "votes_down",
            "labels_accepted",
            "labels_changed",
            "regenerated",
        )
    }
    reasons = dict(Feedback.Reason.choices)
    down: dict[str, int] = {}
    for row in feedback_rows:
        if row["kind"] == Feedback.Kind.VOTE and row["vote"] == Feedback.Vote.DOWN:
            down[row["reason"]] = down.get(row["reason"], 0) + row["n"]
    kinds = dict(Feedback.Kind.choices)
    timings = []
    for measure, histogram in sorted(durations.items()):
        if measure.startswith("action:"):
            kind = measure.removeprefix("action:")
            median_ms = percentiles(histogram, (0.5,))[0]
            timings.append((kinds.get(kind, kind), sum(histogram.values()), median_ms / 1000))
    return Usefulness(
        down_reasons=[
            (reasons.get(reason, "No reason given"), n)
            for reason, n in sorted(down.items(), key=lambda item: (-item[1], item[0]))
        ],
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


def accuracy(counts: Counts, *, enrichment_rows: list[dict]) -> Accuracy:
    """The agent-labeled suggestions grouped by (AI category, agent's category, confidence band): every
    accuracy figure, the confusion matrix and the calibration table are sums over those groups."""
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
    for row in counts.rows(ACCURACY, "category", "agent_category", "band"):
        ai_label, agent_label, band, n, unsure_n = (
            row["category"],
            row["agent_category"],
            row["band"],
            row["n"],
            row["unsure"],
        )
        right = ai_label == agent_label
        totals["evaluated"] += n
        totals["category_correct"] += n if right else 0
        totals["priority_correct"] += row["priority_kept"]
        totals["low_confidence_evaluated"] += unsure_n
        if not right:
            totals["low_confidence_wrong"] += unsure_n
            totals["confident_wrong"] += n - unsure_n if band is not None else 0
        confusion[ai_label, agent_label] = confusion.get((ai_label, agent_label), 0) + n
        if band is not None:
            sums = bands.setdefault(int(band), [0, 0.0, 0])
            sums[0] += n
            sums[1] += row["confidence_sum"]
            sums[2] += n if right else 0
    answered = [row for row in enrichment_rows if row["status"] in ANSWERED]
    return Accuracy(
        confusion=[(ai, agent, n) for (ai, agent), n in confusion.items()],
        calibration=[
            CalibrationBin(low=band / 10, n=n, mean_confidence=total / n, accuracy=correct / n)
            for band, (n, total, correct) in sorted(bands.items())
        ],
        suggestions_with_confidence=sum(row["with_confidence"] for row in answered),
        low_confidence=sum(row["low_confidence"] for row in answered),
        **totals,
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


def cost_and_speed(counts: Counts, *, durations: dict[str, dict[int, int]]) -> CostAndSpeed:
    end_to_end = percentiles(durations.get("end_to_end"))
    return CostAndSpeed(
        **counts.totals(AI_CALLS),
        latency_ms=percentiles(durations.get("model_latency")),
        end_to_end_seconds=[ms / 1000 for ms in end_to_end] if end_to_end else None,
    )


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


def knowledge(counts: Counts, *, enrichment_rows: list[dict], limit: int = 10) -> Knowledge:
    cited = [
        CitedArticle(row["document_id"], row["title"], row["cited"], row["cited_in_poor"])
        for row in counts.rows(CITATIONS, "document_id")
        if row["cited_in_poor"]
    ]
    stale = sorted(
        cited, key=lambda article: (-article.cited_in_poor, -article.poor_share, article.document_id)
    )
    answered = [row for row in enrichment_rows if row["status"] in ANSWERED]
    recent = list(
        enrichments_for(counts.filters)
        .filter(status__in=ANSWERED, passages_offered=0)
        .order_by("-created_at")
        .values_list("ticket_id", "ticket__subject")[:limit]
    )
    return Knowledge(
        stale_candidates=stale[:limit],
        recent_without_passages=recent,
        suggestions=sum(row["n"] for row in answered),
        without_passages=sum(row["without_passages"] for row in answered),
    )


@dataclass(frozen=True)
class Week(PerTicketCost):
    start: datetime
    acceptance: Proportion = field(default_factory=lambda: Proportion(0, 0))
    accuracy: Proportion = field(default_factory=lambda: Proportion(0, 0))
    cost_usd: Decimal = Decimal(0)
    tickets: int = 0
    latency_p50_ms: float | None = None


def trends(counts: Counts, *, feedback_counts: Groups, evaluated: Groups, latency_p50: dict) -> list[Week]:
    """Weekly series (weeks start on Monday) of acceptance, accuracy, cost per ticket and latency."""
    weeks: dict[date, dict] = {}
    for start, sums in feedback_counts.by("week").items():
        weeks.setdefault(start, {})["acceptance"] = Proportion(sums["accepted"], sums["replies"])
    for start, sums in evaluated.by("week").items():
        weeks.setdefault(start, {})["accuracy"] = Proportion(sums["correct"], sums["evaluated"])
    for start, cost, tickets, latency in _calls_by(counts, "week", latency_p50=latency_p50):
        weeks.setdefault(start, {}).update(cost_usd=cost, tickets=tickets, latency_p50_ms=latency)
    return [Week(start=start, **values) for start, values in sorted(weeks.items())]


def _calls_by(counts: Counts, dimension: str, *, latency_p50: dict) -> list[tuple]:
    """(group, cost, tickets, median latency of successful calls) per `dimension` of AI calls."""
    return [
        (row[dimension], row["cost_usd"], row["tickets"], latency_p50.get(row[dimension]))
        for row in counts.rows(AI_CALLS, dimension)
    ]


def latency_medians(counts: Counts, *, by: str) -> dict:
    """Median model latency per `by` value ("week" or a comparison dimension)."""
    return {
        key: percentiles(histogram, (0.5,))[0]
        for (key,), histogram in counts.histograms(MODEL_LATENCY, by).items()
    }


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
    counts: Counts,
    *,
    dimension: str,
    suggestions: Groups,
    feedback_counts: Groups,
    evaluated: Groups,
    latency_p50: dict,
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
    for name, cost, tickets, latency in _calls_by(counts, dimension, latency_p50=latency_p50):
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
    counts = Counts(filters=filters, rolled_up_until=rolled_up_until())
    enrichment_rows = counts.rows(ENRICHMENTS, "status", *AI_DIMENSIONS)
    feedback_rows = counts.rows(
        FEEDBACK, "week", "prompt_version", "model", "kind", "vote", "reason", "outcome"
    )
    suggestions = suggestion_groups(enrichment_rows)
    feedback_counts = feedback_groups(feedback_rows)
    evaluated = evaluated_groups(counts)
    durations = {
        measure: histogram for (measure,), histogram in counts.histograms(DURATIONS, "measure").items()
    }
    useful = usefulness(feedback_rows=feedback_rows, feedback_counts=feedback_counts, durations=durations)
    cost = cost_and_speed(counts, durations=durations)
    # Two reads: a series by week reads week rows, the variants (by far fewer groups) month rows.
    weekly_latency = latency_medians(counts, by="week")
    variant_latency = latency_medians(counts, by=compare_by)
    return Dashboard(
        filters=filters,
        volume=volume(filters, enrichment_rows=enrichment_rows, suggestions=suggestions),
        usefulness=useful,
        accuracy=accuracy(counts, enrichment_rows=enrichment_rows),
        cost=cost,
        time_saved=TimeSaved(
            accepted_suggestions=useful.accepted,
            minutes_per_suggestion=settings.DASHBOARD_MINUTES_SAVED,
            agent_hourly_cost=settings.DASHBOARD_AGENT_HOURLY_COST,
            ai_cost_usd=cost.cost_usd,
        ),
        knowledge=knowledge(counts, enrichment_rows=enrichment_rows),
        trends=trends(
            counts, feedback_counts=feedback_counts, evaluated=evaluated, latency_p50=weekly_latency
        ),
        comparison=comparison(
            counts,
            dimension=compare_by,
            suggestions=suggestions,
            feedback_counts=feedback_counts,
            evaluated=evaluated,
            latency_p50=variant_latency,
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
    columns = ("provider", "model", "prompt_version")
    recent = Enrichment.objects.exclude(provider="")
    if until := rolled_up_until():  # the days before are in the rollups: a few rows a day
        recent = recent.filter(created_at__gte=timezone.make_aware(datetime.combine(until, time.min)))
    rows = {
        *DailyEnrichments.objects.exclude(provider="").values_list(*columns).order_by().distinct(),
        # order_by(): not the model's ordering, which would make every row distinct
        *recent.values_list(*columns).order_by().distinct(),
    }
    providers, models, versions = set(), set(), set()
    for provider, model, version in rows:
        providers.add(provider)
        models.add(model)
        versions.add(version)
    return {"provider": sorted(providers), "model": sorted(models), "prompt_version": sorted(versions)}
