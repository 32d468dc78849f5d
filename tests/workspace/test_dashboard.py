"""The lead dashboard: who may see it, the figures it computes from real Feedback / Enrichment /
AICall rows (written through the same services the workspace uses), its filters and its exports."""

import csv
import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from ai_enrichment.models import AIBatch, AICall, Enrichment
from feedback.dashboard import DashboardFilters, Difference, Proportion, dashboard_figures, dashboard_now
from feedback.services import feedback_vote, reply_similarity
from tests.workspace.dashboard_data import (
    LIGHTLY_EDITED,
    REWRITTEN,
    SUGGESTED,
    call,
    suggestion,
    worked_history,
)
from tickets.services import source_create


@pytest.fixture
def history(desk, agent):
    return worked_history(desk, agent)


def figures(**filters):
    return dashboard_figures(filters=DashboardFilters(end=timezone.now() + timedelta(minutes=1), **filters))


def test_the_figures_follow_from_what_agents_did(history, settings):
    settings.DASHBOARD_MINUTES_SAVED = 5
    settings.DASHBOARD_AGENT_HOURLY_COST = 60
    page = figures()

    assert page.volume.tickets_received == 5
    assert page.volume.by_status == {"done": 4, "failed": 1}
    assert page.volume.tickets_enriched == 4
    assert page.volume.local_share == 0.25

    useful = page.usefulness
    assert (useful.replies, useful.unchanged, useful.lightly_edited, useful.rewritten) == (3, 1, 1, 1)
    assert useful.acceptance.rate == pytest.approx(2 / 3)
    assert useful.mean_edited_similarity == pytest.approx(
        (reply_similarity(SUGGESTED, LIGHTLY_EDITED) + reply_similarity(SUGGESTED, REWRITTEN)) / 2
    )
    assert (useful.votes_up, useful.votes_down) == (1, 2)
    assert dict(useful.down_reasons) == {"Wrong category": 1, "Wrong facts": 1}
    assert (useful.labels_accepted, useful.labels_changed) == (1, 2)

    accuracy = page.accuracy
    assert (accuracy.evaluated, accuracy.category_correct, accuracy.priority_correct) == (3, 2, 2)
    assert sorted(accuracy.confusion) == [
        ("billing", "account", 1),
        ("billing", "billing", 1),
        ("technical", "technical", 1),
    ]
    assert [(label, p.hits, p.n) for label, p in accuracy.precision_by_category] == [
        ("billing", 1, 2),
        ("technical", 1, 1),
    ], "the least precise category comes first"
    assert (accuracy.low_confidence_evaluated, accuracy.low_confidence_wrong, accuracy.confident_wrong) == (
        1,
        1,
        0,
    )
    assert accuracy.low_confidence_share == 0.25
    labels, rows = accuracy.matrix
    assert labels == ["account", "billing", "technical"]
    assert rows[0] == ("billing", [("account", 1), ("billing", 1), ("technical", 0)], 2)

    cost = page.cost
    assert (cost.calls, cost.failed_calls, cost.retried_calls, cost.tickets) == (5, 1, 1, 4)
    assert cost.cost_usd == Decimal("0.06")
    assert cost.cost_per_ticket == Decimal("0.015")
    # Percentiles are read from histograms with buckets 5 % wide (feedback.rollups).
    assert cost.latency_ms[0] == pytest.approx(1500, rel=0.025), "the median of 100, 1000, 2000, 3000"

    assert page.time_saved.minutes_saved == 10
    assert page.time_saved.value_usd == Decimal("10.00")

    knowledge = page.knowledge
    assert [(a.document_id, a.title, a.cited, a.cited_in_poor) for a in knowledge.stale_candidates] == [
        (7, "Bank feeds", 1, 1)
    ], "only the article cited in a down-voted suggestion; the well-received one is not flagged"
    assert knowledge.without_passages == 1
    assert knowledge.recent_without_passages == [(history["e5"].ticket_id, "Subject T-5")]

    [week] = page.trends
    assert (week.acceptance.hits, week.acceptance.n, week.accuracy.hits, week.accuracy.n) == (2, 3, 2, 3)

    variants = {v.name: v for v in page.comparison.variants}
    assert variants["enrich-v2"].suggestions == 2
    assert (variants["enrich-v2"].acceptance.hits, variants["enrich-v2"].acceptance.n) == (2, 2)
    assert (variants["enrich-v1"].acceptance.hits, variants["enrich-v1"].acceptance.n) == (0, 1)
    assert variants["enrich-v1"].cost_per_ticket == Decimal("0.015")


