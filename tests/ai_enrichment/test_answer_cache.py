"""The answer cache, through the real pipeline and the real SDK against the fake Claude: an exact
repeat of a prompt and a near-identical ticket are answered without a request, recorded as cache hits,
and the cache never serves an answer across what makes two tickets different."""

from datetime import timedelta

import numpy as np
import pytest
from django.core.cache import caches
from django.utils import timezone

from ai_enrichment.answer_cache import answer_cache_sweep
from ai_enrichment.models import AICall, CachedAnswer, Category, Enrichment, TicketEmbedding
from ai_enrichment.pipeline import enrich_ticket_batch
from ai_enrichment.services import enrichment_request
from tests.ai_enrichment.conftest import good_answer
from tests.fakes import Reply
from tickets.models import Ticket
from tickets.services import source_create, ticket_ingest, tickets_purge

GENERIC = good_answer(
    summary="The password reset e-mail does not arrive.",
    suggested_reply="Hello, please check your spam folder; we have sent a new reset link. Support team",
)
RESET = {"subject": "Password reset email", "body": "The password reset email never arrives in my inbox."}
RESET_AGAIN = {
    "subject": "Password reset e-mail",
    "body": "The password reset email never arrives in my inbox!",
}


@pytest.fixture(autouse=True)
def answer_cache_on(settings):
    settings.AI_ANSWER_CACHE_TTL_SECONDS = 3600
    settings.AI_SEMANTIC_CACHE_THRESHOLD = 0.95


@pytest.fixture
def fake_claude(fake_claude):
    fake_claude.default = Reply(tool_input=GENERIC)
    return fake_claude


def enrich(ticket: Ticket) -> Enrichment:
    enrich_ticket_batch(ticket_id=ticket.id)
    return Enrichment.objects.get(ticket=ticket, is_current=True)


def similarity(first: Ticket, second: Ticket) -> float:
    vectors = TicketEmbedding.objects.filter(ticket__in=[first, second]).values_list("embedding", flat=True)
    return float(np.dot(*[np.array(vector) for vector in vectors]))


def test_a_second_ticket_with_the_same_redacted_prompt_is_answered_from_the_cache_with_its_own_data(
    fake_claude, make_ticket
):
    def echo_email(request):
        return Reply(
            tool_input=good_answer(suggested_reply="Hello, we will write to <EMAIL_1> today. Support team")
        )

    fake_claude.script(echo_email)
    first = make_ticket("ZD-1", **RESET, customer_email="ana@example.com", customer_name="")
    second = make_ticket("ZD-2", **RESET, customer_email="bo@example.org", customer_name="")

    assert enrich(first).suggested_reply == "Hello, we will write to ana@example.com today. Support team"
    served = enrich(second)

    assert len(fake_claude.requests) == 1, "the second ticket sent nothing"
    assert served.status == Enrichment.Status.DONE
    assert served.suggested_reply == "Hello, we will write to bo@example.org today. Support team"
    assert "answer cache" in served.status_reason
    hit = AICall.objects.get(ticket=second)
    assert (hit.status, hit.cache, hit.cost_usd, hit.input_tokens) == ("cache_hit", "exact", 0, 0)
    assert hit.input_hash == AICall.objects.get(ticket=first).input_hash, "the same prompt"


def test_an_agent_who_asks_again_gets_a_fresh_answer_which_replaces_the_cached_one(fake_claude, make_ticket):
    ticket = make_ticket("ZD-1", **RESET)
    enrich(ticket)
    fake_claude.script(Reply(tool_input=good_answer(summary="A better summary.")))

    enrichment_request(ticket=ticket, trigger=Enrichment.Trigger.REGENERATE)
    assert enrich(ticket).summary == "A better summary."
    assert len(fake_claude.requests) == 2

    enrichment_request(ticket=ticket, trigger=Enrichment.Trigger.UPDATED)
    assert enrich(ticket).summary == "A better summary.", "served from the cache, the fresh one"
    assert len(fake_claude.requests) == 2
    assert CachedAnswer.objects.count() == 1


