"""Fakes of the services outside this machine, serving real HTTP on 127.0.0.1 (an ephemeral port).

The product's tests point the real clients at them (e.g. `anthropic.Anthropic(base_url=fake.base_url)`),
so the SDKs' own request building, retries, timeouts and error mapping are exercised, not mocked.

- `FakeAnthropic`: Messages API (JSON and SSE), count_tokens, Message Batches.
- `FakeOpenAI`: chat completions (JSON content from `Reply.tool_input`) and deterministic embeddings.
- `CallbackReceiver`: a webhook endpoint that records requests and answers scripted statuses.

All share `base.FakeServer`: `script(*steps)` (FIFO, then `default`), `latency`, `requests`,
`request_count`, `all_text()`, `wait_for(count, timeout)`, `reset()`, `start()`/`stop()` or `with`.
No Django here: these must stay importable without settings.
"""

from .anthropic_server import FakeAnthropic
from .base import FakeServer, RecordedRequest, Reply, example_from_schema
from .callback_receiver import CallbackReceiver
from .openai_server import FakeOpenAI, fake_embedding

__all__ = [
    "CallbackReceiver",
    "FakeAnthropic",
    "FakeOpenAI",
    "FakeServer",
    "RecordedRequest",
    "Reply",
    "example_from_schema",
    "fake_embedding",
]
