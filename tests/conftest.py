"""Shared fixtures. Tests run on the real PostgreSQL + pgvector (the embedded server unless
DATABASE_URL is set) and the real django-q2; only what lies outside this machine is faked."""

import contextlib
import hashlib
import hmac
import json
import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tickets.services import source_create


@pytest.fixture(autouse=True)
def test_settings(settings):
    # Batches run on threads, whose connections cannot see the rows of a test's transaction; tests of
    # batching set AI_ENRICHMENT_BATCH themselves, with committed data.
    settings.AI_ENRICHMENT_BATCH = 1
    # Each test sees the dashboard figures of its own data (tests of the cache switch it on).
    settings.DASHBOARD_CACHE_SECONDS = 0
    # Tests change labels with update() and roll back; each reads the taxonomy fresh (see its own test).
    settings.TAXONOMY_CACHE_SECONDS = 0
    # Likewise the local model's trained half: a test that refits sees its fit at once.
    settings.LABEL_MODEL_CHECK_SECONDS = 0
    # Tests send look-alike tickets and ask for the same ticket twice: each must reach the fake provider
    # (tests of the answer cache switch it on).
    settings.AI_ANSWER_CACHE_TTL_SECONDS = 0
    # Failed logins are kept in files under var/ that outlive a test: each test starts with none.
    from django.core.cache import caches

    caches["login_attempts"].clear()
    # Passwords in tests protect nothing: a fast hash keeps the many logins of the suite cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files from the source folders (no collectstatic manifest needed to render a page).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def source_with_key(db):
    """A source and its API key (the key exists only here: the database keeps its hash)."""
    return source_create(name="Acme Helpdesk", slug="acme")


@pytest.fixture
def source(source_with_key):
    return source_with_key.source


class SourceClient:
    """An API client that speaks as one source: bearer key, optional HMAC signature."""

    def __init__(self, api_key: str, signing_secret: str = ""):
        self.client = APIClient()
        self.api_key = api_key
        self.signing_secret = signing_secret

    def post_raw(self, path: str, body: bytes, content_type: str = "application/json", **headers):
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.api_key}")
        if self.signing_secret and "HTTP_X_SIGNATURE" not in headers:
            digest = hmac.new(self.signing_secret.encode(), body, hashlib.sha256).hexdigest()
            headers["HTTP_X_SIGNATURE"] = f"sha256={digest}"
        return self.client.generic("POST", path, body, content_type=content_type, **headers)

    def post(self, path: str, payload, **headers):
        return self.post_raw(path, json.dumps(payload).encode(), **headers)

    def get(self, path: str, params=None, **headers):
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.api_key}")
        return self.client.get(path, params or {}, **headers)


@pytest.fixture
def source_client(source_with_key):
    return SourceClient(source_with_key.api_key)


def _embedded_pgdata():
    from pathlib import Path

    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS_EMBEDDED")
    return Path(options["PGDATA"]) if options else None


def pytest_sessionstart(session):
    from config import embedded_postgres

    pgdata = _embedded_pgdata()
    session.config.stash_embedded = pgdata is not None and not embedded_postgres.is_running(pgdata=pgdata)


def pytest_sessionfinish(session, exitstatus):
    """Leave the machine as the suite found it: stop the embedded server if the suite started it."""
    from config import embedded_postgres

    if getattr(session.config, "stash_embedded", False):
        embedded_postgres.stop(pgdata=_embedded_pgdata())


def ticket_payload(**overrides):
    payload = {
        "external_id": "ZD-1001",
        "subject": "Charged twice for March",
        "body": "Hello,\nmy card was charged twice for invoice INV-2031.\nCan you refund one of them?\n",
        "customer": {"external_id": "cus_1", "email": "maria@example.com", "name": "María Pérez"},
        "language": "en",
        "channel": "email",
    }
    payload.update(overrides)
    return payload


def environment_for_test_database() -> dict[str, str]:
    """Environment for a child process (worker, server) that must use this test session's database."""
    env = dict(os.environ)
    name = connection.settings_dict["NAME"]
    if env.get("DATABASE_URL"):
        base, _, _ = env["DATABASE_URL"].rpartition("/")
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env["EMBEDDED_DATABASE_NAME"] = name
    return env


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds.

    For conditions that another process brings about (a worker, a server), where there is no event to
    wait on. It returns as soon as the condition holds, so it never pads a test with fixed sleeps.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


@pytest.fixture
def start_q_cluster(django_db_serialized_rollback, transactional_db, tmp_path):
    """Start real django-q2 cluster processes (`manage.py qcluster`) on this test's database.

    Committed data is needed (the cluster is another process); serialized rollback restores what the
    migrations seeded (taxonomy, groups, schedules) after the flush of an earlier transactional test.

    Extra environment variables configure the worker (e.g. the fake provider's base URL). Every
    cluster started is stopped at the end of the test, and its output shown if the test failed.
    """
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    clusters = []

    def start(**env):
        # Output to a file, not a pipe read at the end: a fault scenario makes the cluster log pages of
        # tracebacks, and a full pipe would block every process of the cluster on its next log line.
        log = tmp_path / f"qcluster-{len(clusters)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=root,
                env={**environment_for_test_database(), **env},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: sentinel and workers are stopped with it
            )
        clusters.append((process, log))
        return process

    yield start
    for process, log in clusters:
        # SIGTERM to the main process only, as a supervisor should send it: it stops its sentinel and
        # workers in about 2 s. The same signal sent to the whole group at once deadlocks the main
        # process on a lock a dying child held, until the 20 s below run out.
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        # Then the whole group: a cluster whose sentinel or workers hang on the way out (a worker waiting
        # to flush a result queue nobody reads any more, after a database outage) must not outlive the test.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
        print(log.read_text(errors="replace"))  # shown by pytest when the test failed


@pytest.fixture
def q_cluster(start_q_cluster):
    return start_q_cluster()


@pytest.fixture
def sync_tasks(monkeypatch):
    """Run django-q2 tasks inline, as `Q_CLUSTER["sync"]` does (exceptions re-raise)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
