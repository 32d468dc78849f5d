"""The fakes in tests/fakes, proved with the real clients: the anthropic SDK, and urllib for the rest.

What each fault looks like through anthropic 2.12.0 is pinned here, so the product's tests can rely on it.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anthropic
import pytest

from tests.fakes import CallbackReceiver, FakeAnthropic, FakeOpenAI, RecordedRequest, Reply

MODEL = "claude-fake-1"
TOOL = {
    "name": "classify",
    "description": "Classify the ticket.",
    "input_schema": {
        "type": "object",
        "properties": {
            "category": {"type": "string", "enum": ["billing", "bug"]},
            "urgent": {"type": "boolean"},
        },
        "required": ["category", "urgent"],
    },
}
OTHER_TOOL = {"name": "summarise", "input_schema": {"type": "object", "properties": {}}}


@pytest.fixture(autouse=True)
def _no_proxies_or_sdk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment would swallow requests to 127.0.0.1; ANTHROPIC_* would change the client."""
    proxies = "HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy"
    for name in [*proxies.split(), "ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS"]:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


@pytest.fixture
def client(fake: FakeAnthropic) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(api_key="test", base_url=fake.base_url, max_retries=0) as sdk:
        yield sdk


def ask(client: anthropic.Anthropic, text: str = "Hello", **params: Any) -> anthropic.types.Message:
    return client.messages.create(
        model=MODEL, max_tokens=256, messages=[{"role": "user", "content": text}], **params
    )


def post_json(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """POST with urllib, no proxy; returns (status, parsed body) for errors too."""
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"content-type": "application/json", **(headers or {})}
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# --- FakeAnthropic through the real SDK ---------------------------------------------------------


def test_forced_tool_use_returns_the_scripted_input_with_usage(
    fake: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    fake.script(Reply(tool_input={"category": "billing", "urgent": True}))

    message = ask(client, tools=[OTHER_TOOL, TOOL], tool_choice={"type": "tool", "name": "classify"})

    block = message.content[0]
    assert block.type == "tool_use" and block.name == "classify"
    assert block.input == {"category": "billing", "urgent": True}
    assert message.stop_reason == "tool_use" and message.model == MODEL and message.id.startswith("msg_")
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert message.usage.cache_creation_input_tokens == 0 and message.usage.cache_read_input_tokens == 0


def test_unscripted_answer_satisfies_the_forced_tool_schema_or_is_text(client: anthropic.Anthropic) -> None:
    forced = ask(client, tools=[TOOL], tool_choice={"type": "tool", "name": "classify"})
    assert forced.content[0].input == {"category": "billing", "urgent": False}

    plain = ask(client)
    assert plain.content[0].type == "text" and plain.stop_reason == "end_turn"


def test_a_callable_step_answers_from_the_prompt(fake: FakeAnthropic, client: anthropic.Anthropic) -> None:
    def echo(request: RecordedRequest) -> Reply:
        return Reply(text=request.json["messages"][0]["content"].upper())

    fake.default = echo
    assert ask(client, "where is my refund").content[0].text == "WHERE IS MY REFUND"


def test_streaming_sends_the_real_event_sequence(fake: FakeAnthropic, client: anthropic.Anthropic) -> None:
    fake.script(
        Reply(text="Let me classify this ticket for you.", tool_input={"category": "bug", "urgent": True})
    )

    with client.messages.stream(
        model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "Hi"}], tools=[TOOL]
    ) as stream:
        event_types = [event.type for event in stream]
        message = stream.get_final_message()

    assert event_types[0] == "message_start" and event_types[-1] == "message_stop"
    assert {"content_block_start", "content_block_delta", "content_block_stop", "message_delta"} <= set(
        event_types
    )
    assert message.content[0].text == "Let me classify this ticket for you."
    assert message.content[1].input == {"category": "bug", "urgent": True}
    assert message.stop_reason == "tool_use" and message.usage.output_tokens > 1
    assert fake.requests[0].json["stream"] is True


