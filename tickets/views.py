"""The agent workspace: the queue and the ticket page, each a full page or an HTMX fragment of itself.

Views only read the request, check access (tickets.access) and call selectors and services.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from ai_enrichment.models import Enrichment
from ai_enrichment.selectors import enrichment_current
from feedback.services import feedback_labels, feedback_regenerate, feedback_reply, feedback_vote
from tickets.access import agent_required, sources_visible_to, ticket_for_agent, tickets_visible_to
from tickets.forms import LabelsForm, QueueFilterForm, ReplyForm, VoteForm
from tickets.selectors import ticket_queue

QUEUE_PAGE_SIZE = 50
# Counting every match of a filter over a large queue costs more than rendering the page; past this
# many, the queue says "1,000+" (agents narrow the filter rather than page to the end).
QUEUE_COUNT_CAP = 1000


class CappedPaginator(Paginator):
    def __init__(self, *args, cap: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


def home(request):
    if request.user.is_authenticated:
        return redirect("tickets:queue")
    return render(request, "tickets/home.html")


@require_GET
@agent_required
def queue(request):
    sources = list(sources_visible_to(request.user))
    form = QueueFilterForm(request.GET or None, sources=sources)
    filters = form.cleaned_data if form.is_valid() else {}
    tickets = ticket_queue(
        tickets=tickets_visible_to(request.user),
        status=filters.get("status") or "active",
        category=filters.get("category", ""),
        priority=filters.get("priority", ""),
        source=filters.get("source", ""),
        low_confidence_below=settings.AI_LOW_CONFIDENCE if filters.get("low_confidence") else None,
        ai_failed=bool(filters.get("ai_failed")),
        search=filters.get("q", ""),
    )
    page = CappedPaginator(tickets, QUEUE_PAGE_SIZE, cap=QUEUE_COUNT_CAP).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = (
        "tickets/queue.html#queue-results"
        if request.htmx and not request.htmx.boosted
        else "tickets/queue.html"
    )
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "low_confidence": settings.AI_LOW_CONFIDENCE,
    }
    return render(request, template, context)


@require_GET
@agent_required
def queue_badge(request, ticket_id: int):
    """The AI cell of one queue row; rows still waiting for the AI poll it until it lands."""
    ticket = ticket_for_agent(request.user, ticket_id)
    enrichment = enrichment_current(ticket_id=ticket.pk)
    context = {"ticket_id": ticket.pk, "low_confidence": settings.AI_LOW_CONFIDENCE}
    if enrichment is not None:
        context.update(
            status=enrichment.status,
            category=enrichment.category,
            priority=enrichment.priority,
            confidence=enrichment.confidence,
        )
    return render(request, "tickets/_ai_badge.html", context)


@require_GET
@agent_required
def ticket_detail(request, ticket_id: int):
    ticket = ticket_for_agent(request.user, ticket_id)
    context = {
        "ticket": ticket,
        "history": ticket.customer_history(),
        "earlier_enrichments": Enrichment.objects.filter(ticket=ticket, is_current=False)[:10],
        **_panel_context(ticket),
    }
    return render(request, "tickets/ticket.html", context)


@require_GET
@agent_required
def ai_panel(request, ticket_id: int):
    """The AI panel alone: polled while the suggestion is on its way."""
    ticket = ticket_for_agent(request.user, ticket_id)
    return render(request, "tickets/ticket.html#ai-panel", {"ticket": ticket, **_panel_context(ticket)})


def _panel_context(ticket, **forms) -> dict:
    enrichment = enrichment_current(ticket_id=ticket.pk)
    shown = {"displayed_at": timezone.now().isoformat()}
    return {
        "enrichment": enrichment,
        "vote_form": forms.get("vote_form") or VoteForm(initial=shown),
        "labels_form": forms.get("labels_form")
        or LabelsForm(
            initial={
                **shown,
                "category": getattr(enrichment, "category", ""),
                "priority": getattr(enrichment, "priority", ""),
            }
        ),
        "reply_form": forms.get("reply_form")
        or ReplyForm(
            initial={**shown, "final_reply": getattr(enrichment, "suggested_reply", ""), "action": "sent"}
        ),
    }


def _action_response(request, ticket, message: str, **forms):
    """After an action: the refreshed panel (HTMX, with a toast), or back to the page (no JavaScript)."""
    if not request.htmx:
        return redirect("tickets:detail", ticket_id=ticket.pk)
    response = render(
        request, "tickets/ticket.html#ai-panel", {"ticket": ticket, **_panel_context(ticket, **forms)}
    )
    if message:
        trigger_client_event(response, "toast", {"message": message})
    return response


def _acted_on(request, ticket_id: int):
    ticket = ticket_for_agent(request.user, ticket_id)
    enrichment = enrichment_current(ticket_id=ticket.pk)
    return ticket, enrichment


def _feedback_action(request, ticket_id: int, *, form_class, form_name: str, record, message: str):
    """One agent action on the current suggestion: validate the form, record it, answer."""
    ticket, enrichment = _acted_on(request, ticket_id)
    form = form_class(request.POST)
    if enrichment is None or not form.is_valid():
        return _form_error(request, ticket, **{form_name: form})
    record(enrichment=enrichment, agent=request.user, **form.cleaned_data)
    return _action_response(request, ticket, message)


@require_POST
@agent_required
def vote(request, ticket_id: int):
    return _feedback_action(
        request,
        ticket_id,
        form_class=VoteForm,
        form_name="vote_form",
        record=feedback_vote,
        message="Thanks — your vote is recorded.",
    )


@require_POST
@agent_required
def labels(request, ticket_id: int):
    return _feedback_action(
        request,
        ticket_id,
        form_class=LabelsForm,
        form_name="labels_form",
        record=feedback_labels,
        message="Labels saved — the AI learns from them.",
    )


def _record_reply(*, enrichment, agent, final_reply, action, displayed_at):
    feedback_reply(
        enrichment=enrichment,
        agent=agent,
        final_reply=final_reply,
        copied=action == "copied",
        displayed_at=displayed_at,
    )


@require_POST
@agent_required
def reply(request, ticket_id: int):
    return _feedback_action(
        request,
        ticket_id,
        form_class=ReplyForm,
        form_name="reply_form",
        record=_record_reply,
        message="Reply recorded.",
    )


@require_POST
@agent_required
def regenerate(request, ticket_id: int):
    ticket, enrichment = _acted_on(request, ticket_id)
    if enrichment is None:
        return _form_error(request, ticket)
    feedback_regenerate(enrichment=enrichment, agent=request.user)
    return _action_response(request, ticket, "A new suggestion is on its way.")


def _form_error(request, ticket, **forms):
    """Invalid input: the panel (HTMX) or the page again, with the errors next to their fields, as a 400."""
    context = {"ticket": ticket, **_panel_context(ticket, **forms)}
    if request.htmx:
        return render(request, "tickets/ticket.html#ai-panel", context, status=400)
    return render(
        request, "tickets/ticket.html", {**context, "history": ticket.customer_history()}, status=400
    )
