"""Reads shared by the API, the agent workspace and the pipeline."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from ai_enrichment.models import Enrichment
from tickets.models import Source, Ticket


def with_current_enrichment(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Attach `current_enrichments` (a list of 0 or 1) in one extra query for the whole page."""
    return tickets.prefetch_related(
        Prefetch(
            "enrichments", queryset=Enrichment.objects.filter(is_current=True), to_attr="current_enrichments"
        )
    )


def ticket_list_for_source(
    *,
    source: Source,
    external_id: str | None = None,
    customer_email: str | None = None,
    customer_external_id: str | None = None,
    status: str | None = None,
    received_after: datetime | None = None,
    received_before: datetime | None = None,
) -> QuerySet[Ticket]:
    """A source's tickets, newest first. A source never sees another source's tickets."""
    tickets = with_current_enrichment(Ticket.objects.filter(source=source).order_by("-received_at", "-id"))
    if external_id is not None:
        tickets = tickets.filter(external_id=external_id)
    if customer_email is not None:
        tickets = tickets.filter(customer_email__iexact=customer_email)
    if customer_external_id is not None:
        tickets = tickets.filter(customer_external_id=customer_external_id)
    if status is not None:
        tickets = tickets.filter(status=status)
    if received_after is not None:
        tickets = tickets.filter(received_at__gte=received_after)
    if received_before is not None:
        tickets = tickets.filter(received_at__lt=received_before)
    return tickets
