"""Daily rollups: the lead dashboard's counts per closed day (and summed per week and month), so that a
long period sums a few rows per group and month instead of every ticket's rows.

Each `Rollup` says how one kind of row (enrichments, agent-labeled suggestions, feedback, AI calls,
citations, durations) is counted: the key columns it groups by, besides the day and the dimensions a
lead filters on (source, provider, model, prompt version, AI category), and its measures. The same
definition serves both sides of every figure:

- `rollups_refresh` (the scheduled task `feedback.tasks.refresh_dashboard_rollups`, every 10 minutes)
  stores the grouped counts of every closed day that is new or changed since it last looked, and sums
  the weeks and months those days complete;
- `grouped` answers the dashboard: the whole months, weeks and days the rollups hold are summed from
  them, and the rest of the period (today, the part-days at its edges, days not rolled up yet) is
  counted from the rows themselves, so the figures are always current.

Distinct counts (tickets) are counted per day and group, so a ticket worked on over two days counts on
each. Durations are histograms with buckets 5 % wide: the percentiles read from them are within 2.5 %.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Floor, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from ai_enrichment.models import AICall, Enrichment
from feedback.models import (
    DailyAccuracy,
    DailyAICalls,
    DailyCitations,
    DailyDurations,
    DailyEnrichments,
    DailyFeedback,
    DailyRollup,
    Feedback,
    RollupState,
    TicketLabel,
)
from tickets.models import Purge

if TYPE_CHECKING:
    from feedback.dashboard import DashboardFilters

ANSWERED = (Enrichment.Status.DONE, Enrichment.Status.FALLBACK)
REPLY_KINDS = (Feedback.Kind.REPLY_SENT, Feedback.Kind.REPLY_COPIED)
AI_DIMENSIONS = ("provider", "model", "prompt_version")
REFRESH_LOCK = 7302  # pg_advisory_xact_lock key: one refresh at a time
# Rows are dated by the application when written and committed a moment later: a refresh looks again
# at what changed this long before the previous one started.
CHANGES_OVERLAP = timedelta(minutes=10)
# Days a refresh rolls up that were never rolled up: about 25 s at 100k tickets a year on 2 cores.
MAX_NEW_DAYS = 92


# --- Durations as histograms ------------------------------------------------------------------------------

BUCKET_GROWTH = 1.05


class DurationBucket(Func):
    """The histogram bucket of a duration in milliseconds: bucket b holds (1.05^b − 1) ≤ ms < (1.05^(b+1) − 1)."""

    template = f"FLOOR(LN(1 + GREATEST(%(expressions)s, 0)) / LN({BUCKET_GROWTH}))::int"
    output_field = models.IntegerField()


def bucket_value(bucket: int) -> float:
    """The middle of a bucket (geometric, in ms + 1): within 2.5 % of every duration in it."""
    return BUCKET_GROWTH ** (bucket + 0.5) - 1


def histogram_percentiles(counts: Mapping[int, int], fractions: Iterable[float]) -> list[float] | None:
    """percentile_cont over a histogram, each duration taken as the middle of its bucket; None if empty."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())

    def value_at(rank: int) -> float:  # the rank-th smallest duration (0-based)
        seen = 0
        for bucket, n in ordered:
            seen += n
            if rank < seen:
                return bucket_value(bucket)
        return bucket_value(ordered[-1][0])

    results = []
    for fraction in fractions:
        position = fraction * (total - 1)
        low, high = math.floor(position), math.ceil(position)
        results.append(value_at(low) + (value_at(high) - value_at(low)) * (position - low))
    return results


