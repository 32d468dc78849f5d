"""Delete tickets and everything derived from them: one customer's (on request) or old ones (retention)."""

import getpass
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tickets.models import Purge, Source, Ticket
from tickets.selectors import tickets_of_customer
from tickets.services import tickets_purge


class Command(BaseCommand):
    help = (
        "Delete a customer's tickets (--customer EMAIL|ID) or tickets unchanged for DAYS (--older-than), "
        "with their enrichments, AI calls, callback deliveries, feedback, labels and embeddings. "
        "Prints the rows deleted per model and records the purge (not the content) in the audit log."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--customer", metavar="EMAIL|ID", help="The customer's e-mail (any case) or external id."
        )
        which.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            help="Tickets the source system has not changed for more than DAYS days.",
        )
        parser.add_argument("--source", metavar="SLUG", help="Only this source's tickets.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, customer, older_than, source, dry_run, **options):
        scope = None
        if source:
            scope = Source.objects.filter(slug=source).first()
            if scope is None:
                raise CommandError(f"No source with slug {source!r}.")
        if customer is not None:
            if not customer.strip():
                raise CommandError("--customer needs an e-mail address or an external id.")
            tickets = tickets_of_customer(customer=customer.strip(), source=scope)
        else:
            if older_than < 1:
                raise CommandError("--older-than needs a number of days of at least 1.")
            tickets = Ticket.objects.filter(updated_at__lt=timezone.now() - timedelta(days=older_than))
            if scope:
                tickets = tickets.filter(source=scope)
        result = tickets_purge(
            tickets=tickets,
            requested_via=Purge.RequestedVia.COMMAND,
            requested_by=_operator(),
            source=scope,
            customer=(customer or "").strip(),
            older_than_days=older_than,
            dry_run=dry_run,
        )
        self.stdout.write("Would delete (dry run, nothing changed):" if dry_run else "Deleted:")
        width = max(len(label) for label in result.counts)
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<{width}}  {count}")
        if result.purge:
            self.stdout.write(f"Recorded as purge {result.purge.pk} in the audit log.")


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (some containers)
        return "unknown"
