"""A stand-in for a customer's webhook endpoint: records every request and answers scripted statuses.

    with CallbackReceiver() as receiver:
        receiver.script(500, 500)             # two failures, then the default 200
        ...                                   # the product POSTs to f"{receiver.base_url}/hooks/ticket"
        first, *_ = receiver.wait_for(3, timeout=10)
        assert hmac.compare_digest(first.headers["x-signature"], sign(first.raw))

A step is a status code, or a callable taking the `RecordedRequest` and returning one. The answer body is
`{"ok": true}` for 2xx and `{"ok": false}` otherwise. Requests of any method are recorded and answered.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import FakeServer, HttpResponse, RecordedRequest

CallbackStep = int | Callable[[RecordedRequest], int]


class CallbackReceiver(FakeServer[int]):
    """Records callbacks (path, headers, raw body, json) so tests can check signatures and retries."""

    def __init__(self, default: CallbackStep = 200, delay: float = 0.0) -> None:
        """`delay`: seconds to wait before every answer, e.g. to exercise the sender's timeout."""
        super().__init__(default)
        if delay:
            self.latency = lambda: delay

    def _dispatch(self, request: RecordedRequest) -> HttpResponse:
        status = self._next_step(request)
        return HttpResponse.json(status, {"ok": 200 <= status < 300})
