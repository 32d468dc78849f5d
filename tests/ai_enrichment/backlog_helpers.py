"""Old tickets for the backfill's tests: received some days ago, with no enrichment or a given one."""

from datetime import timedelta

from django.utils import timezone

from ai_enrichment.models import Enrichment
from tickets.models import Ticket


def old_ticket(make_ticket, external_id: str, *, days_ago: int = 60, enrichment: str | None = None, **fields):
    """A ticket received `days_ago` days ago; `enrichment` None leaves it without one (an imported
    ticket), else its current enrichment gets that status."""
    ticket = make_ticket(external_id, **fields)
    Ticket.objects.filter(pk=ticket.pk).update(received_at=timezone.now() - timedelta(days=days_ago))
    if enrichment is None:
        Enrichment.objects.filter(ticket=ticket).delete()
    else:
        Enrichment.objects.filter(ticket=ticket).update(status=enrichment, status_reason="Earlier run.")
    ticket.refresh_from_db()
    return ticket
