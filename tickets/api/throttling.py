"""DRF's hook for the per-source ingest limit; the counting is tickets.ratelimit."""

from rest_framework.throttling import BaseThrottle

from tickets.ratelimit import ingest_admit


class SourceIngestThrottle(BaseThrottle):
    """Ingest (POST) only: reading tickets back is not what starves other sources."""

    def allow_request(self, request, view) -> bool:
        self.retry_after = None if request.method != "POST" else ingest_admit(source=request.auth)
        return self.retry_after is None

    def wait(self) -> float | None:
        return self.retry_after
