"""Fixtures for the pipeline: the real anthropic SDK against a fake Messages API on 127.0.0.1."""

import pytest

from tests.fakes import CallbackReceiver, FakeAnthropic, FakeOpenAI, Reply
from tickets.services import source_create, ticket_ingest


def good_answer(**overrides) -> dict:
    answer = {
        "category": "billing",
        "priority": "high",
        "summary": "The customer was charged twice for invoice INV-2031 and wants one charge refunded.",
        "suggested_reply": "Hello María, thank you for telling us. I can see the two charges and have asked our billing team to refund one. Support team",
        "confidence": 0.86,
        "language": "en",
        "sentiment": "negative",
    }
    answer.update(overrides)
    return answer


@pytest.fixture
def fake_claude(settings):
    """A fake Claude that answers well unless a test scripts otherwise; fast retries for tests."""
    with FakeAnthropic(default=Reply(tool_input=good_answer())) as fake:
        settings.ANTHROPIC_API_KEY = "test-key"
        settings.ANTHROPIC_BASE_URL = fake.base_url
        settings.AI_PROVIDER_CHAIN = ["anthropic"]
        settings.AI_RETRY_BASE_DELAY = 0.01
        settings.AI_RETRY_MAX_DELAY = 0.05
        settings.AI_TIMEOUT_SECONDS = 2
        yield fake


@pytest.fixture
def fake_openai(settings):
    with FakeOpenAI(default=Reply(tool_input=good_answer(category="technical"))) as fake:
        settings.OPENAI_COMPAT_BASE_URL = f"{fake.base_url}/v1"
        settings.OPENAI_COMPAT_MODEL = "llama-3.1-8b-instruct"
        settings.OPENAI_COMPAT_API_KEY = "local-key"
        yield fake


@pytest.fixture
def callback_receiver():
    with CallbackReceiver() as receiver:
        yield receiver


@pytest.fixture
def desk(db):
    """A source that signs: its requests are verified and its callbacks signed."""
    return source_create(name="Acme Helpdesk", slug="acme", signing_secret="callback-secret").source


@pytest.fixture
def make_ticket(desk):
    def make(external_id="ZD-1", **fields):
        defaults = {
            "subject": "Charged twice",
            "body": "My card was charged twice for invoice INV-2031. Please refund one.",
            "customer_email": "maria@example.com",
            "customer_name": "María Pérez",
        }
        return ticket_ingest(source=desk, external_id=external_id, **{**defaults, **fields}).ticket

    return make
