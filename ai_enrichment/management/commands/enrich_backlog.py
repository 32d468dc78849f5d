import argparse
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ai_enrichment.backlog import (
    BATCH_MAX_REQUESTS,
    BATCH_SIZE_LIMIT,
    BacklogError,
    Collection,
    backlog_batch_submit,
    backlog_batches_collect,
    backlog_batches_wait,
    backlog_enrich,
    backlog_since_parse,
    backlog_tickets,
    batch_check_configured,
)
from ai_enrichment.models import AIBatch
from tickets.models import Source

# The outcomes in the order the summary lists them.
OUTCOMES = ("done", "fallback", "failed", "superseded", "skipped")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _batch_size(text: str) -> int:
    value = _positive_int(text)
    if value > BATCH_SIZE_LIMIT:
        raise argparse.ArgumentTypeError(f"{text!r} is more than {BATCH_SIZE_LIMIT} requests")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 7 * 24 * 3600:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and a week")
    return value


class Command(BaseCommand):
    help = (
        "Enrich old tickets that have no AI suggestion, or whose last one failed: one after another "
        "through the normal pipeline, or with --batch in Anthropic Message Batches (half price, results "
        "within 24 hours, applied by --collect or the scheduled collector)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            help="Only tickets received since this date (YYYY-MM-DD) or for this long (12h, 30d, 6w).",
        )
        parser.add_argument("--source", help="Only this source's tickets (its slug).")
        parser.add_argument("--limit", type=_positive_int, help="At most this many tickets, newest first.")
        parser.add_argument("--dry-run", action="store_true", help="Count the tickets; change nothing.")
        parser.add_argument(
            "--batch", action="store_true", help="Send the prompts in Anthropic Message Batches (half price)."
        )
        parser.add_argument(
            "--batch-size",
            type=_batch_size,
            default=BATCH_MAX_REQUESTS,
            help=f"Requests per Message Batch (default {BATCH_MAX_REQUESTS}, at most {BATCH_SIZE_LIMIT}).",
        )
        parser.add_argument(
            "--collect",
            action="store_true",
            help="Apply the results of the Message Batches that have ended (the scheduled collector does "
            "this every 5 minutes).",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="With --batch or --collect: poll until the batches have ended and apply their results.",
        )
        parser.add_argument(
            "--poll-interval", type=_seconds, default=60.0, help="Seconds between polls (default 60)."
        )
        parser.add_argument(
            "--wait-timeout",
            type=_seconds,
            default=25 * 3600.0,
            help="Stop waiting after this many seconds (default 25 hours; a batch ends within 24).",
        )

    def handle(self, *args, **options):
        if options["collect"] and (
            options["batch"]
            or options["since"]
            or options["source"]
            or options["limit"]
            or options["dry_run"]
        ):
            raise CommandError(
                "--collect applies batches already sent: it takes no selection, --batch or --dry-run."
            )
        if options["wait"] and not (options["batch"] or options["collect"]):
            raise CommandError("--wait needs --batch or --collect.")
        try:
            if options["collect"]:
                return self._collect(options)
            if options["batch"] and not options["dry_run"]:
                batch_check_configured()
            ticket_ids = self._select(options)
            if options["dry_run"]:
                self.stdout.write(f"{_n(len(ticket_ids), 'ticket')} would be enriched.")
                return
            if options["batch"]:
                return self._batch(ticket_ids, options)
            with self._progress(len(ticket_ids), "Enriching", options) as progress:
                outcomes = backlog_enrich(ticket_ids=ticket_ids, on_progress=progress)
            self.stdout.write(f"Enriched {_n(len(ticket_ids), 'ticket')}: {_tally(outcomes)}.")
        except BacklogError as error:
            raise CommandError(str(error)) from None

    def _select(self, options) -> list[int]:
        since = backlog_since_parse(value=options["since"]) if options["since"] else None
        source = None
        if options["source"]:
            source = Source.objects.filter(slug=options["source"]).first()
            if source is None:
                known = ", ".join(Source.objects.order_by("slug").values_list("slug", flat=True)) or "none"
                raise CommandError(f"--source {options['source']!r}: no such source (known: {known}).")
            if not source.is_active:
                raise CommandError(f"--source {options['source']!r} is deactivated.")
        return backlog_tickets(since=since, source=source, limit=options["limit"])

    def _batch(self, ticket_ids: list[int], options) -> None:
        with self._progress(len(ticket_ids), "Preparing", options) as progress:
            submission = backlog_batch_submit(
                ticket_ids=ticket_ids, batch_size=options["batch_size"], on_progress=progress
            )
        for batch in submission.batches:
            self.stdout.write(f"Sent Message Batch {batch.provider_batch_id} with {batch.requests} requests.")
        if submission.outcomes:
            self.stdout.write(
                f"Not batched (routing keeps them off Anthropic, a budget, or nothing to do): "
                f"{_tally(submission.outcomes)}."
            )
        if not submission.batches:
            self.stdout.write("No Message Batch was needed.")
            return
        if options["wait"]:
            self._wait([batch.pk for batch in submission.batches], options)
        else:
            self.stdout.write(
                f"{_n(submission.sent, 'ticket')} wait for their batch (results within 24 hours); the scheduled "
                "collector applies them, or run `enrich_backlog --collect`."
            )

    def _collect(self, options) -> None:
        in_progress = list(
            AIBatch.objects.filter(status=AIBatch.Status.IN_PROGRESS).values_list("pk", flat=True)
        )
        if in_progress:
            batch_check_configured()
        if options["wait"] and in_progress:
            return self._wait(in_progress, options)
        self._report(backlog_batches_collect())

    def _wait(self, batch_ids: list[int], options) -> None:
        def on_poll(collection: Collection) -> None:
            for batch in collection.ended:
                self.stdout.write(f"Message Batch {batch.provider_batch_id} ended: results applied.")
            if collection.in_progress and options["verbosity"] > 0:
                self.stderr.write(f"{_n(len(collection.in_progress), 'Message Batch')} still in progress…")

        self._report(
            backlog_batches_wait(
                batch_ids=batch_ids,
                poll_seconds=options["poll_interval"],
                timeout_seconds=options["wait_timeout"],
                on_poll=on_poll,
            )
        )

    def _report(self, collection: Collection) -> None:
        self.stdout.write(
            f"{_n(len(collection.ended), 'Message Batch')} applied, {len(collection.in_progress)} still in "
            f"progress; enrichments finished: {_tally(collection.outcomes)}."
        )

    def _progress(self, total: int, label: str, options):
        return _Progress(total=total, label=label, disable=options["verbosity"] == 0)


class _Progress:
    """A progress bar on standard error that counts the outcomes as it goes."""

    def __init__(self, *, total: int, label: str, disable: bool):
        self.bar = tqdm(total=total, desc=label, unit="ticket", disable=disable or not total)
        self.outcomes: Counter[str] = Counter()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()

    def __call__(self, outcome: str) -> None:
        self.outcomes[outcome] += 1
        self.bar.set_postfix({name: count for name, count in self.outcomes.items()}, refresh=False)
        self.bar.update()


def _tally(outcomes: Counter[str]) -> str:
    names = [name for name in OUTCOMES if name in outcomes] + sorted(set(outcomes) - set(OUTCOMES))
    return ", ".join(f"{outcomes[name]} {name}" for name in names) or "none"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}{'es' if noun.endswith('h') else 's'}"
