"""The dashboard's daily rollups (feedback.rollups): the figures they give equal the figures counted from
the rows, whatever part of a period they cover, and a refresh picks up what changed on closed days."""

import math
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from ai_enrichment.models import AICall, Enrichment
from feedback.dashboard import DashboardFilters, dashboard_figures
from feedback.exports import figures_rows
from feedback.models import DailyEnrichments, DailyFeedback, Feedback, RollupState, TicketLabel
from feedback.rollups import histogram_percentiles, monday, rollups_refresh
from feedback.services import feedback_labels
from tests.workspace.dashboard_data import call, suggestion, worked_history
from tickets.models import Ticket
from tickets.services import tickets_purge


def days_ago(enrichments, days: int) -> None:
    """Date these suggestions, their tickets, calls and feedback `days` earlier, as if worked then."""
    ids = [e.pk for e in enrichments]
    shift = timedelta(days=days)
    Ticket.objects.filter(enrichments__in=ids).update(received_at=F("received_at") - shift)
    Enrichment.objects.filter(pk__in=ids).update(
        created_at=F("created_at") - shift, finished_at=F("finished_at") - shift
    )
    AICall.objects.filter(enrichment__in=ids).update(created_at=F("created_at") - shift)
    Feedback.objects.filter(enrichment__in=ids).update(created_at=F("created_at") - shift)
    TicketLabel.objects.filter(ticket__enrichments__in=ids).update(updated_at=F("updated_at") - shift)


@pytest.fixture
def spread_history(desk, agent):
    """The worked history of tests.workspace.dashboard_data, spread over today, 3 and 40 days ago."""
    history = worked_history(desk, agent)
    days_ago([history["e1"], history["e2"]], 40)
    days_ago([history["e3"], history["e4"]], 3)
    return history


def figures(**filters):
    return dashboard_figures(filters=DashboardFilters(end=timezone.now() + timedelta(minutes=1), **filters))


def everything(page) -> list:
    """Every figure of a page, as the CSV export lists them."""
    return list(figures_rows(page))


PERIODS = {
    "all time": {},
    "last 30 days (starts mid-day)": {"start": timezone.now() - timedelta(days=30)},
    "from midnight 5 days ago": {
        "start": timezone.make_aware(
            timezone.datetime.combine(timezone.localdate() - timedelta(days=5), timezone.datetime.min.time())
        )
    },
}


@pytest.mark.parametrize("period", PERIODS)
def test_rolled_up_figures_equal_the_figures_counted_from_the_rows(spread_history, period):
    counted = everything(figures(**PERIODS[period]))

    report = rollups_refresh()

    assert report.rebuilt and report.rows > 0
    assert DailyEnrichments.objects.filter(day=timezone.localdate() - timedelta(days=40)).exists()
    assert not DailyEnrichments.objects.filter(day=timezone.localdate()).exists(), "today is still open"
    forty_days_ago = timezone.localdate() - timedelta(days=40)
    assert DailyEnrichments.objects.filter(span="week", day=monday(forty_days_ago)).exists()
    assert DailyEnrichments.objects.filter(span="month", day=forty_days_ago.replace(day=1)).exists()
    assert everything(figures(**PERIODS[period])) == counted


def test_rolled_up_figures_hold_for_each_filter(spread_history, desk):
    filters = [{"prompt_version": "enrich-v1"}, {"provider": "local"}, {"category": "billing"}]
    counted = [everything(figures(**f)) for f in filters]
    rollups_refresh()
    assert [everything(figures(**f)) for f in filters] == counted
    assert figures(source_ids=(desk.pk + 1000,)).volume.suggestions == 0


def test_the_rollups_are_read_for_closed_days(spread_history):
    """Figures of closed days come from the rollups: rows deleted behind their back (no purge) still
    count until the next refresh."""
    rollups_refresh()
    Feedback.objects.filter(enrichment=spread_history["e1"]).delete()
    assert figures().usefulness.replies == 3
    assert DailyFeedback.objects.filter(day=timezone.localdate() - timedelta(days=40)).exists()


