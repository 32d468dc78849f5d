"""Writes for agents' feedback on AI suggestions. Each agent action is one service call and one row;
confirmed labels become the examples the AI learns from."""

from __future__ import annotations

import difflib
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ai_enrichment.models import Enrichment
from feedback.models import Feedback, TicketLabel
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


def _feedback(
    *, enrichment: Enrichment, agent, kind: str, displayed_at: datetime | None, **fields
) -> Feedback:
    return Feedback.objects.create(
        enrichment=enrichment,
        agent=agent,
        kind=kind,
        seconds_to_action=(timezone.now() - displayed_at).total_seconds() if displayed_at else None,
        provider=enrichment.provider,
        model=enrichment.model,
        prompt_version=enrichment.prompt_version,
        **fields,
    )


def feedback_vote(
    *,
    enrichment: Enrichment,
    agent,
    vote: str,
    reason: str = "",
    comment: str = "",
    displayed_at: datetime | None = None,
) -> Feedback:
    """Thumbs up or down on a suggestion, with an optional reason and comment."""
    return _feedback(
        enrichment=enrichment,
        agent=agent,
        kind=Feedback.Kind.VOTE,
        displayed_at=displayed_at,
        vote=vote,
        reason=reason if vote == Feedback.Vote.DOWN else "",
        comment=comment,
    )


def feedback_labels(
    *, enrichment: Enrichment, agent, category: str, priority: str, displayed_at: datetime | None = None
) -> Feedback:
    """The agent's category and priority for the ticket: an acceptance when they match the AI's, a
    correction otherwise. Either way they become the ticket's confirmed label (a training example)."""
    overrides = {
        field: {"from": getattr(enrichment, field), "to": value}
        for field, value in (("category", category), ("priority", priority))
        if value != getattr(enrichment, field)
    }
    with transaction.atomic():
        ticket_label_confirm(ticket=enrichment.ticket, category=category, priority=priority, labeled_by=agent)
        return _feedback(
            enrichment=enrichment,
            agent=agent,
            kind=Feedback.Kind.LABELS_CHANGED if overrides else Feedback.Kind.LABELS_ACCEPTED,
            displayed_at=displayed_at,
            overrides=overrides,
        )


def reply_similarity(original: str, final: str) -> float:
    """0..1, how much of the suggestion survived into what was sent (difflib's ratio over words)."""
    return round(difflib.SequenceMatcher(None, original.split(), final.split(), autojunk=False).ratio(), 4)


def feedback_reply(
    *,
    enrichment: Enrichment,
    agent,
    final_reply: str,
    copied: bool = False,
    displayed_at: datetime | None = None,
) -> Feedback:
    """The reply the agent sent (or copied to the helpdesk), with its diff against the suggestion."""
    original = enrichment.suggested_reply
    diff = "".join(
        difflib.unified_diff(
            original.splitlines(keepends=True),
            final_reply.splitlines(keepends=True),
            "suggested",
            "sent",
            n=1,
        )
    )
    with transaction.atomic():
        label = TicketLabel.objects.filter(ticket=enrichment.ticket).first()
        if label is not None:  # the sent reply is part of the confirmed example
            label.reply = final_reply
            label.save(update_fields=["reply", "updated_at"])
        return _feedback(
            enrichment=enrichment,
            agent=agent,
            kind=Feedback.Kind.REPLY_COPIED if copied else Feedback.Kind.REPLY_SENT,
            displayed_at=displayed_at,
            original_reply=original,
            final_reply=final_reply,
            reply_diff=diff,
            similarity=reply_similarity(original, final_reply),
        )


def feedback_regenerate(*, enrichment: Enrichment, agent, displayed_at: datetime | None = None) -> Enrichment:
    """Ask for a new suggestion; the old one stays in the ticket's history."""
    from ai_enrichment.services import enrichment_request

    with transaction.atomic():
        _feedback(
            enrichment=enrichment, agent=agent, kind=Feedback.Kind.REGENERATE, displayed_at=displayed_at
        )
        return enrichment_request(ticket=enrichment.ticket, trigger=Enrichment.Trigger.REGENERATE)
