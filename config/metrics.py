"""Prometheus metrics at `/metrics`.

Two kinds, because web and worker are separate processes (a counter a worker increments is not in
the web process's registry):
- counted in the web process, in memory: HTTP requests by view and status, and ticket deliveries
  by ingest outcome (the API and the import command call the same service);
- read from the database when Prometheus scrapes (`DatabaseCollector`): the enrichment queue, the
  enrichments by status and provider, and from the AICall audit rows the calls, tokens, cost and
  latency. Whatever process did the work, the rows are the truth, and every web process reports the
  same figures.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (`make run` does) so the in-memory
counters of every web worker are added up (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, Q, Sum
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString

from ai_enrichment.models import AICall, Enrichment
from ai_enrichment.selectors import enrichment_queue_backlog

HTTP_REQUESTS = Counter(
    "supportai_http_requests",
    "HTTP requests answered, by the view the URL resolved to (not the path: ids would explode the series).",
    ["view", "method", "status"],
)
TICKETS_INGESTED = Counter(
    "supportai_tickets_ingested",
    "Ticket deliveries by ingest outcome (created, updated, unchanged, stale).",
    ["outcome"],
)

# Buckets of the model latency histogram, in seconds (a call takes ~1-3 s; timeouts end at 30 s).
LATENCY_BUCKETS = (0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60)
LOCAL_ADDRESSES = ("127.0.0.1", "::1")
TOKEN_KINDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        view = match.view_name if match else "<unresolved>"
        HTTP_REQUESTS.labels(view=view, method=request.method, status=str(response.status_code)).inc()
        return response


class DatabaseCollector:
    """Aggregates read at scrape time: three grouped queries, the queue's on its (status, created_at)
    index. They describe the rows the database holds, so a purge lowers them (Prometheus reads a drop
    in a counter as a restart: right after a purge, one `rate()` window over-reports)."""

    def describe(self):
        return []  # no query at registration time

    def collect(self):
        up = GaugeMetricFamily("supportai_database_up", "1 when the database answered this scrape.")
        try:
            with transaction.atomic():  # a savepoint inside a caller's transaction: a failure stays here
                families = [*self._queue(), *self._enrichments(), *self._ai_calls()]
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _queue(self):
        backlog = enrichment_queue_backlog()
        depth = GaugeMetricFamily(
            "supportai_enrichment_queue_depth",
            "Enrichments waiting for (pending) or held by (running) a worker.",
            labels=["status"],
        )
        depth.add_metric(["pending"], backlog.pending)
        depth.add_metric(["running"], backlog.running)
        age = GaugeMetricFamily(
            "supportai_enrichment_queue_oldest_age_seconds",
            "How long the oldest pending or running enrichment has waited (0 when none).",
        )
        age.add_metric([], backlog.oldest_age_seconds)
        return [depth, age]

    def _enrichments(self):
        family = GaugeMetricFamily(
            "supportai_enrichments",
            "Enrichments held, by status and the provider that answered (status 'fallback': a later "
            "provider in the chain answered; provider empty until one did).",
            labels=["status", "provider"],
        )
        rows = Enrichment.objects.values_list("status", "provider").annotate(count=Count("id")).order_by()
        for status, provider, count in rows:
            family.add_metric([status, provider], count)
        return [family]

    def _ai_calls(self):
        buckets = {
            f"le_{index}": Count("id", filter=Q(latency_ms__lte=int(bound * 1000)))
            for index, bound in enumerate(LATENCY_BUCKETS)
        }
        rows = (
            AICall.objects.values("provider", "model", "status")
            .annotate(
                count=Count("id"),
                input_tokens=Sum("input_tokens"),
                output_tokens=Sum("output_tokens"),
                cache_read_tokens=Sum("cache_read_tokens"),
                cache_write_tokens=Sum("cache_write_tokens"),
                cost_usd=Sum("cost_usd"),
                latency_ms_sum=Sum("latency_ms"),
                **buckets,
            )
            .order_by()
        )
        calls = CounterMetricFamily(
            "supportai_ai_calls",
            "Provider calls by outcome (ok, invalid_output, error).",
            labels=["provider", "model", "status"],
        )
        tokens = CounterMetricFamily(
            "supportai_ai_tokens", "Tokens billed, by kind.", labels=["provider", "model", "kind"]
        )
        cost = CounterMetricFamily(
            "supportai_ai_cost_usd", "Cost of provider calls, USD.", labels=["provider", "model"]
        )
        latency = HistogramMetricFamily(
            "supportai_ai_call_latency_seconds", "Provider call latency.", labels=["provider", "model"]
        )
        # Summed over status per (provider, model): tokens, cost and latency do not need it.
        per_model: dict[tuple[str, str], dict] = {}
        for row in rows:
            key = (row["provider"], row["model"])
            calls.add_metric([*key, row["status"]], row["count"])
            total = per_model.setdefault(key, {"buckets": [0] * len(LATENCY_BUCKETS)})
            for field in TOKEN_KINDS + ("count", "latency_ms_sum", "cost_usd"):
                total[field] = total.get(field, 0) + (row[field] or 0)
            total["buckets"] = [below + row[f"le_{index}"] for index, below in enumerate(total["buckets"])]
        for key, total in per_model.items():
            for field in TOKEN_KINDS:
                tokens.add_metric([*key, field.removesuffix("_tokens")], total[field])
            cost.add_metric(list(key), float(total["cost_usd"]))
            latency.add_metric(
                list(key),
                buckets=[
                    (floatToGoString(bound), below)
                    for bound, below in zip(LATENCY_BUCKETS, total["buckets"], strict=True)
                ]
                + [("+Inf", total["count"])],
                sum_value=total["latency_ms_sum"] / 1000,
            )
        return [calls, tokens, cost, latency]


_database_registry = CollectorRegistry(auto_describe=False)
_database_registry.register(DatabaseCollector())


def _web_registry():
    """This process's counters, or every web worker's when prometheus-client runs multiprocess."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def _allowed(request) -> bool:
    """With METRICS_TOKEN, the bearer token must match; without it, only this machine may read."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())
    return request.META.get("REMOTE_ADDR") in LOCAL_ADDRESSES


@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        return HttpResponseForbidden(
            "Metrics need `Authorization: Bearer <METRICS_TOKEN>`, or a request from this machine when "
            "METRICS_TOKEN is unset.",
            content_type="text/plain",
        )
    body = generate_latest(_web_registry()) + generate_latest(_database_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
