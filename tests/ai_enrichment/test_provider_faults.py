"""Every fault ends in a terminal state with a readable reason, the right number of attempts, and AICall
rows that match what the fake server saw. Nothing invalid is ever stored as if it were valid."""

import socket

import pytest

from ai_enrichment.models import AICall, Enrichment
from ai_enrichment.pipeline import enrich_ticket_batch
from tests.ai_enrichment.conftest import good_answer
from tests.fakes import Reply

Status = Enrichment.Status


def run(ticket) -> Enrichment:
    enrich_ticket_batch(ticket_id=ticket.id)
    return Enrichment.objects.get(ticket=ticket, is_current=True)


def calls():
    return list(AICall.objects.order_by("id").values_list("attempt", "is_repair", "status", "error_class"))


def test_broken_json_is_retried_then_succeeds(fake_claude, make_ticket):
    fake_claude.script(Reply(raw_body='{"id": "msg_1", "type": "message", "content": [{'))
    enrichment = run(make_ticket())
    assert enrichment.status == Status.DONE
    assert fake_claude.request_count == 2
    assert calls() == [(1, False, "error", "MalformedResponse"), (2, False, "ok", "")]


def test_an_unknown_label_gets_one_repair_that_says_what_was_wrong(fake_claude, make_ticket):
    fake_claude.script(Reply(tool_input=good_answer(category="refunds")))
    enrichment = run(make_ticket())
    assert (enrichment.status, enrichment.category) == (Status.DONE, "billing")
    assert calls() == [(1, False, "invalid_output", "InvalidOutput"), (1, True, "ok", "")]
    repair_request = fake_claude.requests[1].json["messages"]
    assert [m["role"] for m in repair_request] == ["user", "assistant", "user"]
    assert "'refunds' is not one of" in repair_request[2]["content"]
    assert '"refunds"' in repair_request[1]["content"], "the model sees its rejected answer"


@pytest.mark.parametrize(
    ("bad_answer", "problem"),
    [
        (good_answer(category="refunds"), "is not one of"),
        (good_answer(priority="urgent!!"), "is not one of"),
        (good_answer(suggested_reply="x" * 5000), "the limit is"),
        (good_answer(summary=""), "non-empty"),
        (good_answer(summary="One. Two. Three. Four."), "at most two sentences"),
        (good_answer(confidence=1.7), "from 0 to 1"),
        (good_answer(sentiment="furious"), "sentiment"),
    ],
)
def test_invalid_output_twice_fails_and_nothing_invalid_is_stored(
    fake_claude, make_ticket, bad_answer, problem
):
    fake_claude.default = Reply(tool_input=bad_answer)
    enrichment = run(make_ticket())
    assert enrichment.status == Status.FAILED
    assert "invalid output twice" in enrichment.status_reason
    assert problem in enrichment.status_reason
    assert (enrichment.category, enrichment.priority, enrichment.suggested_reply, enrichment.confidence) == (
        "",
        "",
        "",
        None,
    )
    assert fake_claude.request_count == 2
    assert calls() == [
        (1, False, "invalid_output", "InvalidOutput"),
        (1, True, "invalid_output", "InvalidOutput"),
    ]


def test_a_text_answer_instead_of_the_tool_is_repaired(fake_claude, make_ticket):
    fake_claude.script(Reply(text="Sure! This looks like a billing question."))
    enrichment = run(make_ticket())
    assert enrichment.status == Status.DONE
    assert "record_enrichment tool" in fake_claude.requests[1].json["messages"][2]["content"]


def test_invalid_output_falls_back_to_the_next_provider(fake_claude, fake_openai, make_ticket, settings):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "openai_compatible"]
    fake_claude.default = Reply(tool_input=good_answer(category="refunds"))
    enrichment = run(make_ticket())
    assert enrichment.status == Status.FALLBACK
    assert (enrichment.provider, enrichment.model, enrichment.category) == (
        "openai_compatible",
        "llama-3.1-8b-instruct",
        "technical",
    )
    assert "anthropic returned invalid output twice" in enrichment.status_reason
    sent = fake_openai.requests[0].json
    assert sent["response_format"]["json_schema"]["schema"]["properties"]["category"]["enum"][0] == "billing"
    assert sent["messages"][1]["content"].startswith("<ticket_data>")
    assert list(AICall.objects.values_list("provider", "status").order_by("id")) == [
        ("anthropic", "invalid_output"),
        ("anthropic", "invalid_output"),
        ("openai_compatible", "ok"),
    ]