# --- What each rollup counts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    table: type[DailyRollup]
    rows: Callable[[], QuerySet]  # the rows it counts
    dated_by: str  # the field of those rows whose day a row is counted on
    source_field: str
    category_field: str
    # Key columns besides the day and the filter dimensions: column → expression over the rows
    # (None: a field of the same name). A callable: some read settings.
    keys: Callable[[], dict[str, Any]]
    # Measure columns → aggregate over the rows (a callable: some read settings).
    measures: Callable[[], dict[str, Any]]
    # What of the table this rollup owns (several fill DailyDurations).
    owns: Q = field(default_factory=Q)
    combine: Mapping[str, Callable] = field(default_factory=dict)  # how to merge a measure (default: add)

    @property
    def measure_names(self) -> list[str]:
        return [*self.measures(), *self.combine]

    def stored_aggregate(self, name: str):
        return Max(name) if name in self.combine else Sum(name)

    def filtered_rows(self, filters: DashboardFilters) -> QuerySet:
        rows = self.rows()
        if filters.source_ids is not None:
            rows = rows.filter(**{f"{self.source_field}__in": filters.source_ids})
        for name in AI_DIMENSIONS:
            if value := getattr(filters, name):
                rows = rows.filter(**{name: value})
        if filters.category:
            rows = rows.filter(**{self.category_field: filters.category})
        return rows

    def keyed(self, rows: QuerySet, by: tuple[str, ...]) -> tuple[QuerySet, list[str]]:
        """`rows` with a column for each name in `by` (a key column, "day", "week", "source_id",
        "category" or a filter dimension), and the names of those columns."""
        expressions = {
            "day": TruncDate(self.dated_by),
            "week": TruncWeek(self.dated_by),
            "source_id": F(self.source_field),
            # Calls and feedback take the category of their enrichment ('' while it has none).
            "category": None
            if self.category_field == "category"
            else Coalesce(F(self.category_field), Value("")),
            **self.keys(),
        }
        annotations, columns = {}, []
        for name in by:
            expression = expressions.get(name)
            if expression is None:  # a field of the rows themselves
                columns.append(name)
            else:  # named apart: an annotation may not shadow a field
                annotations[f"k_{name}"] = expression
                columns.append(f"k_{name}")
        return rows.annotate(**annotations), columns

    def count_rows(self, rows: QuerySet, by: tuple[str, ...]) -> list[dict]:
        """`rows` grouped by `by`, with every measure: one dict per group."""
        rows, columns = self.keyed(rows, by)
        if not columns:
            return [rows.aggregate(**self.measures())]
        measures = self.measures()
        grouped = rows.values(*columns).annotate(**measures).order_by()
        return _as_dicts(grouped.values_list(*columns, *measures), [*by, *measures])


def _as_dicts(rows: QuerySet, names: list[str]) -> list[dict]:
    """Tuples as dicts under `names` (thousands of histogram rows: cheaper than Django's dicts)."""
    return [dict(zip(names, row, strict=True)) for row in rows]


def _unprefixed(name: str) -> str:
    return name[2:] if name.startswith("k_") else name


def _enrichment_measures() -> dict:
    answered = Q(status__in=ANSWERED)
    return {
        "n": Count("id"),
        "tickets": Count("ticket_id", distinct=True),
        "over_budget": Count("id", filter=Q(over_budget=True)),
        "with_confidence": Count("id", filter=answered & Q(confidence__isnull=False)),
        "low_confidence": Count("id", filter=answered & Q(confidence__lt=settings.AI_LOW_CONFIDENCE)),
        "without_passages": Count("id", filter=answered & Q(passages_offered=0)),
    }


def _evaluated() -> QuerySet:
    """Suggestions whose ticket has labels an agent confirmed: the ones accuracy can be measured on."""
    return Enrichment.objects.filter(
        status__in=ANSWERED, ticket__label__origin=TicketLabel.Origin.AGENT
    ).exclude(category="")


def _accuracy_measures() -> dict:
    return {
        "n": Count("id"),
        "correct": Count("id", filter=Q(category=F("ticket__label__category"))),
        "priority_kept": Count("id", filter=Q(priority=F("ticket__label__priority"))),
        "unsure": Count("id", filter=Q(confidence__lt=settings.AI_LOW_CONFIDENCE)),
        "confidence_sum": Coalesce(Sum("confidence"), 0.0),
    }


def reply_outcome():
    """unchanged / lightly_edited / heavily_edited / rewritten of a sent reply ('' for other feedback)."""
    light = settings.DASHBOARD_LIGHT_EDIT_SIMILARITY
    rewritten = settings.DASHBOARD_REWRITTEN_SIMILARITY
    reply = Q(kind__in=REPLY_KINDS)
    return Case(
        When(reply & Q(similarity__gte=1), then=Value("unchanged")),
        When(reply & Q(similarity__gte=light), then=Value("lightly_edited")),
        When(reply & Q(similarity__gte=rewritten), then=Value("heavily_edited")),
        When(reply & Q(similarity__isnull=False), then=Value("rewritten")),
        default=Value(""),
        output_field=models.CharField(),
    )


def _feedback_measures() -> dict:
    return {
        "n": Count("id"),
        "similarity_sum": Coalesce(Sum("similarity", filter=Q(kind__in=REPLY_KINDS, similarity__lt=1)), 0.0),
    }


