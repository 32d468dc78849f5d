"""Reads of agents' feedback shared by the AI and the dashboard."""

from django.db.models import QuerySet

from feedback.models import TicketLabel


def confirmed_labels(*, source_id: int | None = None) -> QuerySet[TicketLabel]:
    """Every label a person confirmed (agents' corrections and imported history): the one place the
    local model, few-shot retrieval and evaluation read their examples from."""
    labels = TicketLabel.objects.select_related("ticket")
    if source_id is not None:
        labels = labels.filter(ticket__source_id=source_id)
    return labels