def test_an_outage_falls_back_after_the_retries(fake_claude, fake_openai, make_ticket, settings):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "openai_compatible"]
    fake_claude.default = Reply.server_error()
    enrichment = run(make_ticket())
    assert enrichment.status == Status.FALLBACK
    assert "anthropic failed 3 times" in enrichment.status_reason
    assert fake_claude.request_count == 3


def test_a_rate_limit_honours_retry_after(fake_claude, make_ticket, settings):
    settings.AI_RETRY_MAX_DELAY = 5
    fake_claude.script(Reply.rate_limited(retry_after=0.4))
    enrichment = run(make_ticket())
    assert enrichment.status == Status.DONE
    first, second = fake_claude.requests
    assert second.received_at - first.received_at >= 0.4
    assert calls() == [(1, False, "error", "RateLimited"), (2, False, "ok", "")]


def test_overloaded_529_is_retried(fake_claude, make_ticket):
    fake_claude.script(Reply.overloaded(), Reply.overloaded())
    enrichment = run(make_ticket())
    assert enrichment.status == Status.DONE
    assert calls() == [
        (1, False, "error", "Overloaded"),
        (2, False, "error", "Overloaded"),
        (3, False, "ok", ""),
    ]


def test_server_errors_are_retried_up_to_the_limit_then_fail(fake_claude, make_ticket):
    fake_claude.default = Reply.server_error()
    enrichment = run(make_ticket())
    assert enrichment.status == Status.FAILED
    assert "anthropic failed 3 times (last: HTTP 500" in enrichment.status_reason
    assert "Work this ticket as usual" in enrichment.status_reason
    assert fake_claude.request_count == 3
    assert AICall.objects.filter(status="error", http_status=500).count() == 3


def test_an_input_error_is_never_retried(fake_claude, make_ticket):
    fake_claude.default = Reply.bad_request("messages: text content blocks must be non-empty")
    enrichment = run(make_ticket())
    assert enrichment.status == Status.FAILED
    assert "refused the request (HTTP 400" in enrichment.status_reason
    assert fake_claude.request_count == 1


def test_a_spend_limit_429_is_never_retried(fake_claude, make_ticket):
    fake_claude.default = Reply(
        error_type="rate_limit_error", message="You have reached your specified workspace spend limit."
    )
    enrichment = run(make_ticket())
    assert enrichment.status == Status.FAILED
    assert fake_claude.request_count == 1
    assert "spend limit" in enrichment.status_reason


def test_a_slow_answer_times_out_and_is_retried(fake_claude, make_ticket, settings):
    settings.AI_TIMEOUT_SECONDS = 0.3
    fake_claude.script(Reply.timeout(2), Reply.timeout(2))
    enrichment = run(make_ticket())
    assert enrichment.status == Status.DONE
    assert calls() == [(1, False, "error", "Timeout"), (2, False, "error", "Timeout"), (3, False, "ok", "")]


def test_a_dropped_connection_is_retried(fake_claude, make_ticket):
    fake_claude.script(Reply(drop_connection=True))
    enrichment = run(make_ticket())
    assert enrichment.status == Status.DONE
    assert calls()[0][3] == "ConnectionError"


def test_connection_refused_fails_with_a_reason_after_the_retries(fake_claude, make_ticket, settings):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        settings.ANTHROPIC_BASE_URL = f"http://127.0.0.1:{sock.getsockname()[1]}"
    enrichment = run(make_ticket())
    assert enrichment.status == Status.FAILED
    assert "could not connect" in enrichment.status_reason
    assert calls() == [(n, False, "error", "ConnectionError") for n in (1, 2, 3)]


def test_the_deadline_stops_retrying(fake_claude, make_ticket, settings):
    settings.AI_DEADLINE_SECONDS = 0.5
    settings.AI_TIMEOUT_SECONDS = 0.4
    fake_claude.default = Reply.timeout(2)
    enrichment = run(make_ticket())
    assert enrichment.status == Status.FAILED
    assert fake_claude.request_count <= 2
    assert "time" in enrichment.status_reason
