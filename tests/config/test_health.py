"""/healthz says the process answers; /readyz says whether it can serve, and names what is wrong."""

import pytest
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from ai_enrichment.models import Enrichment
from tickets.services import ticket_ingest


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")  # no database fixture: a query would fail the test
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_answers_and_migrations_are_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["failing"] == []
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True}


def latest_tickets_migration() -> str:
    (_app, name) = MigrationLoader(None).graph.leaf_nodes("tickets")[0]
    return name


@pytest.mark.django_db
@pytest.mark.parametrize("name", [latest_tickets_migration(), "0005_source_redact_pii"])
def test_readyz_is_503_and_names_the_unapplied_migration(client, name):
    # The newest one (a deploy that skipped `migrate`) or one below applied ones (a hole in the history).
    MigrationRecorder.Migration.objects.filter(app="tickets", name=name).delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"]["unapplied"] == [f"tickets.{name}"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        # What psycopg raises through Django when the server is down or restarting.
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["failing"] == ["database", "migrations"]
    assert body["checks"]["database"] == {"ok": False, "detail": "unreachable (OperationalError)"}
    assert "5432" not in response.content.decode()  # no connection details


def test_readyz_reports_the_backlog_and_the_age_of_the_oldest_pending_enrichment(client, source):
    first = ticket_ingest(source=source, external_id="A", subject="s", body="b").enrichment
    ticket_ingest(source=source, external_id="B", subject="s", body="b")
    Enrichment.objects.filter(pk=first.pk).update(created_at=first.created_at.replace(year=2020))

    queue = client.get("/readyz").json()["checks"]["queue"]
    assert (queue["pending"], queue["running"]) == (2, 0)
    assert queue["oldest_age_seconds"] > 365 * 24 * 3600


@pytest.mark.django_db
def test_readyz_says_when_no_worker_reports_without_failing_readiness(client, monkeypatch):
    from django_q.conf import Conf

    # Heartbeats read from this process's private memory cache, where no cluster can write: a worker
    # started by another test (or `make run` in this checkout) cannot show up here.
    monkeypatch.setattr(Conf, "CACHE", "default")
    response = client.get("/readyz")
    assert response.status_code == 200
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False
    assert worker["clusters"] == []
    assert "qcluster" in worker["detail"]


@pytest.mark.cluster
def test_readyz_sees_the_heartbeat_of_a_running_cluster(client, q_cluster):
    from tests.conftest import wait_until

    def running_clusters():
        worker = client.get("/readyz").json()["checks"]["worker"]
        # A cluster an earlier test stopped may still show for a few seconds, as "Stopped".
        return worker["ok"] and [c for c in worker["clusters"] if c["status"] in ("Idle", "Working")]

    clusters = wait_until(running_clusters, message="a running cluster's heartbeat in /readyz")
    assert clusters[0]["workers"] >= 1


@pytest.mark.django_db
def test_readyz_reports_an_open_provider_circuit_without_failing_readiness(client):
    from ai_enrichment.models import ProviderCircuit

    ProviderCircuit.objects.create(provider="anthropic", state="open", reason="5 of its last 5 calls failed")
    response = client.get("/readyz")
    assert response.status_code == 200, "the chain goes on to the next provider"
    providers = response.json()["checks"]["providers"]
    assert providers["ok"] is False
    assert providers["circuits"]["anthropic"]["state"] == "open"
    assert "anthropic" in providers["detail"]
