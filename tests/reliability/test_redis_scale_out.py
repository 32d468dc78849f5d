"""Scale-out: REDIS_URL moves django-q2 to the Redis broker and Django's cache to Redis, so workers on
other machines share the queue. Tested against the Redis on 127.0.0.1:6379, in a database number of its
own that is flushed before and after (and nothing else is touched); skipped when Redis is not there.
Every other scenario of this suite runs on the default ORM broker."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django_q.conf import Conf
from django_q.models import OrmQ, Success

from ai_enrichment.models import Enrichment
from tests.conftest import SourceClient, ticket_payload, wait_until

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 13  # this suite's own Redis database; only it is ever flushed
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis", reason="the redis client is not installed")
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip(
            "Redis is not reachable on 127.0.0.1:6379: the Redis broker and cache are not tested here"
        )
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def test_redis_url_puts_the_cache_and_the_queue_on_redis(redis_db):
    code = (
        "import django, json; django.setup()\n"
        "from django.conf import settings; from django.core.cache import cache\n"
        "cache.set('fault-suite-probe', 'written by Django', 60)\n"
        "print(json.dumps({'cache': settings.CACHES['default']['BACKEND'],"
        " 'broker': sorted(k for k in ('orm', 'redis') if k in settings.Q_CLUSTER)}))\n"
    )
    environment = {**os.environ, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "cache": "django.core.cache.backends.redis.RedisCache",
        "broker": ["redis"],
    }
    assert [key.decode() for key in redis_db.keys("*fault-suite-probe")] == [":1:fault-suite-probe"], (
        "Django's cache wrote to Redis"
    )


@pytest.mark.cluster
def test_a_cluster_on_the_redis_broker_runs_the_enrichment_of_a_posted_ticket(
    redis_db, worker, model, source_with_key, monkeypatch
):
    cluster = worker(REDIS_URL=REDIS_URL)
    # This process enqueues as a web process with REDIS_URL set would: on the Redis broker.
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", REDIS_URL)

    response = SourceClient(source_with_key.api_key).post("/api/v1/tickets", ticket_payload())
    assert response.status_code == 201
    ticket_id = response.json()["id"]

    enrichment = wait_until(
        lambda: Enrichment.objects.filter(ticket_id=ticket_id, status=Enrichment.Status.DONE).first(),
        message="the cluster on the Redis broker to enrich the ticket",
    )
    assert (enrichment.provider, enrichment.category) == ("anthropic", "billing")
    assert model.request_count == 1
    assert not OrmQ.objects.exists(), "nothing went through the ORM broker"
    assert redis_db.llen("django_q:supportai:q") == 0, "the task was taken off the Redis queue"
    task = wait_until(
        lambda: Success.objects.filter(func="ai_enrichment.tasks.enrich_ticket").first(),
        message="the cluster to record the task's result",
    )
    assert task.args == (ticket_id,)
    assert redis_db.keys("django_q:supportai:cluster:*"), "the cluster's heartbeat is in Redis"
    assert cluster.poll() is None
