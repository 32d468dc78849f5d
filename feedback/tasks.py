"""django-q2 tasks of the feedback app: thin wrappers around services."""

from feedback.rollups import rollups_refresh


def refresh_dashboard_rollups() -> int:
    """Scheduled every 10 minutes (migration 0004): store the dashboard's counts of the days that
    closed or changed. Returns the number of days counted again."""
    return rollups_refresh().days
