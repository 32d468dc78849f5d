"""django-q2 tasks: each loads by id and calls a service."""

import logging

from tickets.models import Ticket

logger = logging.getLogger(__name__)


def enrich_ticket(ticket_id: int) -> None:
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        logger.info("ticket %s vanished before enrichment", ticket_id)
        return
    logger.info("enrichment requested for ticket %s", ticket_id)