# Model latency is of calls answered while a ticket waited: batch results (enrich_backlog --batch) have
# no latency of their own (recorded as 0) and cache hits sent nothing.
ANSWERED_LIVE = Q(status=AICall.Status.OK, batch__isnull=True)


def _call_measures() -> dict:
    sent = ~Q(status=AICall.Status.CACHE_HIT)
    return {
        "calls": Count("id", filter=sent),
        "failed_calls": Count("id", filter=Q(status=AICall.Status.ERROR)),
        "invalid_calls": Count("id", filter=Q(status=AICall.Status.INVALID_OUTPUT)),
        "retried_calls": Count("id", filter=Q(attempt__gt=1) | Q(is_repair=True)),
        "cost_usd": Coalesce(Sum("cost_usd"), Decimal(0)),
        "input_tokens": Coalesce(Sum("input_tokens"), 0),
        "output_tokens": Coalesce(Sum("output_tokens"), 0),
        "cache_read_tokens": Coalesce(Sum("cache_read_tokens"), 0),
        "cache_write_tokens": Coalesce(Sum("cache_write_tokens"), 0),
        "tickets": Count("ticket_id", distinct=True),
        "redacted_calls": Count("id", filter=sent & Q(redactions__isnull=False)),
        "routed_tickets": Count("ticket_id", distinct=True, filter=~Q(routing="")),
        "exact_cache_hits": Count("id", filter=Q(cache=AICall.Cache.EXACT)),
        "semantic_cache_hits": Count("id", filter=Q(cache=AICall.Cache.SEMANTIC)),
    }


class Seconds(Func):
    """An interval as seconds (float)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()


def _histogram() -> dict:
    return {"n": Count("id")}


ENRICHMENTS = Rollup(
    table=DailyEnrichments,
    rows=lambda: Enrichment.objects.all(),
    dated_by="created_at",
    source_field="ticket__source_id",
    category_field="category",
    keys=lambda: {"status": None},
    measures=_enrichment_measures,
)
ACCURACY = Rollup(
    table=DailyAccuracy,
    rows=_evaluated,
    dated_by="created_at",
    source_field="ticket__source_id",
    category_field="category",
    keys=lambda: {
        "agent_category": F("ticket__label__category"),
        # Ten bands of 0.1; confidence 1.0 belongs with the 0.9 band.
        "band": Floor(Func(F("confidence") * 10, Value(9.0), function="LEAST")),
    },
    measures=_accuracy_measures,
)
FEEDBACK = Rollup(
    table=DailyFeedback,
    rows=lambda: Feedback.objects.all(),
    dated_by="created_at",
    source_field="enrichment__ticket__source_id",
    category_field="enrichment__category",
    keys=lambda: {"kind": None, "vote": None, "reason": None, "outcome": reply_outcome()},
    measures=_feedback_measures,
)
AI_CALLS = Rollup(
    table=DailyAICalls,
    rows=lambda: AICall.objects.all(),
    dated_by="created_at",
    source_field="ticket__source_id",
    category_field="enrichment__category",
    keys=dict,
    measures=_call_measures,
)
MODEL_LATENCY = Rollup(
    table=DailyDurations,
    rows=lambda: AICall.objects.filter(ANSWERED_LIVE),
    dated_by="created_at",
    source_field="ticket__source_id",
    category_field="enrichment__category",
    keys=lambda: {"measure": Value("model_latency"), "bucket": DurationBucket("latency_ms")},
    measures=_histogram,
    owns=Q(measure="model_latency"),
)
END_TO_END = Rollup(
    table=DailyDurations,
    # A new ticket's enrichment row is created in the ticket's own ingest transaction: its created_at
    # is the ingest time, with no join to the ticket.
    rows=lambda: Enrichment.objects.filter(
        status__in=ANSWERED, trigger=Enrichment.Trigger.CREATED, finished_at__isnull=False
    ),
    dated_by="created_at",
    source_field="ticket__source_id",
    category_field="category",
    keys=lambda: {
        "measure": Value("end_to_end"),
        "bucket": DurationBucket(Seconds(F("finished_at") - F("created_at")) * 1000),
    },
    measures=_histogram,
    owns=Q(measure="end_to_end"),
)
SECONDS_TO_ACTION = Rollup(
    table=DailyDurations,
    rows=lambda: Feedback.objects.filter(seconds_to_action__isnull=False),
    dated_by="created_at",
    source_field="enrichment__ticket__source_id",
    category_field="enrichment__category",
    keys=lambda: {
        "measure": Concat(Value("action:"), F("kind"), output_field=models.CharField()),
        "bucket": DurationBucket(F("seconds_to_action") * 1000),
    },
    measures=_histogram,
    owns=Q(measure__startswith="action:"),
)


class CitationRollup(Rollup):
    """One row per citation: the ORM has no set-returning functions, so the enrichments with their key
    columns are the inner query and jsonb_array_elements unnests their citations."""

    @property
    def measure_names(self) -> list[str]:
        return ["cited", "cited_in_poor", "title"]

    def count_rows(self, rows: QuerySet, by: tuple[str, ...]) -> list[dict]:
        poor = Feedback.objects.filter(
            Q(kind=Feedback.Kind.VOTE, vote=Feedback.Vote.DOWN)
            | Q(kind__in=REPLY_KINDS, similarity__lt=settings.DASHBOARD_LIGHT_EDIT_SIMILARITY),
            enrichment=OuterRef("pk"),
        )
        rows, columns = self.keyed(
            rows.exclude(citations=[]), tuple(name for name in by if name != "document_id")
        )
        inner = rows.annotate(poor=Exists(poor))
        inner_sql, params = inner.values(*columns, "citations", "poor").order_by().query.sql_with_params()
        keys = "".join(f'e."{column}", ' for column in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT {keys}(c.value->>'document_id')::bigint, max(c.value->>'title'),
                       count(*), count(*) FILTER (WHERE e.poor)
                FROM ({inner_sql}) AS e CROSS JOIN LATERAL jsonb_array_elements(e.citations) AS c
                GROUP BY {", ".join(str(n) for n in range(1, len(columns) + 2))}
                """,
                params,
            )
            names = [
                *(_unprefixed(column) for column in columns),
                "document_id",
                "title",
                "cited",
                "cited_in_poor",
            ]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