def test_end_to_end_time_runs_from_ingest_to_the_suggestion(desk):
    e = suggestion(desk, "T-1")
    Enrichment.objects.filter(pk=e.pk).update(finished_at=e.ticket.received_at + timedelta(seconds=42))
    assert figures().cost.end_to_end_seconds[0] == pytest.approx(42, rel=0.025)


def test_cache_hits_are_counted_as_such_and_not_as_calls_sent(desk):
    fresh, exact, semantic = (suggestion(desk, f"T-{n}") for n in range(3))
    call(fresh, cost="0.01")
    call(exact, status=AICall.Status.CACHE_HIT, cache=AICall.Cache.EXACT, latency=1)
    call(semantic, status=AICall.Status.CACHE_HIT, cache=AICall.Cache.SEMANTIC, latency=3)

    cost = figures().cost
    assert (cost.calls, cost.exact_cache_hits, cost.semantic_cache_hits, cost.tickets) == (1, 1, 1, 3)
    assert cost.cache_hit_rate == pytest.approx(2 / 3)
    assert cost.latency_ms[0] == pytest.approx(1000, rel=0.025), "model latency is of the calls sent"


def test_batch_results_do_not_count_in_model_latency(desk):
    live, batched = suggestion(desk, "T-1"), suggestion(desk, "T-2")
    call(live, latency=2000)
    batch = AIBatch.objects.create(
        provider_batch_id="msgbatch_1", model="claude-haiku-4-5", prompt_version="enrich-v3"
    )
    AICall.objects.filter(pk=call(batched, latency=0).pk).update(batch=batch)

    cost = figures().cost
    assert cost.calls == 2
    assert cost.latency_ms == pytest.approx([2000] * 3, rel=0.025)


def test_filters_narrow_every_figure(history, desk):
    v1 = figures(prompt_version="enrich-v1")
    assert v1.volume.suggestions == 2
    assert v1.usefulness.replies == 1
    assert v1.cost.calls == 3

    assert figures(category="technical").accuracy.evaluated == 1
    assert figures(provider="local").volume.suggestions == 1

    Enrichment.objects.filter(pk=history["e5"].pk).update(created_at=timezone.now() - timedelta(days=60))
    assert figures(start=timezone.now() - timedelta(days=30)).volume.suggestions == 3
    assert figures().volume.suggestions == 4

    other = source_create(name="Other desk", slug="other").source
    suggestion(other, "O-1")
    assert figures().volume.suggestions == 5
    assert figures(source_ids=(desk.pk,)).volume.suggestions == 4


def test_a_wilson_interval_and_a_newcombe_difference_match_the_literature():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 against 48/80.
    # With no hits, Wilson's upper bound is z² / (n + z²): 0.2775 for n = 10 (the naive interval is 0–0).
    assert Proportion(0, 10).interval == pytest.approx((0, 1.96**2 / (10 + 1.96**2)))
    difference = Difference(a=Proportion(48, 80), b=Proportion(56, 70))
    assert difference.value == pytest.approx(0.2)
    assert difference.interval == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert difference.is_clear
    assert not Difference(a=Proportion(5, 10), b=Proportion(6, 10)).is_clear, "ten votes each prove nothing"
    assert Proportion(0, 0).rate is None and Proportion(0, 0).interval is None


# --- The page -------------------------------------------------------------------------------------------


def test_only_leads_see_the_dashboard(client, agent, lead, outsider, admin_user):
    assert client.get("/dashboard/").status_code == 302
    for user, status in ((agent, 403), (outsider, 403), (lead, 200), (admin_user, 200)):
        client.force_login(user)
        assert client.get("/dashboard/").status_code == status, user
        assert client.get("/dashboard/figures.csv").status_code == status
        assert client.get("/dashboard/feedback.jsonl").status_code == status


def test_the_navigation_offers_the_dashboard_to_leads_only(client, agent, lead):
    client.force_login(agent)
    assert b'href="/dashboard/"' not in client.get("/queue/").content
    client.force_login(lead)
    assert b'href="/dashboard/"' in client.get("/queue/").content


def test_the_page_shows_the_figures_and_the_confusion_matrix(client, lead, history):
    client.force_login(lead)
    page = client.get("/dashboard/").content.decode()
    assert 'id="confusion-matrix"' in page
    assert "2 of 3" in page  # replies accepted, and category accuracy
    assert "<svg" in page and "<script src" not in page.split("</header>")[1]
    assert "Bank feeds" in page
    assert "enrich-v1" in page and "enrich-v2" in page


