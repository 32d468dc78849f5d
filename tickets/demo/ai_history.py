"""A simulated past for the demo: what an earlier AI suggested for the demo company's solved tickets,
the calls that made those suggestions, and what agents did with them. With it the lead dashboard has
weeks of figures on a fresh install.

Simulated, and said so: the AI's labels, replies, timings and the agents' actions come from a seeded
random generator (no model runs), shaped like a team that moved from prompt enrich-v1 to enrich-v2 three
weeks ago. The agents' final labels and replies are the demo's true ones. Rows are written through
the same feedback services the workspace uses, then dated back to when each ticket came in.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from pgvector.django import CosineDistance

from ai_enrichment.accounting import cost_usd
from ai_enrichment.models import AICall, Enrichment, KnowledgeChunk, TicketEmbedding
from ai_enrichment.providers.base import Usage
from feedback.models import Feedback, TicketLabel
from feedback.services import feedback_labels, feedback_reply, feedback_vote
from tickets.models import Ticket

CATEGORIES = ("billing", "technical", "feature_request", "complaint", "account", "other")
PRIORITIES = ("low", "medium", "high", "critical")
# Mistakes a classifier plausibly makes on support tickets.
CONFUSIONS = {
    "billing": ("account", "complaint"),
    "technical": ("feature_request", "account"),
    "feature_request": ("technical", "other"),
    "complaint": ("billing", "technical"),
    "account": ("billing", "technical"),
    "other": ("feature_request", "account"),
}
SWITCHED_TO_V2_DAYS_AGO = 21
# (prompt version) → chance the category is right; the local model answers when the API did not.
CATEGORY_ACCURACY = {"enrich-v1": 0.76, "enrich-v2": 0.87, "local": 0.7}
GENERIC_REPLY = (
    "Thanks for reaching out. We are looking into this and will get back to you as soon as we can."
)
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def demo_ai_history_load(*, tickets: list[Ticket], seed: int = 11) -> int:
    """Give each solved, labeled demo ticket a past suggestion, its AI calls and the agent's feedback."""
    rng = random.Random(seed)
    agent = get_user_model().objects.filter(username="agent").first()
    now = timezone.now()
    written = 0
    with transaction.atomic():
        for ticket in sorted(tickets, key=lambda t: t.pk):
            label = TicketLabel.objects.filter(ticket=ticket).first()
            if label is None or ticket.enrichments.exists():
                continue
            enrichment = _suggestion(ticket=ticket, label=label, rng=rng, now=now)
            _calls(enrichment=enrichment, rng=rng)
            _agent_actions(enrichment=enrichment, label=label, agent=agent, rng=rng)
            written += 1
    return written


def _suggestion(*, ticket: Ticket, label: TicketLabel, rng: random.Random, now) -> Enrichment:
    days_ago = (now - ticket.received_at).days
    local = rng.random() < 0.12  # the API was briefly unavailable: the local model answered
    version = "enrich-v2" if days_ago < SWITCHED_TO_V2_DAYS_AGO else "enrich-v1"
    right = rng.random() < CATEGORY_ACCURACY["local" if local else version]
    category = label.category if right else rng.choice(CONFUSIONS[label.category])
    priority = label.priority
    if rng.random() < 0.2:  # off by one step
        index = PRIORITIES.index(label.priority) + rng.choice((-1, 1))
        priority = PRIORITIES[min(max(index, 0), len(PRIORITIES) - 1)]
    confidence = rng.uniform(0.62, 0.97) if right else rng.uniform(0.38, 0.78)
    citations = _nearest_citations(ticket)
    started = ticket.received_at + timedelta(seconds=rng.uniform(0.5, 3))
    enrichment = Enrichment.objects.create(
        ticket=ticket,
        status=Enrichment.Status.FALLBACK if local else Enrichment.Status.DONE,
        status_reason="The AI service did not answer in time; the local model suggested this."
        if local
        else "",
        ticket_content_hash=ticket.content_hash,
        category=category,
        priority=priority,
        summary=SENTENCE.split(ticket.body.strip())[0][:300],
        suggested_reply=_suggested_reply(label.reply, rng, better=version == "enrich-v2" and not local),
        confidence=round(confidence, 3),
        language=ticket.language,
        sentiment="negative" if label.category == "complaint" else "neutral",
        citations=citations,
        passages_offered=len(citations),
        provider="local" if local else "anthropic",
        model="local-knn-v1" if local else settings.AI_MODEL,
        prompt_version=version,
        claims=1,
    )
    Enrichment.objects.filter(pk=enrichment.pk).update(
        created_at=ticket.received_at,
        started_at=started,
        finished_at=started + timedelta(seconds=rng.lognormvariate(0.4, 0.5)),
    )
    enrichment.refresh_from_db()
    return enrichment


