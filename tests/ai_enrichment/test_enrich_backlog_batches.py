"""`manage.py enrich_backlog --batch`: the same prompts as the pipeline go out in a Message Batch, the
results are applied once (idempotently) with the batch price accounted, errored results fall back to
the local model, and personal data never reaches the provider. Real SDK, fake Batches API."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_q.models import Schedule

from ai_enrichment import tasks
from ai_enrichment.accounting import cost_usd
from ai_enrichment.models import AIBatch, AICall, AISpend, Enrichment
from ai_enrichment.pipeline import enrich_ticket_batch
from ai_enrichment.providers.base import Usage
from tests.ai_enrichment.backlog_helpers import old_ticket
from tests.ai_enrichment.conftest import good_answer
from tests.fakes import Reply
from tickets.services import ticket_ingest


def run(*args) -> str:
    out = StringIO()
    call_command("enrich_backlog", *args, stdout=out)
    return out.getvalue()


def batch_posts(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path == "/v1/messages/batches"]


def current(ticket) -> Enrichment:
    return Enrichment.objects.get(ticket=ticket, is_current=True)


def test_tickets_wait_in_a_batch_and_its_results_are_applied_at_half_price(make_ticket, fake_claude):
    tickets = [old_ticket(make_ticket, f"OLD-{n}", days_ago=n) for n in (1, 2)]

    output = run("--batch")

    batch = AIBatch.objects.get()
    assert f"Sent Message Batch {batch.provider_batch_id} with 2 requests." in output
    assert (batch.status, batch.requests, batch.prompt_version) == ("in_progress", 2, "enrich-v3")
    [post] = batch_posts(fake_claude)
    waiting = [current(ticket) for ticket in tickets]
    assert [item["custom_id"] for item in post.json["requests"]] == [f"enrichment-{e.pk}" for e in waiting]
    assert {(e.status, e.trigger) for e in waiting} == {("batched", "backfill")}
    assert not [r for r in fake_claude.requests if r.path == "/v1/messages"], "nothing sent one by one"

    assert "0 Message Batches applied, 1 still in progress" in run("--collect")
    fake_claude.finish_batches()
    assert run("--collect").strip() == (
        "1 Message Batch applied, 0 still in progress; enrichments finished: 2 done."
    )

    batch.refresh_from_db()
    assert (batch.status, batch.succeeded, batch.errored) == ("applied", 2, 0)
    for ticket in tickets:
        enrichment = current(ticket)
        assert (enrichment.status, enrichment.provider, enrichment.category) == (
            "done",
            "anthropic",
            "billing",
        )
        assert enrichment.suggested_reply == good_answer()["suggested_reply"]
        [call] = enrichment.ai_calls.all()
        assert (call.status, call.batch_id, call.latency_ms) == ("ok", batch.pk, 0)
        usage = Usage(
            input_tokens=call.input_tokens,
            output_tokens=call.output_tokens,
            cache_read_tokens=call.cache_read_tokens,
            cache_write_tokens=call.cache_write_tokens,
        )
        assert call.cost_usd > 0
        assert call.cost_usd == pytest.approx(
            cost_usd(model=call.model, usage=usage) / 2, abs=Decimal("0.000002")
        )


def test_the_batch_request_is_the_request_the_pipeline_sends(make_ticket, fake_claude):
    ticket = old_ticket(make_ticket, "OLD", enrichment="pending")
    enrich_ticket_batch(ticket_id=ticket.pk)
    [single] = [r for r in fake_claude.requests if r.path == "/v1/messages"]
    Enrichment.objects.filter(ticket=ticket).update(status="failed")

    run("--batch")

    [post] = batch_posts(fake_claude)
    assert post.json["requests"][0]["params"] == single.json


def test_applying_results_twice_changes_nothing(make_ticket, fake_claude, desk):
    desk.ai_budget_daily_usd = Decimal("10.00")
    desk.save()
    tickets = [old_ticket(make_ticket, f"OLD-{n}", days_ago=n) for n in (1, 2)]
    run("--batch")
    fake_claude.finish_batches()
    run("--collect")
    applied = {e.pk: (e.status, e.finished_at, e.claims) for e in Enrichment.objects.all()}
    spend = AISpend.objects.get(source=desk, period="day")
    assert spend.reserved_usd == 0
    assert spend.spent_usd == sum(call.cost_usd for call in AICall.objects.all()) > 0

    # Another collector that read the batch as still in progress applies the same results again.
    AIBatch.objects.update(status="in_progress")
    assert "enrichments finished: none" in run("--collect")

    assert {e.pk: (e.status, e.finished_at, e.claims) for e in Enrichment.objects.all()} == applied
    assert AICall.objects.count() == 2
    assert AISpend.objects.get(source=desk, period="day").spent_usd == spend.spent_usd
    assert all(current(ticket).status == "done" for ticket in tickets)


def test_a_result_for_a_ticket_that_changed_meanwhile_is_discarded(make_ticket, fake_claude, desk):
    ticket = old_ticket(make_ticket, "OLD")
    run("--batch")
    batched = current(ticket)
    ticket_ingest(source=desk, external_id="OLD", subject="Charged twice", body="Now three times!")
    newer = current(ticket)
    fake_claude.finish_batches()

    run("--collect")

    batched.refresh_from_db()
    assert batched.status == "superseded" and batched.summary == ""
    newer.refresh_from_db()
    assert newer.status == "pending", "the newer request is the workers' to answer"


def test_errored_results_fall_back_to_the_local_model(make_ticket, fake_claude, settings):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "local"]
    fake_claude.script(Reply.overloaded(), Reply(tool_input=good_answer()))
    first, second = old_ticket(make_ticket, "OLD-1", days_ago=1), old_ticket(make_ticket, "OLD-2", days_ago=2)
    run("--batch")
    fake_claude.finish_batches()

    assert "enrichments finished: 1 done, 1 fallback" in run("--collect")

    fell_back = current(first)
    assert (fell_back.status, fell_back.provider) == ("fallback", "local")
    assert fell_back.status_reason.startswith(
        "Answered by local because anthropic failed its batch request (overloaded_error: Overloaded)"
    )
    error_call = fell_back.ai_calls.get(provider="anthropic")
    assert (error_call.status, error_call.error_class, error_call.cost_usd) == ("error", "BatchErrored", 0)
    assert current(second).status == "done"
    assert AIBatch.objects.get().errored == 1


def test_an_errored_result_with_nothing_to_fall_back_to_fails_with_the_reason(make_ticket, fake_claude):
    ticket = old_ticket(make_ticket, "OLD")
    fake_claude.script(Reply.server_error())
    run("--batch")
    fake_claude.finish_batches()

    run("--collect")

    failed = current(ticket)
    assert failed.status == "failed"
    assert "anthropic failed its batch request (api_error: Internal server error)" in failed.status_reason


def test_an_invalid_batch_answer_is_never_stored(make_ticket, fake_claude, settings):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "local"]
    fake_claude.script(Reply(tool_input=good_answer(category="astrology")))
    ticket = old_ticket(make_ticket, "OLD")
    run("--batch")
    fake_claude.finish_batches()

    run("--collect")

    enrichment = current(ticket)
    assert (enrichment.status, enrichment.provider) == ("fallback", "local")
    assert "gave an unusable batch answer" in enrichment.status_reason
    assert enrichment.ai_calls.get(provider="anthropic").status == "invalid_output"


EMAIL = "maria.perez@example.com"
PHONE = "+1 415 555 0123"
CARD = "4111 1111 1111 1111"


def test_personal_data_never_reaches_the_provider_and_agents_see_the_originals(make_ticket, fake_claude):
    ticket = old_ticket(
        make_ticket,
        "OLD",
        body=f"Charged twice on card {CARD}. Call me on {PHONE} or write to {EMAIL}.",
        customer_email=EMAIL,
    )
    fake_claude.script(
        Reply(tool_input=good_answer(suggested_reply="Hello, we will write to you at <EMAIL_1> today."))
    )

    run("--batch")
    fake_claude.finish_batches()
    run("--collect")

    sent = fake_claude.all_text()
    assert [value for value in (EMAIL, PHONE, CARD, CARD.replace(" ", "")) if value in sent] == []
    assert "<EMAIL_1>" in sent and "<CARD_1>" in sent
    enrichment = current(ticket)
    assert enrichment.status == "done"
    assert enrichment.suggested_reply == f"Hello, we will write to you at {EMAIL} today."
    assert enrichment.ai_calls.get().redactions == {"email": 1, "phone": 1, "card": 1}


def test_tickets_the_routing_keeps_off_anthropic_are_not_batched(make_ticket, fake_claude, settings, desk):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "local"]
    desk.is_sensitive = True
    desk.save()
    ticket = old_ticket(make_ticket, "OLD")

    output = run("--batch")

    assert "Not batched (routing keeps them off Anthropic, a budget, or nothing to do): 1 done." in output
    assert "No Message Batch was needed." in output
    assert (current(ticket).status, current(ticket).provider) == ("done", "local")
    assert fake_claude.request_count == 0


def test_wait_polls_until_the_batch_has_ended(make_ticket, fake_claude):
    fake_claude.auto_finish_batches = True
    ticket = old_ticket(make_ticket, "OLD")

    output = run("--batch", "--wait", "--poll-interval", "0")

    assert "ended: results applied" in output
    assert output.strip().endswith(
        "1 Message Batch applied, 0 still in progress; enrichments finished: 1 done."
    )
    assert current(ticket).status == "done"


def test_wait_gives_up_after_its_timeout_and_leaves_the_batch_to_the_collector(make_ticket, fake_claude):
    old_ticket(make_ticket, "OLD")

    output = run("--batch", "--wait", "--poll-interval", "0.05", "--wait-timeout", "0.2")

    assert "0 Message Batches applied, 1 still in progress" in output
    assert AIBatch.objects.get().status == "in_progress"


def test_the_scheduled_collector_applies_ended_batches(make_ticket, fake_claude):
    assert Schedule.objects.filter(func="ai_enrichment.tasks.collect_message_batches", minutes=5).exists()
    ticket = old_ticket(make_ticket, "OLD")
    run("--batch")
    assert tasks.collect_message_batches() == 0
    fake_claude.finish_batches()

    assert tasks.collect_message_batches() == 1
    assert current(ticket).status == "done"


def test_a_batch_that_cannot_be_sent_fails_its_tickets_and_frees_their_budget(
    make_ticket, fake_claude, desk, settings
):
    desk.ai_budget_daily_usd = Decimal("10.00")
    desk.save()
    ticket = old_ticket(make_ticket, "OLD")
    fake_claude.stop()  # nothing listens there any more

    with pytest.raises(CommandError, match="Anthropic refused or did not take the batch"):
        run("--batch")

    failed = current(ticket)
    assert failed.status == "failed"
    assert "could not send its batch" in failed.status_reason
    assert AISpend.objects.get(source=desk, period="day").reserved_usd == 0
    assert not AIBatch.objects.exists()


def test_batch_size_splits_the_tickets_into_several_batches(make_ticket, fake_claude):
    tickets = [old_ticket(make_ticket, f"OLD-{n}", days_ago=n) for n in (1, 2, 3)]

    run("--batch", "--batch-size", "2")

    assert sorted(AIBatch.objects.values_list("requests", flat=True)) == [1, 2]
    assert [len(post.json["requests"]) for post in batch_posts(fake_claude)] == [2, 1]
    fake_claude.finish_batches()
    assert "2 Message Batches applied" in run("--collect")
    assert {current(ticket).status for ticket in tickets} == {"done"}


def test_a_collector_out_of_time_leaves_the_rest_to_the_next_one(make_ticket, fake_claude):
    from ai_enrichment.backlog import backlog_batches_collect

    tickets = [old_ticket(make_ticket, f"OLD-{n}", days_ago=n) for n in (1, 2)]
    run("--batch")
    fake_claude.finish_batches()

    stopped = backlog_batches_collect(time_budget_seconds=0)

    assert (len(stopped.ended), len(stopped.in_progress)) == (0, 1)
    assert {current(ticket).status for ticket in tickets} == {"batched"}
    assert len(backlog_batches_collect(time_budget_seconds=60).ended) == 1
    assert {current(ticket).status for ticket in tickets} == {"done"}


def test_a_backfill_that_died_before_sending_leaves_tickets_the_collector_fails(make_ticket, fake_claude):
    from datetime import timedelta

    from django.utils import timezone

    ticket = old_ticket(make_ticket, "OLD", enrichment="batched")
    Enrichment.objects.filter(ticket=ticket).update(started_at=timezone.now() - timedelta(hours=7))
    fresh = old_ticket(make_ticket, "FRESH", enrichment="batched")
    Enrichment.objects.filter(ticket=fresh).update(started_at=timezone.now())

    assert "enrichments finished: 1 failed" in run("--collect")

    assert "stopped before it sent this ticket" in current(ticket).status_reason
    assert current(fresh).status == "batched", "maybe still being prepared"


def test_batch_answers_fill_the_answer_cache_and_cached_tickets_are_not_batched(
    make_ticket, fake_claude, settings
):
    settings.AI_ANSWER_CACHE_TTL_SECONDS = 3600
    first = old_ticket(
        make_ticket, "OLD-1", subject="Invoice PDF is blank", body="The PDF of my invoice is blank."
    )
    run("--batch")
    fake_claude.finish_batches()
    run("--collect")
    assert current(first).status == "done"

    # The same question again, later: the pipeline would answer it from the cache, so it is not batched.
    second = old_ticket(
        make_ticket, "OLD-2", subject="Invoice PDF is blank", body="The PDF of my invoice is blank."
    )
    output = run("--batch")

    assert "No Message Batch was needed." in output
    assert len(batch_posts(fake_claude)) == 1
    served = current(second)
    assert served.status == "done"
    assert served.ai_calls.get().status == "cache_hit"