def test_an_htmx_filter_change_returns_only_the_results(client, lead, history):
    client.force_login(lead)
    response = client.get(
        "/dashboard/", {"period": "all", "prompt_version": "enrich-v1"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="dashboard-results">') and "<html" not in body
    assert "0 of 1" in body


def test_bad_filters_are_form_errors_on_the_page_and_400_on_exports(client, lead, history):
    client.force_login(lead)
    page = client.get("/dashboard/", {"period": "custom", "start": "2026-03-10", "end": "2026-03-01"})
    assert page.status_code == 200
    assert "The last day is before the first day." in page.content.decode()
    assert 'id="confusion-matrix"' not in page.content.decode()

    assert "Pick the first day" in client.get("/dashboard/", {"period": "custom"}).content.decode()
    assert "Select a valid choice" in client.get("/dashboard/", {"source": "nope"}).content.decode()
    response = client.get("/dashboard/figures.csv", {"period": "custom", "start": "not a date"})
    assert response.status_code == 400
    assert "start" in response.content.decode()
    assert client.get("/dashboard/feedback.jsonl", {"model": "gpt-9"}).status_code == 400


def test_a_lead_outside_a_sources_team_does_not_count_its_tickets(client, lead, history):
    restricted = source_create(name="VIP desk", slug="vip").source
    restricted.teams.add(Group.objects.create(name="vip-team"))
    suggestion(restricted, "V-1")
    client.force_login(lead)
    page = client.get("/dashboard/", {"period": "all"}).content.decode()
    assert "VIP desk" not in page
    assert "5 tickets received" in page


def test_the_csv_export_holds_the_figures(client, lead, history):
    client.force_login(lead)
    response = client.get("/dashboard/figures.csv", {"period": "all"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "figure", "breakdown", "value"]
    assert ["accuracy", "category_accuracy", "", "0.6667"] in rows
    assert ["accuracy", "confusion", "billing->account", "1"] in rows
    assert ["usefulness", "down_votes_by_reason", "Wrong facts", "1"] in rows


def test_the_feedback_dataset_reimports_through_evaluate(client, lead, history, tmp_path):
    client.force_login(lead)
    response = client.get("/dashboard/feedback.jsonl", {"period": "all"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 3, "the suggestions agents acted on"
    by_ticket = {row["external_id"]: row for row in rows}
    assert by_ticket["T-2"]["ai_category"] == "billing" and by_ticket["T-2"]["category"] == "account"
    assert by_ticket["T-2"]["reply"] == LIGHTLY_EDITED
    assert by_ticket["T-3"]["vote"] == "down" and by_ticket["T-3"]["prompt_version"] == "enrich-v1"

    path = tmp_path / "feedback.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command(
        "evaluate", str(path), "--text", "text", "--label", "category", "--train", str(path),
        "--predicted", "ai_category", stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue().splitlines()[-1])
    assert report["examples"] == 3
    assert report["recorded"]["accuracy"] == pytest.approx(0.6667, abs=1e-4)
    assert report["recorded"]["top_confusions"] == [{"true": "account", "predicted": "billing", "count": 1}]


def test_figures_are_computed_once_per_cache_window(client, lead, history, settings, agent):
    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    client.force_login(lead)
    assert "1 up · 2 down" in client.get("/dashboard/").content.decode()

    feedback_vote(enrichment=history["e1"], agent=agent, vote="up")
    assert "1 up · 2 down" in client.get("/dashboard/").content.decode(), "the same window reuses them"
    csv_rows = client.get("/dashboard/figures.csv").content.decode()
    assert "usefulness,votes_up,,1" in csv_rows, "the CSV matches the page on screen"

    cache.clear()  # as when the window has passed
    assert "2 up · 2 down" in client.get("/dashboard/").content.decode()


def test_rolling_periods_end_with_the_cache_window(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    end = dashboard_now()
    assert (end.second, end.microsecond) == (0, 0)
    assert timedelta(0) < end - timezone.now() <= timedelta(seconds=60)


def test_the_dashboard_page_runs_no_inline_script(client, lead, history):
    """The Content-Security-Policy blocks inline scripts: pygal's charts must not carry its own."""
    client.force_login(lead)
    page = client.get("/dashboard/").content.decode()
    assert page.count("<svg") >= 4
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all(" src=" in script for script in scripts)