def test_a_changed_ticket_a_changed_taxonomy_or_prompt_version_and_an_expired_answer_all_miss(
    fake_claude, make_ticket, settings
):
    ticket = make_ticket("ZD-1", **RESET)
    enrich(ticket)

    ticket_ingest(source=ticket.source, external_id="ZD-1", **{**RESET, "body": RESET["body"] + " Still."})
    enrich(ticket)
    assert len(fake_claude.requests) == 2, "the ticket changed"

    Category.objects.filter(slug="billing").update(description="Invoices, charges and refunds only.")
    enrichment_request(ticket=ticket, trigger=Enrichment.Trigger.UPDATED)
    enrich(ticket)
    assert len(fake_claude.requests) == 3, "the taxonomy changed"

    settings.AI_PROMPT_VERSION = "enrich-v2"
    enrichment_request(ticket=ticket, trigger=Enrichment.Trigger.UPDATED)
    enrich(ticket)
    assert len(fake_claude.requests) == 4, "the prompt version changed"

    CachedAnswer.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    enrichment_request(ticket=ticket, trigger=Enrichment.Trigger.UPDATED)
    enrich(ticket)
    assert len(fake_claude.requests) == 5, "expired"
    assert answer_cache_sweep() == 3, "the sweep deletes the expired answers and keeps the fresh one"
    assert CachedAnswer.objects.count() == 1


def test_a_near_identical_ticket_of_the_same_source_reuses_the_answer(fake_claude, make_ticket):
    first = make_ticket("ZD-1", **RESET, customer_email="ana@example.com")
    enrich(first)
    second = make_ticket("ZD-2", **RESET_AGAIN, customer_email="bo@example.org")

    served = enrich(second)

    assert len(fake_claude.requests) == 1
    assert similarity(first, second) >= 0.95
    assert served.suggested_reply == GENERIC["suggested_reply"]
    assert f"near-identical ticket #{first.pk}" in served.status_reason
    assert AICall.objects.get(ticket=second).cache == "semantic"


def test_another_source_never_reuses_an_answer(fake_claude, make_ticket):
    enrich(make_ticket("ZD-1", **RESET))
    other = source_create(name="Other desk", slug="other").source
    enrich(ticket_ingest(source=other, external_id="ZD-1", **RESET_AGAIN).ticket)

    assert len(fake_claude.requests) == 2


def test_a_ticket_that_says_the_opposite_is_not_served_the_answer_of_its_look_alike(fake_claude, make_ticket):
    wants = make_ticket("ZD-1", subject="Cancel subscription", body="I want to cancel my subscription.")
    enrich(wants)
    does_not = make_ticket(
        "ZD-2", subject="Cancel subscription", body="I do not want to cancel my subscription."
    )
    enrich(does_not)
    twice = make_ticket("ZD-3", subject="Charged twice", body="I was charged 2 times for invoice 1001.")
    enrich(twice)
    thrice = make_ticket("ZD-4", subject="Charged twice", body="I was charged 3 times for invoice 1001.")
    enrich(thrice)

    assert similarity(wants, does_not) >= 0.95, "close enough to match on the embedding alone"
    assert similarity(twice, thrice) >= 0.95
    assert len(fake_claude.requests) == 4