def test_a_refresh_counts_again_the_closed_days_that_changed(spread_history, agent, settings):
    rollups_refresh()
    assert figures().accuracy.category_correct == 2

    # An agent corrects the labels of the 40-day-old suggestion e1 today: its day changes.
    feedback_labels(enrichment=spread_history["e1"], agent=agent, category="account", priority="high")
    assert TicketLabel.objects.get(ticket=spread_history["e1"].ticket).category == "account"
    stale = figures().accuracy.category_correct

    report = rollups_refresh()

    assert not report.rebuilt
    assert report.days == 1, "only the day of e1"
    assert stale == 2, "until the refresh, the rollups hold what they counted"
    assert figures().accuracy.category_correct == 1


def test_a_refresh_only_counts_the_days_that_closed_or_changed(spread_history):
    first = rollups_refresh()
    again = rollups_refresh()
    tomorrow = rollups_refresh(today=timezone.localdate() + timedelta(days=1))

    assert first.days == 40, "from the first row's day (40 days ago) to yesterday"
    assert (again.days, again.rebuilt) == (0, False)
    assert tomorrow.days == 1, "today closed"
    assert RollupState.objects.get().rolled_up_until == timezone.localdate() + timedelta(days=1)


def test_a_long_history_is_rolled_up_over_several_refreshes(spread_history):
    counted = everything(figures())

    first = rollups_refresh(max_new_days=10)
    assert first.rolled_up_until == timezone.localdate() - timedelta(days=30)
    assert everything(figures()) == counted, "the days not rolled up yet are counted from the rows"

    reports = [rollups_refresh(max_new_days=10) for _ in range(3)]
    assert [r.rolled_up_until for r in reports] == [
        timezone.localdate() - timedelta(days=20),
        timezone.localdate() - timedelta(days=10),
        timezone.localdate(),
    ]
    assert everything(figures()) == counted


def test_changing_a_threshold_rebuilds_the_rollups(spread_history, settings):
    rollups_refresh()
    assert figures().usefulness.lightly_edited == 1
    settings.DASHBOARD_LIGHT_EDIT_SIMILARITY = 0.99
    counted_before_refresh = figures().usefulness.lightly_edited  # rollups of the old threshold unused

    report = rollups_refresh()

    assert report.rebuilt
    assert figures().usefulness.lightly_edited == counted_before_refresh == 0


def test_a_purge_rebuilds_the_rollups(spread_history):
    rollups_refresh()
    tickets_purge(
        tickets=Ticket.objects.filter(pk=spread_history["e1"].ticket_id),
        requested_via="test",
        requested_by="t",
    )
    report = rollups_refresh()
    assert report.rebuilt
    assert figures().volume.tickets_received == 4
    assert figures().volume.suggestions == 3


def test_a_call_without_an_enrichment_counts_without_a_category(desk):
    e = suggestion(desk, "T-1")
    AICall.objects.filter(pk=call(e, cost="0.5").pk).update(enrichment=None)
    days_ago([e], 2)
    AICall.objects.filter(ticket=e.ticket).update(created_at=F("created_at") - timedelta(days=2))
    counted = figures().cost.cost_usd
    rollups_refresh()
    assert figures().cost.cost_usd == counted == 0.5


def test_percentiles_from_a_histogram_are_within_the_bucket_width():
    counts: dict[int, int] = {}
    for ms in [100, 1000, 2000, 3000, 45_000]:
        bucket = math.floor(math.log(1 + ms) / math.log(1.05))  # as feedback.rollups.DurationBucket
        counts[bucket] = counts.get(bucket, 0) + 1
    p50, p95, p99 = histogram_percentiles(counts, (0.5, 0.95, 0.99))
    assert p50 == pytest.approx(2000, rel=0.025)
    assert p95 == pytest.approx(3000 + 0.8 * (45_000 - 3000), rel=0.025)
    assert p99 == pytest.approx(3000 + 0.96 * (45_000 - 3000), rel=0.025)
    assert histogram_percentiles({}, (0.5,)) is None


def test_the_scheduled_task_rolls_up_a_long_history_in_one_go(spread_history):
    from feedback.rollups import MAX_NEW_DAYS
    from feedback.tasks import refresh_dashboard_rollups

    Enrichment.objects.filter(pk=spread_history["e1"].pk).update(
        created_at=F("created_at") - timedelta(days=2 * MAX_NEW_DAYS)
    )
    assert refresh_dashboard_rollups() == 2 * MAX_NEW_DAYS + 40
    assert RollupState.objects.get().rolled_up_until == timezone.localdate()
