"""/metrics: request and ingest counters from the web process, queue and AI figures from the database."""

from decimal import Decimal

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ai_enrichment.accounting import ai_call_record
from ai_enrichment.models import AICall
from ai_enrichment.providers.base import Usage
from tests.conftest import ticket_payload


def scrape(client, **headers) -> dict[tuple, float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.django_db
def test_metrics_answer_this_machine_when_no_token_is_set(client):
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403


@pytest.mark.django_db
def test_with_a_token_metrics_need_it_from_everywhere(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200


def test_ingesting_tickets_shows_in_requests_ingest_outcomes_queue_and_enrichments(client, source_client):
    before = scrape(client)
    assert source_client.post("/api/v1/tickets", ticket_payload(external_id="M-1")).status_code == 201
    assert source_client.post("/api/v1/tickets", ticket_payload(external_id="M-2")).status_code == 201
    assert source_client.post("/api/v1/tickets", ticket_payload(external_id="M-2")).status_code == 200
    assert source_client.post("/api/v1/tickets", {"external_id": "M-3"}).status_code == 400
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("supportai_tickets_ingested_total", outcome="created") == 2
    assert grew("supportai_tickets_ingested_total", outcome="unchanged") == 1
    assert grew("supportai_http_requests_total", view="api:tickets", method="POST", status="201") == 2
    assert grew("supportai_http_requests_total", view="api:tickets", method="POST", status="200") == 1
    assert grew("supportai_http_requests_total", view="api:tickets", method="POST", status="400") == 1
    assert value(after, "supportai_enrichment_queue_depth", status="pending") == 2
    assert value(after, "supportai_enrichment_queue_oldest_age_seconds") > 0
    assert value(after, "supportai_enrichments", status="pending", provider="") == 2
    assert value(after, "supportai_database_up") == 1


def test_ai_calls_show_as_calls_tokens_cost_and_a_latency_histogram(client, source):
    from tickets.services import ticket_ingest

    enrichment = ticket_ingest(source=source, external_id="M-9", subject="s", body="b").enrichment
    for latency_ms, status in (
        (400, AICall.Status.OK),
        (2500, AICall.Status.OK),
        (30_000, AICall.Status.ERROR),
    ):
        ai_call_record(
            enrichment=enrichment,
            provider="anthropic",
            model="claude-haiku-4-5",
            prompt_version="enrich-v2",
            input_text="prompt",
            attempt=1,
            is_repair=False,
            status=status,
            usage=Usage(input_tokens=1000, output_tokens=200),
            latency_ms=latency_ms,
        )
    samples = scrape(client)
    model = {"provider": "anthropic", "model": "claude-haiku-4-5"}

    assert value(samples, "supportai_ai_calls_total", status="ok", **model) == 2
    assert value(samples, "supportai_ai_calls_total", status="error", **model) == 1
    assert value(samples, "supportai_ai_tokens_total", kind="input", **model) == 3000
    assert value(samples, "supportai_ai_tokens_total", kind="output", **model) == 600
    expected_cost = 3 * (Decimal(1000) * 1 + Decimal(200) * 5) / 1_000_000
    assert value(samples, "supportai_ai_cost_usd_total", **model) == pytest.approx(float(expected_cost))
    assert value(samples, "supportai_ai_call_latency_seconds_bucket", le="0.5", **model) == 1
    assert value(samples, "supportai_ai_call_latency_seconds_bucket", le="3.0", **model) == 2
    assert value(samples, "supportai_ai_call_latency_seconds_bucket", le="30.0", **model) == 3
    assert value(samples, "supportai_ai_call_latency_seconds_count", **model) == 3
    assert value(samples, "supportai_ai_call_latency_seconds_sum", **model) == pytest.approx(32.9)


@pytest.mark.django_db
def test_under_gunicorn_the_counters_of_every_web_worker_are_added_up(client, monkeypatch, tmp_path):
    # `make run` sets PROMETHEUS_MULTIPROC_DIR for gunicorn; the view then reads the workers' files.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = scrape(client)
    assert value(samples, "supportai_database_up") == 1
    assert not any(name.startswith("python_gc") for name, _labels in samples)  # not this process's own


@pytest.mark.django_db
def test_with_the_database_down_metrics_still_answer_and_say_so(client, monkeypatch):
    from django.db import OperationalError, connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    samples = scrape(client)
    assert value(samples, "supportai_database_up") == 0
    assert not any(name.startswith("supportai_enrichment") for name, _labels in samples)