def test_an_answer_that_names_its_customer_is_reused_only_for_that_customer(fake_claude, make_ticket):
    fake_claude.default = Reply(tool_input={**GENERIC, "suggested_reply": "Hello María, we sent a new link."})
    enrich(make_ticket("ZD-1", **RESET, customer_email="maria@example.com", customer_name="María Pérez"))

    fake_claude.script(Reply(tool_input={**GENERIC, "suggested_reply": "Hello Bob, we sent a new link."}))
    other = enrich(
        make_ticket("ZD-2", **RESET_AGAIN, customer_email="bob@example.org", customer_name="Bob Stone")
    )
    assert len(fake_claude.requests) == 2, "another customer's name is never reused"
    assert other.suggested_reply == "Hello Bob, we sent a new link."

    same = make_ticket(
        "ZD-3",
        subject=RESET_AGAIN["subject"],
        body=RESET_AGAIN["body"] + " ",
        customer_email="maria@example.com",
        customer_name="María Pérez",
    )
    enrich(same)
    assert len(fake_claude.requests) == 2, "the same customer gets it"
    assert AICall.objects.get(ticket=same).cache == "semantic"
    assert Enrichment.objects.get(ticket=same).suggested_reply == "Hello María, we sent a new link."
    assert set(CachedAnswer.objects.values_list("reuse", flat=True)) == {CachedAnswer.Reuse.CUSTOMER}


def test_without_redaction_an_answer_quoting_the_tickets_personal_data_stays_with_its_customer(
    fake_claude, make_ticket
):
    ticket = make_ticket(
        "ZD-1",
        subject=RESET["subject"],
        body=RESET["body"] + " Call me on +1 415 555 0123.",
        customer_name="",
    )
    ticket.source.redact_pii = False
    ticket.source.save(update_fields=["redact_pii"])
    fake_claude.default = Reply(
        tool_input={**GENERIC, "suggested_reply": "We will call +1 415 555 0123 today."}
    )

    enrich(ticket)

    assert CachedAnswer.objects.get().reuse == CachedAnswer.Reuse.CUSTOMER


def test_an_answer_with_placeholders_is_only_reused_for_the_same_prompt(fake_claude, make_ticket):
    fake_claude.default = Reply(tool_input={**GENERIC, "summary": "Reset mail to <EMAIL_1> never arrives."})
    enrich(make_ticket("ZD-1", **RESET, customer_email="ana@example.com"))
    enrich(make_ticket("ZD-2", **RESET_AGAIN, customer_email="ana@example.com"))

    assert len(fake_claude.requests) == 2
    assert set(CachedAnswer.objects.values_list("reuse", flat=True)) == {CachedAnswer.Reuse.NOBODY}


def test_the_local_model_answers_are_not_cached(fake_claude, make_ticket, settings):
    settings.AI_PROVIDER_CHAIN = ["local"]
    enrich(make_ticket("ZD-1", **RESET))

    assert CachedAnswer.objects.count() == 0


def test_a_purge_deletes_the_cached_answers_of_the_customer(fake_claude, make_ticket):
    ticket = make_ticket("ZD-1", **RESET)
    enrich(ticket)

    result = tickets_purge(
        tickets=Ticket.objects.filter(pk=ticket.pk), requested_via="cli", requested_by="test"
    )

    assert result.counts["ai_enrichment.CachedAnswer"] == 1
    assert CachedAnswer.objects.count() == 0


@pytest.fixture
def redis_cache(settings):
    """Django's cache on the machine's Redis, in a database of its own, emptied before and after."""
    redis_url = "redis://127.0.0.1:6379/13"
    settings.REDIS_URL = redis_url
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    try:
        caches["default"].clear()
    except Exception as error:  # noqa: BLE001 (any connection error means: no Redis here)
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379 ({error})")
    yield caches["default"]
    caches["default"].clear()


def test_with_redis_an_exact_hit_is_served_from_redis_and_a_purge_removes_it_there(
    fake_claude, make_ticket, redis_cache
):
    first = make_ticket("ZD-1", **RESET, customer_name="", customer_email="ana@example.com")
    enrich(first)
    key = CachedAnswer.objects.get().key
    assert redis_cache.get(f"ai-answer:{key}")["answer"] == GENERIC

    second = make_ticket("ZD-2", **RESET, customer_name="", customer_email="bo@example.org")
    enrich(second)
    assert len(fake_claude.requests) == 1
    assert AICall.objects.get(ticket=second).cache == "exact"

    tickets_purge(tickets=Ticket.objects.filter(pk=first.pk), requested_via="cli", requested_by="test")
    assert redis_cache.get(f"ai-answer:{key}") is None
