"""Writes for agents' feedback. Confirmed labels become the examples the AI learns from."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from feedback.models import TicketLabel
from tickets.models import Ticket


def ticket_label_confirm(
    *,
    ticket: Ticket,
    category: str,
    priority: str = "",
    reply: str = "",
    origin: str = TicketLabel.Origin.AGENT,
    labeled_by: AbstractBaseUser | None = None,
) -> TicketLabel:
    """Record the labels a person confirmed for a ticket (accepting or correcting the AI's).

    The latest confirmation wins. The local model and few-shot retrieval see it on their next
    prediction: there is no retraining step.
    """
    label, _ = TicketLabel.objects.update_or_create(
        ticket=ticket,
        defaults={
            "category": category,
            "priority": priority,
            "reply": reply,
            "origin": origin,
            "labeled_by": labeled_by,
        },
    )
    return label