CITATIONS = CitationRollup(
    table=DailyCitations,
    rows=lambda: Enrichment.objects.filter(status__in=ANSWERED),
    dated_by="created_at",
    source_field="ticket__source_id",
    category_field="category",
    keys=lambda: {"document_id": None},
    measures=dict,  # counted in count_rows
    combine={"title": max},
)

ROLLUPS = (ENRICHMENTS, ACCURACY, FEEDBACK, AI_CALLS, CITATIONS, MODEL_LATENCY, END_TO_END, SECONDS_TO_ACTION)


# --- The dashboard's side -----------------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _period_split(filters: DashboardFilters, rolled_up_until: date | None) -> tuple[tuple | None, Q]:
    """The whole days of the period the rollups hold, as (first or None, last exclusive), or None; and
    the condition, on `dated_by`, of the rest of the period, counted from the rows themselves."""
    first = None
    if filters.start is not None:
        first = timezone.localdate(filters.start)
        if filters.start != _midnight(first):
            first += timedelta(days=1)
    if rolled_up_until is None:
        return None, Q()
    last = min(timezone.localdate(filters.end), rolled_up_until)
    if first is not None and first >= last:
        return None, Q()
    rest = Q(after=_midnight(last))
    if first is not None:
        rest |= Q(before=_midnight(first))
    return (first, last), rest


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def first_of_month(day: date) -> date:
    return day.replace(day=1)


SPANS = {  # span → (its first day for a day, the first day of the next one)
    "week": (monday, lambda start: start + timedelta(days=7)),
    "month": (first_of_month, lambda start: (start + timedelta(days=31)).replace(day=1)),
}


def _stored_days(first: date | None, last: date, *, spans: tuple[str, ...]) -> Q:
    """The stored rows of the days [first, last): the rows of the whole spans in it, the coarsest first,
    and of the days left at either end."""
    if not spans:
        return Q(span="day", day__lt=last) & (Q(day__gte=first) if first else Q())
    start_of, next_start = SPANS[spans[0]]
    whole_from = None if first is None else first if start_of(first) == first else next_start(start_of(first))
    whole_until = start_of(last)
    if whole_from is not None and whole_from >= whole_until:
        return _stored_days(first, last, spans=spans[1:])
    rows = Q(span=spans[0], day__lt=whole_until) & (Q(day__gte=whole_from) if whole_from else Q())
    rows |= _stored_days(whole_until, last, spans=spans[1:])
    if whole_from is not None:
        rows |= _stored_days(first, whole_from, spans=spans[1:])
    return rows


def _on(condition: Q, field_name: str) -> Q:
    """A condition built with the placeholders `after`/`before` on a real date field."""
    result = Q()
    result.connector, result.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            result.children.append(_on(child, field_name))
        else:
            name, value = child
            result.children.append((f"{field_name}__{'gte' if name == 'after' else 'lt'}", value))
    return result