def _nearest_citations(ticket: Ticket) -> list[dict]:
    """The knowledge-base passages closest to the ticket, cited as the pipeline cites them."""
    embedding = TicketEmbedding.objects.filter(ticket=ticket).first()
    if embedding is None:
        return []
    chunks = (
        KnowledgeChunk.objects.select_related("document")
        .annotate(distance=CosineDistance("embedding", embedding.embedding))
        .filter(distance__lt=1 - settings.KB_MIN_SIMILARITY - 0.15)
        .order_by("distance")[:2]
    )
    return [
        {"chunk_id": c.pk, "document_id": c.document_id, "title": c.document.title, "heading": c.heading}
        for c in chunks
    ]


def _suggested_reply(reply: str, rng: random.Random, *, better: bool) -> str:
    """The suggestion the agent started from: the reply they sent, more or less changed (the newer
    prompt's drafts need fewer edits)."""
    sentences = SENTENCE.split(reply.strip())
    draw = rng.random() * (0.85 if better else 1.0)
    if draw < 0.38 or len(sentences) < 3:
        return reply  # sent unchanged
    if draw < 0.72:  # lightly edited: the agent added one sentence
        return " ".join(sentences[:-2] + sentences[-1:])
    if draw < 0.9:  # heavily edited: only the opening survived
        return " ".join(sentences[: max(1, len(sentences) // 3)] + [GENERIC_REPLY])
    return GENERIC_REPLY  # rewritten


def _calls(*, enrichment: Enrichment, rng: random.Random) -> None:
    finished = enrichment.finished_at
    attempts = []
    if enrichment.provider == "local":
        attempts.append(("anthropic", settings.AI_MODEL, AICall.Status.ERROR, Usage(), 30000, 1))
        attempts.append(("local", "local-knn-v1", AICall.Status.OK, Usage(), int(rng.uniform(30, 90)), 1))
    else:
        if rng.random() < 0.05:  # rate limited once, then answered
            attempts.append((enrichment.provider, enrichment.model, AICall.Status.ERROR, Usage(), 120, 1))
        cached = enrichment.prompt_version == "enrich-v2"  # v2 caches the system prompt
        usage = Usage(
            input_tokens=int(rng.uniform(900, 1500)) if cached else int(rng.uniform(1900, 2700)),
            output_tokens=int(rng.uniform(220, 420)),
            cache_read_tokens=1150 if cached else 0,
        )
        latency = int(rng.lognormvariate(7.25, 0.35))  # median about 1.4 s
        attempts.append(
            (enrichment.provider, enrichment.model, AICall.Status.OK, usage, latency, len(attempts) + 1)
        )
    for provider, model, status, usage, latency, attempt in attempts:
        AICall.objects.create(
            ticket_id=enrichment.ticket_id,
            enrichment=enrichment,
            provider=provider,
            model=model,
            prompt_version=enrichment.prompt_version,
            input_hash=AICall.hash_input(f"demo {enrichment.pk} {attempt}"),
            attempt=attempt,
            status=status,
            error_class="" if status == AICall.Status.OK else "APITimeoutError",
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cost_usd=cost_usd(model=model, usage=usage) if status == AICall.Status.OK else Decimal(0),
            latency_ms=latency,
        )
    AICall.objects.filter(enrichment=enrichment).update(created_at=finished)


def _agent_actions(*, enrichment: Enrichment, label: TicketLabel, agent, rng: random.Random) -> None:
    """Labels confirmed, the reply sent, sometimes a vote: each via the workspace's services."""
    picked_up = enrichment.finished_at + timedelta(minutes=rng.uniform(5, 240))
    now = timezone.now()
    rows = [
        feedback_labels(
            enrichment=enrichment,
            agent=agent,
            category=label.category,
            priority=label.priority,
            displayed_at=now - timedelta(seconds=rng.uniform(8, 60)),
        )
    ]
    sent = feedback_reply(
        enrichment=enrichment,
        agent=agent,
        final_reply=label.reply,
        displayed_at=now - timedelta(seconds=rng.uniform(40, 300)),
    )
    rows.append(sent)
    wrong = enrichment.category != label.category
    if wrong or sent.similarity < 0.3:
        if rng.random() < 0.7:
            reason = (
                Feedback.Reason.WRONG_CATEGORY if wrong else rng.choice(("wrong_facts", "unhelpful", "tone"))
            )
            rows.append(
                feedback_vote(enrichment=enrichment, agent=agent, vote=Feedback.Vote.DOWN, reason=reason)
            )
    elif rng.random() < 0.35:
        rows.append(feedback_vote(enrichment=enrichment, agent=agent, vote=Feedback.Vote.UP))
    for offset, row in enumerate(rows):
        row.created_at = picked_up + timedelta(seconds=30 * offset + (row.seconds_to_action or 0))
    Feedback.objects.bulk_update(rows, ["created_at"])
