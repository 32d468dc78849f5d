"""`manage.py enrich_backlog` without --batch: which tickets it picks, that it runs them through the
normal pipeline with a progress bar and a summary, and that bad arguments are clear errors."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ai_enrichment.backlog import BacklogError, backlog_since_parse, backlog_tickets
from ai_enrichment.models import Enrichment
from tests.ai_enrichment.backlog_helpers import old_ticket
from tickets.services import source_create


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("enrich_backlog", *args, stdout=out)
    return out.getvalue()


def test_it_picks_tickets_without_a_suggestion_or_with_a_failed_one_newest_first(make_ticket):
    none = old_ticket(make_ticket, "NONE", days_ago=10)
    failed = old_ticket(make_ticket, "FAILED", days_ago=5, enrichment="failed")
    old_ticket(make_ticket, "DONE", days_ago=3, enrichment="done")
    old_ticket(make_ticket, "FALLBACK", days_ago=3, enrichment="fallback")
    old_ticket(make_ticket, "PENDING", days_ago=3, enrichment="pending")
    old_ticket(make_ticket, "RUNNING", days_ago=3, enrichment="running")
    old_ticket(make_ticket, "BATCHED", days_ago=3, enrichment="batched")

    assert backlog_tickets() == [failed.pk, none.pk]


def test_since_takes_a_date_or_a_duration(make_ticket):
    recent = old_ticket(make_ticket, "RECENT", days_ago=3)
    middle = old_ticket(make_ticket, "MIDDLE", days_ago=20)
    old_ticket(make_ticket, "ANCIENT", days_ago=400)

    assert backlog_tickets(since=backlog_since_parse(value="7d")) == [recent.pk]
    assert backlog_tickets(since=backlog_since_parse(value="4w")) == [recent.pk, middle.pk]
    assert backlog_tickets(since=backlog_since_parse(value="48h")) == []
    a_month_ago = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert backlog_tickets(since=backlog_since_parse(value=a_month_ago)) == [recent.pk, middle.pk]


def test_source_and_limit_narrow_the_selection_and_deactivated_sources_are_left_out(make_ticket):
    newest = old_ticket(make_ticket, "A", days_ago=1)
    old_ticket(make_ticket, "B", days_ago=2)
    other = source_create(name="Other desk", slug="other").source
    from tickets.services import ticket_ingest

    theirs = ticket_ingest(source=other, external_id="O-1", subject="Login", body="I cannot log in.").ticket
    Enrichment.objects.filter(ticket=theirs).delete()

    assert backlog_tickets(source=other) == [theirs.pk]
    assert backlog_tickets(limit=1) == [theirs.pk]  # received just now: the newest
    other.is_active = False
    other.save()
    assert backlog_tickets(limit=1) == [newest.pk]


def test_it_enriches_through_the_pipeline_with_a_progress_bar_and_a_summary(make_ticket, fake_claude, capsys):
    tickets = [old_ticket(make_ticket, f"OLD-{n}", days_ago=n) for n in (1, 2)]
    failed = old_ticket(make_ticket, "FAILED", days_ago=3, enrichment="failed")

    output = run()

    assert output.strip() == "Enriched 3 tickets: 3 done."
    progress = capsys.readouterr().err
    assert "Enriching" in progress and "3/3" in progress
    for ticket in [*tickets, failed]:
        current = Enrichment.objects.get(ticket=ticket, is_current=True)
        assert (current.status, current.trigger, current.category) == ("done", "backfill", "billing")
    # The failed run stays in the ticket's history; the backfill's run is the current one.
    assert Enrichment.objects.filter(ticket=failed, status="failed", is_current=False).count() == 1
    assert fake_claude.request_count == 3
    assert run().strip() == "Enriched 0 tickets: none."


def test_a_failure_is_counted_in_the_summary_with_the_reason_on_the_ticket(
    make_ticket, fake_claude, settings
):
    from tests.fakes import Reply

    settings.AI_MAX_ATTEMPTS = 1
    fake_claude.script(Reply.bad_request("prompt is too long"))
    ticket = old_ticket(make_ticket, "OLD")

    assert run().strip() == "Enriched 1 ticket: 1 failed."
    current = Enrichment.objects.get(ticket=ticket, is_current=True)
    assert "anthropic refused the request" in current.status_reason


def test_dry_run_counts_and_changes_nothing(make_ticket, fake_claude):
    old_ticket(make_ticket, "OLD")

    assert run("--dry-run").strip() == "1 ticket would be enriched."
    assert not Enrichment.objects.exists()
    assert fake_claude.request_count == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "yesterday"], "give a date (YYYY-MM-DD) or a duration"),
        (["--since", "2026-13-01"], "give a date (YYYY-MM-DD) or a duration"),
        (["--since", "20260301"], "write the date as YYYY-MM-DD"),
        (["--since", "0d"], "must be more than 0"),
        (["--since", "99999999999w"], "too long"),
        (["--since", "2999-01-01"], "is in the future"),
        (["--source", "nope"], "no such source (known: acme)"),
        (["--limit", "0"], "must be 1 or more"),
        (["--limit", "ten"], "is not a whole number"),
        (["--batch-size", "20000"], "is more than 10000 requests"),
        (["--poll-interval", "-1"], "must be between 0 and a week"),
        (["--collect", "--since", "7d"], "--collect applies batches already sent"),
        (["--wait"], "--wait needs --batch or --collect"),
        (["--batch"], "Message Batches need the anthropic provider"),
    ],
)
def test_bad_arguments_are_clear_command_errors(desk, settings, args, message):
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert message in str(raised.value)


def test_since_parsing_reads_local_midnight():
    since = backlog_since_parse(value="2026-03-01", now=timezone.now().replace(year=2026, month=11))
    assert timezone.localtime(since).isoformat().startswith("2026-03-01T00:00:00")
    with pytest.raises(BacklogError):
        backlog_since_parse(value="")
