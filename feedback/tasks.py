"""django-q2 tasks of the feedback app: thin wrappers around services."""

import time

from django.utils import timezone

from feedback.rollups import rollups_refresh

# A task keeps rolling up a long history (92 days a run) for this long, well within Q_TIMEOUT (180 s).
CATCH_UP_SECONDS = 90


def refresh_dashboard_rollups() -> int:
    """Scheduled every 10 minutes (migration 0004): store the dashboard's counts of the days that
    closed or changed; after a rebuild, go on while there is time. Returns the days counted again."""
    started = time.monotonic()
    report = rollups_refresh()
    days = report.days
    while report.rolled_up_until < timezone.localdate() and time.monotonic() - started < CATCH_UP_SECONDS:
        report = rollups_refresh()
        days += report.days
    return days
