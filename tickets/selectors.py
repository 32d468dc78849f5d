"""Reads shared by the API, the agent workspace and the pipeline."""

from datetime import datetime

from django.contrib.postgres.search import SearchQuery
from django.db.models import F, FilteredRelation, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from ai_enrichment.models import Enrichment
from tickets.models import Source, Ticket


def with_current_enrichment(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Attach `current_enrichments` (a list of 0 or 1) in one extra query for the whole page."""
    return tickets.prefetch_related(
        Prefetch(
            "enrichments",
            queryset=Enrichment.objects.filter(is_current=True).select_related("reply_source_ticket"),
            to_attr="current_enrichments",
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


def ticket_queue(
    *,
    tickets: QuerySet[Ticket],
    status: str = "active",
    category: str = "",
    priority: str = "",
    source: str = "",
    low_confidence_below: float | None = None,
    ai_failed: bool = False,
    search: str = "",
) -> QuerySet[Ticket]:
    """The agent queue: `tickets` (already limited to what the agent may see) with their current AI
    labels as `ai_*` attributes, filtered, most urgent first by the AI's priority, then oldest first.

    `search` finds tickets by words (see `ticket_search_filter`). One query for the page: the current
    enrichment is joined, not fetched per row.
    """

    queue = tickets.select_related("source").annotate(
        current=FilteredRelation("enrichments", condition=Q(enrichments__is_current=True)),
        ai_status=F("current__status"),
        ai_category=F("current__category"),
        ai_priority=F("current__priority"),
        ai_confidence=F("current__confidence"),
    )
    if status == "active":
        queue = queue.filter(status__in=Ticket.ACTIVE_STATUSES)
    elif status != "all":
        queue = queue.filter(status=status)
    if category:
        queue = queue.filter(current__category=category)
    if priority:
        queue = queue.filter(current__priority=priority)
    if source:
        queue = queue.filter(source__slug=source)
    if low_confidence_below is not None:
        queue = queue.filter(current__confidence__lt=low_confidence_below)
    if ai_failed:
        queue = queue.filter(current__status=Enrichment.Status.FAILED)
    if search.strip():
        queue = queue.filter(ticket_search_filter(search))
    return queue.order_by(F("queue_rank").desc(), "received_at", "id")


def ticket_search_filter(search: str) -> Q:
    """What an agent's search matches: every word of it (web-search syntax: "a phrase", -word, or) in
    the subject, body, customer name or e-mail, English stems included (refunds finds refunded), or the
    external id typed whole, in any case. Both use indexes (`ticket_search_gin`,
    `ticket_external_id_lower_idx`); a substring of a word is not a word and finds nothing."""
    search = search.strip()
    return Q(search_vector=SearchQuery(search, search_type="websearch", config="english")) | Exact(
        Lower("external_id"), search.lower()
    )


def tickets_of_customer(*, customer: str, source: Source | None = None) -> QuerySet[Ticket]:
    """A customer's tickets, by external id or e-mail (case-insensitive), on the indexes the customer
    history uses."""
    same_customer = Q(customer_external_id=customer)
    if "@" in customer:
        same_customer |= Exact(Lower("customer_email"), customer.strip().lower())
    tickets = Ticket.objects.filter(same_customer)
    return tickets.filter(source=source) if source else tickets