def grouped(
    rollups: Rollup | tuple[Rollup, ...],
    filters: DashboardFilters,
    *,
    by: tuple[str, ...] = (),
    rolled_up_until: date | None,
) -> list[dict]:
    """The measures of `rollups` (one, or several that share a table) for the period and filters,
    grouped by `by`: one dict per group."""
    rollups = rollups if isinstance(rollups, tuple) else (rollups,)
    [table] = {rollup.table for rollup in rollups}
    head = rollups[0]
    days, rest = _period_split(filters, rolled_up_until)
    names = head.measure_names
    rows: list[dict] = []
    if days is not None:
        first, last = days
        owned = Q()
        for rollup in rollups:
            owned |= rollup.owns
        # Month rows cannot be split into weeks: a weekly series reads week rows at most.
        spans = ("week",) if "week" in by else ("month", "week")
        stored = table.objects.filter(owned, _stored_days(first, last, spans=spans))
        if filters.source_ids is not None:
            stored = stored.filter(source_id__in=filters.source_ids)
        for name in (*AI_DIMENSIONS, "category"):
            if value := getattr(filters, name):
                stored = stored.filter(**{name: value})
        columns = ["k_week" if name == "week" else name for name in by]
        if "week" in by:
            stored = stored.annotate(k_week=TruncWeek("day"))
        sums = {name: head.stored_aggregate(name) for name in names}
        if columns:
            stored = stored.values(*columns).annotate(**sums).order_by()
            rows.extend(_as_dicts(stored.values_list(*columns, *sums), [*by, *sums]))
        else:
            rows.append(stored.aggregate(**sums))
    for rollup in rollups:
        counted = rollup.filtered_rows(filters).filter(**{f"{rollup.dated_by}__lt": filters.end})
        if filters.start is not None:
            counted = counted.filter(**{f"{rollup.dated_by}__gte": filters.start})
        rows.extend(rollup.count_rows(counted.filter(_on(rest, rollup.dated_by)), by))
    return _merged(rows, by=by, names=names, combine=head.combine)


def _merged(rows: list[dict], *, by: tuple[str, ...], names: list[str], combine: Mapping) -> list[dict]:
    merged: dict[tuple, dict] = {}
    has_week = "week" in by
    for row in rows:
        if has_week and isinstance(row["week"], datetime):  # counted: the week's first moment
            row["week"] = timezone.localdate(row["week"])
        key = tuple(row[name] for name in by)
        into = merged.get(key)
        if into is None:
            merged[key] = row
            continue
        for name in names:
            if name in combine:
                into[name] = combine[name](into[name] or "", row[name] or "")
            else:
                into[name] = (into[name] or 0) + (row[name] or 0)
    return list(merged.values())


def rolled_up_until() -> date | None:
    """The first day the rollups hold no counts for; None before the first refresh, and after a
    threshold setting changed until the refresh that counts again with it."""
    state = RollupState.objects.filter(settings_key=_settings_key()).first()
    return state.rolled_up_until if state else None


# --- Refreshing ------------------------------------------------------------------------------------------------


def _settings_key() -> str:
    """The thresholds the stored counts depend on: a change rebuilds them."""
    return repr(
        (
            settings.AI_LOW_CONFIDENCE,
            settings.DASHBOARD_LIGHT_EDIT_SIMILARITY,
            settings.DASHBOARD_REWRITTEN_SIMILARITY,
            settings.TIME_ZONE,
            BUCKET_GROWTH,
        )
    )


def _days_of(rows: QuerySet, field_name: str) -> set[date]:
    return set(
        rows.annotate(k_day=TruncDate(field_name)).values_list("k_day", flat=True).order_by().distinct()
    )


def _changed_days(*, since: datetime) -> set[date]:
    """The days whose counts may have changed since `since`: rows written since, enrichments started or
    finished since, suggestions an agent labeled since, enrichments with new feedback (their citations)."""
    # Every change of an enrichment's status sets started_at or finished_at.
    changed = Q(created_at__gte=since) | Q(started_at__gte=since) | Q(finished_at__gte=since)
    days = _days_of(Enrichment.objects.filter(changed), "created_at")
    days |= _days_of(Enrichment.objects.filter(ticket__label__updated_at__gte=since), "created_at")
    feedback = Feedback.objects.filter(created_at__gte=since)
    days |= _days_of(feedback, "created_at") | _days_of(feedback, "enrichment__created_at")
    days |= _days_of(AICall.objects.filter(created_at__gte=since), "created_at")
    return days


