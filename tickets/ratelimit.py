"""Per-source ingest limit: tickets per clock minute, counted in PostgreSQL so every web process
(gunicorn workers, several machines) shares one count.

One statement both checks and counts: an upsert that adds 1 only while the minute's count is under the
limit. Concurrent requests queue on the row lock and each sees the others' committed counts, so a
burst can never get more than the limit through; refused requests are not counted.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils.timezone import now as clock  # a name of its own: tests set the time

from tickets.models import IngestWindow, Source

WINDOW = timedelta(minutes=1)
KEEP = timedelta(hours=1)

_COUNT = f"""
    INSERT INTO {IngestWindow._meta.db_table} (source_id, starts_at, requests) VALUES (%s, %s, 1)
    ON CONFLICT (source_id, starts_at) DO UPDATE SET requests = {IngestWindow._meta.db_table}.requests + 1
    WHERE {IngestWindow._meta.db_table}.requests < %s
    RETURNING requests
"""


def ingest_admit(*, source: Source) -> float | None:
    """Count one ingest request against the source's limit. None: admitted; else the seconds until
    the next minute, when it may try again."""
    limit = source.ingest_requests_per_minute
    if limit is None:
        return None
    now = clock()
    starts_at = now.replace(second=0, microsecond=0)
    if limit > 0:
        with connection.cursor() as cursor:
            cursor.execute(_COUNT, [source.pk, starts_at, limit])
            row = cursor.fetchone()
        if row is not None:
            if row[0] == 1:  # the first request of a new minute tidies up the old ones
                IngestWindow.objects.filter(source=source, starts_at__lt=now - KEEP).delete()
            return None
    return (starts_at + WINDOW - now).total_seconds()
