"""The fault suite's stage: real HTTP ingest (the live server), a real django-q2 cluster process, the
real anthropic SDK against a fake Messages API, a fake embeddings endpoint (so no worker spends 15 s
loading MiniLM) and a callback receiver, all on 127.0.0.1. Scenarios script the faults; every one ends
with `invariants.assert_nothing_lost`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

import httpx
import pytest

from tests.ai_enrichment.conftest import good_answer
from tests.fakes import CallbackReceiver, FakeAnthropic, FakeOpenAI, Reply
from tests.reliability.invariants import SUITE_FIGURES
from tickets.models import Source
from tickets.services import source_create

SIGNING_SECRET = "fault-suite-secret"


@pytest.fixture
def model():
    with FakeAnthropic(default=Reply(tool_input=good_answer())) as fake:
        yield fake


@pytest.fixture
def embeddings():
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def receiver():
    with CallbackReceiver() as fake:
        yield fake


@pytest.fixture
def desk_created(django_db_serialized_rollback, transactional_db, receiver):
    """A signing source whose callbacks go to the receiver (committed: the worker is another process)."""
    return source_create(
        name="Fault desk",
        slug="fault-desk",
        signing_secret=SIGNING_SECRET,
        callback_url=f"{receiver.base_url}/hooks/ai",
    )


@pytest.fixture
def desk(desk_created) -> Source:
    return desk_created.source


@pytest.fixture
def desk_key(desk_created) -> str:
    return desk_created.api_key


@pytest.fixture
def worker(start_q_cluster, model, embeddings):
    """Start a cluster wired to the fakes, with retries and leases short enough for a test."""

    def start(**env):
        base = {
            "ANTHROPIC_API_KEY": "fault-suite",
            "ANTHROPIC_BASE_URL": model.base_url,
            "AI_PROVIDER_CHAIN": "anthropic",
            "EMBEDDING_BACKEND": "openai_compatible",
            "EMBEDDING_BASE_URL": f"{embeddings.base_url}/v1",
            "EMBEDDING_API_KEY": "fault-suite",
            "EMBEDDING_MODEL": "fake-embeddings",
            "AI_RETRY_BASE_DELAY": "0.05",
            "AI_RETRY_MAX_DELAY": "0.5",
            "AI_TIMEOUT_SECONDS": "1",
            "AI_DEADLINE_SECONDS": "8",
            "AI_ENRICHMENT_BATCH": "8",
            "CALLBACK_RETRY_BASE_SECONDS": "0.5",
            "CALLBACK_TIMEOUT_SECONDS": "2",
            "Q_WORKERS": "2",
            "LOG_LEVEL": "WARNING",
        }
        return start_q_cluster(**{**base, **{key: str(value) for key, value in env.items()}})

    return start


@dataclass
class Delivery:
    external_id: str
    statuses: list[int]

    @property
    def accepted(self) -> bool:
        return bool(self.statuses) and self.statuses[-1] in (200, 201)


class Sender:
    """A source system posting signed tickets over real HTTP, as an external system would."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0):
        self.url = f"{base_url}/api/v1/tickets"
        self.api_key = api_key
        self.timeout = timeout

    def post(self, payload: dict, client: httpx.Client | None = None) -> httpx.Response:
        body = json.dumps(payload).encode()
        signature = hmac.new(SIGNING_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Content-Type": "application/json",
            "X-Signature": f"sha256={signature}",
        }
        if client is None:
            return httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
        return client.post(self.url, content=body, headers=headers, timeout=self.timeout)

    def deliver(self, payload: dict, *, attempts: int = 20, client: httpx.Client | None = None) -> Delivery:
        """Post until accepted, retrying what the API says to retry (429, 503) and dropped connections,
        a bounded number of times; every status seen is kept. Retry-After is honoured up to 0.5 s to
        keep the suite short."""
        delivery = Delivery(payload["external_id"], [])
        for _ in range(attempts):
            try:
                response = self.post(payload, client)
            except httpx.TransportError:
                delivery.statuses.append(0)
                time.sleep(0.1)
                continue
            delivery.statuses.append(response.status_code)
            if response.status_code not in (429, 503):
                break
            time.sleep(min(float(response.headers.get("Retry-After", "0.2")), 0.5))
        return delivery


@pytest.fixture
def sender(live_server, desk_key) -> Sender:
    return Sender(live_server.url, desk_key)


@pytest.fixture
def gunicorn_url(desk) -> str:
    """The app under gunicorn, as `make run` serves it (sync workers, the kernel's listen backlog),
    on this test's database: for load the in-process live server was never built to take."""
    import socket
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import environment_for_test_database, wait_until

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--log-level", "warning"],
        cwd=root,
        env=environment_for_test_database(),
    )

    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    try:
        wait_until(listening, timeout=30, message="gunicorn to listen")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def fault_payload(external_id: str, **overrides) -> dict:
    payload = {
        "external_id": external_id,
        "subject": f"Charged twice ({external_id})",
        "body": f"Hello, my card was charged twice for invoice {external_id}. Please refund one.",
        "customer": {
            "external_id": f"cus-{external_id}",
            "email": "maria@example.com",
            "name": "María Pérez",
        },
        "language": "en",
        "channel": "email",
    }
    payload.update(overrides)
    return payload


def pytest_terminal_summary(terminalreporter):
    """The suite's figures, for BENCHMARKS.md ("Fault suite")."""
    if not SUITE_FIGURES:
        return
    terminalreporter.section("fault suite figures")
    for f in SUITE_FIGURES:
        terminalreporter.write_line(
            f"{f.scenario}: sent {f.tickets_sent}, faults {f.faults_injected}, stored {f.tickets_stored}, "
            f"lost {f.lost}, duplicates {f.duplicates}, enrichments {f.enrichments}, "
            f"AI calls {f.ai_calls}, callbacks delivered {f.callbacks_delivered}"
        )
    total = sum(f.tickets_sent for f in SUITE_FIGURES)
    faults = sum(f.faults_injected for f in SUITE_FIGURES)
    lost = sum(f.lost for f in SUITE_FIGURES)
    duplicates = sum(f.duplicates for f in SUITE_FIGURES)
    terminalreporter.write_line(
        f"total: tickets sent {total}, faults injected {faults}, lost {lost}, duplicates {duplicates}"
    )