def test_rate_limit_raises_rate_limit_error_with_retry_after(
    fake: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    fake.script(Reply.rate_limited(retry_after=7))

    with pytest.raises(anthropic.RateLimitError) as caught:
        ask(client)

    assert caught.value.status_code == 429 and caught.value.type == "rate_limit_error"
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.request_id and caught.value.request_id.startswith("req_")


def test_the_sdk_retries_after_retry_after(fake: FakeAnthropic) -> None:
    overloaded = Reply(error_type="overloaded_error", headers={"retry-after-ms": "50"})
    fake.script(Reply.rate_limited(retry_after=0.05), overloaded, Reply(text="finally"))
    with anthropic.Anthropic(api_key="test", base_url=fake.base_url, max_retries=2) as retrying:
        assert ask(retrying).content[0].text == "finally"
    assert [r.headers["x-stainless-retry-count"] for r in fake.requests] == ["0", "1", "2"]


def test_overloaded_raises_overloaded_error(fake: FakeAnthropic, client: anthropic.Anthropic) -> None:
    fake.script(Reply.overloaded(), Reply.server_error())

    with pytest.raises(anthropic.OverloadedError) as caught:
        ask(client)
    assert caught.value.status_code == 529 and isinstance(caught.value, anthropic.InternalServerError)

    with pytest.raises(anthropic.InternalServerError) as caught_500:
        ask(client)
    assert caught_500.value.status_code == 500 and caught_500.value.type == "api_error"


def test_bad_request_and_unknown_path(fake: FakeAnthropic, client: anthropic.Anthropic) -> None:
    fake.script(Reply.bad_request("prompt is too long"))
    with pytest.raises(anthropic.BadRequestError) as caught:
        ask(client)
    assert caught.value.api_message == "prompt is too long"

    with pytest.raises(anthropic.NotFoundError):
        client.models.list()


def test_delay_past_the_client_timeout_raises_api_timeout_error(
    fake: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    fake.script(Reply.timeout(5.0))  # the fixture's stop() cuts the server's wait short

    started = time.monotonic()
    with pytest.raises(anthropic.APITimeoutError):
        ask(client.with_options(timeout=0.2))
    assert time.monotonic() - started < 2


def test_broken_json_body_escapes_the_sdk_as_json_decode_error(
    fake: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    """anthropic 2.12.0 does not wrap this one: a plain json.JSONDecodeError (a ValueError), never retried."""
    fake.script(Reply(raw_body='{"id": "msg_1", "content": [', headers={"x-should-retry": "true"}))

    retrying = anthropic.Anthropic(api_key="test", base_url=fake.base_url, max_retries=2)
    with retrying, pytest.raises(json.JSONDecodeError):
        ask(retrying)
    assert fake.request_count == 1


def test_dropped_connection_raises_api_connection_error(
    fake: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    fake.script(Reply(drop_connection=True))

    with pytest.raises(anthropic.APIConnectionError) as caught:
        ask(client)
    assert not isinstance(caught.value, anthropic.APITimeoutError)


def test_missing_credentials_or_version_are_refused(fake: FakeAnthropic) -> None:
    body = {"model": MODEL, "max_tokens": 5, "messages": []}
    status, error = post_json(f"{fake.base_url}/v1/messages", body, {"anthropic-version": "2023-06-01"})
    assert (status, error["error"]["type"]) == (401, "authentication_error")

    status, error = post_json(f"{fake.base_url}/v1/messages", body, {"x-api-key": "k"})
    assert (status, error["error"]["type"]) == (400, "invalid_request_error")

    status, answer = post_json(
        f"{fake.base_url}/v1/messages", body, {"x-api-key": "k", "anthropic-version": "v"}
    )
    assert status == 200 and answer["type"] == "message"


def test_the_recorded_request_shows_system_prompt_tools_and_text(
    fake: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    ask(client, "My card is 4111 1111 1111 1111", system="You are a support triage assistant.", tools=[TOOL])

    [request] = fake.requests
    assert request.path == "/v1/messages" and request.method == "POST"
    assert request.json["system"] == "You are a support triage assistant."
    assert [tool["name"] for tool in request.json["tools"]] == ["classify"]
    assert request.headers["authorization"] == "Bearer test" and "anthropic-version" in request.headers
    assert request.raw.startswith(b"{") and request.received_at <= time.time()
    assert "4111 1111 1111 1111" in fake.all_text() and "sk-secret" not in fake.all_text()

    fake.reset()
    assert fake.request_count == 0 and fake.all_text() == ""


def test_prompt_caching_creates_then_reads_the_marked_prefix(client: anthropic.Anthropic) -> None:
    system = [{"type": "text", "text": "Long policy text. " * 200, "cache_control": {"type": "ephemeral"}}]

    first = ask(client, "first question", system=system)
    second = ask(client, "another question", system=system)

    assert first.usage.cache_creation_input_tokens > 0 and first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second.usage.cache_creation_input_tokens == 0
    assert 0 < second.usage.input_tokens < second.usage.cache_read_input_tokens


def test_count_tokens(client: anthropic.Anthropic) -> None:
    count = client.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": "Hello there"}])
    assert count.input_tokens > 0


def test_batches_round_trip_through_the_sdk(fake: FakeAnthropic, client: anthropic.Anthropic) -> None:
    params = {
        "model": MODEL,
        "max_tokens": 64,
        "messages": [{"role": "user", "content": "Classify me"}],
        "tools": [TOOL],
        "tool_choice": {"type": "tool", "name": "classify"},
    }
    batch = client.messages.batches.create(
        requests=[{"custom_id": "t-1", "params": params}, {"custom_id": "t-2", "params": params}]
    )
    assert batch.processing_status == "in_progress" and batch.request_counts.processing == 2
    assert client.messages.batches.retrieve(batch.id).results_url is None

    fake.script(Reply(tool_input={"category": "bug", "urgent": True}), Reply.overloaded())
    fake.finish_batches()
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.ended_at is not None
    assert (ended.request_counts.succeeded, ended.request_counts.errored) == (1, 1)
    assert ended.results_url and ended.results_url.startswith(fake.base_url)

    results = {line.custom_id: line.result for line in client.messages.batches.results(batch.id)}
    assert results["t-1"].type == "succeeded" and results["t-1"].message.content[0].input["category"] == "bug"
    assert results["t-2"].type == "errored" and results["t-2"].error.error.type == "overloaded_error"


def test_batches_can_end_on_first_retrieve(fake: FakeAnthropic, client: anthropic.Anthropic) -> None:
    fake.auto_finish_batches = True
    batch = client.messages.batches.create(
        requests=[
            {
                "custom_id": "only",
                "params": {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]},
            }
        ]
    )

    [line] = list(client.messages.batches.results(batch.id))
    assert line.custom_id == "only" and line.result.type == "succeeded"


def test_concurrent_slow_requests_are_served_in_parallel(
    fake: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    """A capability check of the fake (40 requests of 1 s each would take 40 s one after the other)."""
    fake.latency = lambda: 1.0

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(lambda i: ask(client, f"ticket {i}"), range(40)))
    elapsed = time.monotonic() - started

    assert len(answers) == 40 and fake.request_count == 40
    assert elapsed < 5, f"40 concurrent 1 s requests took {elapsed:.1f} s"


# --- FakeOpenAI and CallbackReceiver -------------------------------------------------------------


def test_openai_chat_returns_the_scripted_json_and_embeddings_are_deterministic() -> None:
    with FakeOpenAI() as openai_fake:
        openai_fake.script(Reply(tool_input={"category": "billing"}), Reply.rate_limited())
        auth = {"authorization": "Bearer test"}
        chat = {
            "model": "gpt-fake",
            "messages": [{"role": "user", "content": "Hi"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
        }

        status, completion = post_json(f"{openai_fake.base_url}/v1/chat/completions", chat, auth)
        assert status == 200 and completion["object"] == "chat.completion"
        assert json.loads(completion["choices"][0]["message"]["content"]) == {"category": "billing"}
        assert completion["usage"]["prompt_tokens"] > 0 and completion["usage"]["completion_tokens"] > 0

        status, error = post_json(f"{openai_fake.base_url}/v1/chat/completions", chat, auth)
        assert status == 429 and error["error"]["type"] == "rate_limit_error"

        embed = {"model": "text-embedding-fake", "input": ["refund please", "refund please", "other"]}
        status, embeddings = post_json(f"{openai_fake.base_url}/v1/embeddings", embed, auth)
        first, again, other = (item["embedding"] for item in embeddings["data"])
        assert status == 200 and len(first) == 384 and first == again != other
        assert abs(sum(x * x for x in first) - 1.0) < 1e-9

        status, _ = post_json(f"{openai_fake.base_url}/v1/embeddings", embed)
        assert status == 401
        assert openai_fake.request_count == 4


def test_callback_receiver_records_posts_and_answers_scripted_statuses() -> None:
    with CallbackReceiver() as receiver:
        receiver.script(500, 500)
        statuses: list[int] = []

        def deliver() -> None:  # a webhook sender retrying in the background
            for attempt in range(3):
                status, _ = post_json(
                    f"{receiver.base_url}/hooks/ticket",
                    {"attempt": attempt},
                    {"x-signature": f"sig-{attempt}"},
                )
                statuses.append(status)

        sender = threading.Thread(target=deliver)
        sender.start()
        requests = receiver.wait_for(3, timeout=5)
        sender.join()

        assert statuses == [500, 500, 200]
        assert [r.json["attempt"] for r in requests] == [0, 1, 2]
        assert requests[0].path == "/hooks/ticket" and requests[0].headers["x-signature"] == "sig-0"
        assert requests[0].raw == b'{"attempt": 0}'
        with pytest.raises(TimeoutError):
            receiver.wait_for(4, timeout=0.05)