def _first_day() -> date | None:
    firsts = [
        model.objects.aggregate(first=Min("created_at"))["first"] for model in (Enrichment, AICall, Feedback)
    ]
    firsts = [timezone.localdate(moment) for moment in firsts if moment is not None]
    return min(firsts) if firsts else None


def _runs(days: set[date]) -> list[tuple[date, date]]:
    """Sorted days as (first, last exclusive) runs of consecutive days."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] == day:
            runs[-1][1] = day + timedelta(days=1)
        else:
            runs.append([day, day + timedelta(days=1)])
    return [(first, last) for first, last in runs]


@dataclass(frozen=True)
class RefreshReport:
    days: int  # days counted again
    rows: int  # rollup rows written
    rebuilt: bool
    rolled_up_until: date


def rollups_refresh(*, today: date | None = None, max_new_days: int = MAX_NEW_DAYS) -> RefreshReport:
    """Store the counts of the closed days (before `today`) that changed since the last refresh and of
    up to `max_new_days` days not rolled up yet; count everything again, from the first day on, when
    never refreshed, when a threshold setting changed or when tickets were purged. A long history is
    rolled up over several runs, each well within the worker's task timeout; until then the dashboard
    counts the days not rolled up yet from the rows."""
    today = today or timezone.localdate()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        state, _ = RollupState.objects.select_for_update().get_or_create(pk=1)
        started = timezone.now()
        key = _settings_key()
        since = state.changes_seen_at - CHANGES_OVERLAP if state.changes_seen_at else None
        rebuilt = (
            state.rolled_up_until is None
            or state.settings_key != key
            # Tickets deleted (retention, erasure requests) took their rows along: count again.
            or Purge.objects.filter(Q(created_at__gte=since) | Q(finished_at__gte=since)).exists()
        )
        if rebuilt:
            for table in {rollup.table for rollup in ROLLUPS}:
                table.objects.all().delete()
            start, days = _first_day() or today, set()
        else:
            start, days = state.rolled_up_until, _changed_days(since=since)
        until = max(start, min(today, start + timedelta(days=max_new_days)))
        days = {day for day in days if day < start} | {
            start + timedelta(n) for n in range((until - start).days)
        }
        written = 0
        for rollup in ROLLUPS:
            written += _roll_up(rollup, days)
            # The weeks and months of those days that are over, summed again from their day rows.
            for span, (start_of, next_start) in SPANS.items():
                starts = {start_of(day) for day in days if next_start(start_of(day)) <= until}
                written += _sum_span(rollup, span, starts)
        state.rolled_up_until = until
        state.changes_seen_at = started
        state.settings_key = key
        state.save()
    return RefreshReport(days=len(days), rows=written, rebuilt=rebuilt, rolled_up_until=until)


def _roll_up(rollup: Rollup, days: set[date]) -> int:
    if not days:
        return 0
    runs = _runs(days)
    rollup.table.objects.filter(rollup.owns, span="day", day__in=days).delete()
    condition = Q()
    for first, last in runs:
        condition |= Q(
            **{f"{rollup.dated_by}__gte": _midnight(first), f"{rollup.dated_by}__lt": _midnight(last)}
        )
    by = ("day", "source_id", *AI_DIMENSIONS, "category", *rollup.keys())
    rows = rollup.count_rows(rollup.rows().filter(condition), by)
    rollup.table.objects.bulk_create((rollup.table(span="day", **row) for row in rows), batch_size=2000)
    return len(rows)


def _sum_span(rollup: Rollup, span: str, starts: set[date]) -> int:
    if not starts:
        return 0
    rollup.table.objects.filter(rollup.owns, span=span, day__in=starts).delete()
    _start_of, next_start = SPANS[span]
    in_spans = Q()
    for start in starts:
        in_spans |= Q(day__gte=start, day__lt=next_start(start))
    keys = ("source_id", *AI_DIMENSIONS, "category", *rollup.keys())
    rows = list(
        rollup.table.objects.filter(rollup.owns, in_spans, span="day")
        .annotate(start=TruncWeek("day") if span == "week" else TruncMonth("day"))
        .values("start", *keys)
        .annotate(**{name: rollup.stored_aggregate(name) for name in rollup.measure_names})
        .order_by()
    )
    rollup.table.objects.bulk_create(
        (rollup.table(day=row.pop("start"), span=span, **row) for row in rows), batch_size=2000
    )
    return len(rows)
