"""Suggestions an agent worked through, with known outcomes: the data the dashboard tests (and its
browser test) check figures against. Written through the same services the workspace uses."""

from datetime import timedelta
from decimal import Decimal

from ai_enrichment.models import AICall, Enrichment
from feedback.services import feedback_labels, feedback_reply, feedback_vote
from tests.workspace.conftest import enriched_ticket

SUGGESTED = "Hello Ana. We refunded the duplicate charge today. It reaches your card in three days. Regards."
LIGHTLY_EDITED = SUGGESTED.replace("three", "five")
REWRITTEN = "Please reconnect the bank feed under Settings."


def suggestion(desk, external_id, **fields) -> Enrichment:
    defaults = {
        "provider": "anthropic",
        "model": "claude-haiku-4-5",
        "prompt_version": "enrich-v2",
        "suggested_reply": SUGGESTED,
        "passages_offered": 1,
    }
    ticket = enriched_ticket(desk, external_id, **{**defaults, **fields})
    Enrichment.objects.filter(ticket=ticket).update(finished_at=ticket.received_at + timedelta(seconds=2))
    return Enrichment.objects.get(ticket=ticket)


def call(enrichment, *, cost="0", latency=1000, status=AICall.Status.OK, attempt=1, cache="") -> AICall:
    return AICall.objects.create(
        ticket_id=enrichment.ticket_id,
        enrichment=enrichment,
        provider=enrichment.provider,
        model=enrichment.model,
        prompt_version=enrichment.prompt_version,
        input_hash="x",
        attempt=attempt,
        status=status,
        input_tokens=1000,
        output_tokens=200,
        cost_usd=Decimal(cost),
        latency_ms=latency,
        cache=cache,
    )


def worked_history(desk, agent) -> dict[str, Enrichment]:
    """Five enrichments an agent worked through, with known outcomes:

    e1 (v2): labels kept, reply sent unchanged, thumbs up.
    e2 (v2, unsure 0.55): category corrected billing → account, reply lightly edited, thumbs down.
    e3 (v1): priority corrected, reply rewritten, thumbs down for wrong facts; cites article 7.
    e4 (v1): failed, no suggestion.  e5 (v1): retrieval found nothing; nobody acted on it.
    """
    e1 = suggestion(
        desk, "T-1", citations=[{"chunk_id": 1, "document_id": 8, "title": "Refunds", "heading": ""}]
    )
    e2 = suggestion(desk, "T-2", confidence=0.55)
    e3 = suggestion(
        desk,
        "T-3",
        category="technical",
        priority="low",
        confidence=0.8,
        prompt_version="enrich-v1",
        citations=[{"chunk_id": 2, "document_id": 7, "title": "Bank feeds", "heading": "Sync"}],
    )
    e4 = Enrichment.objects.get(ticket=enriched_ticket(desk, "T-4", status="failed"))
    e5 = suggestion(
        desk, "T-5", prompt_version="enrich-v1", passages_offered=0, provider="local", model="local-knn-v1"
    )

    feedback_labels(enrichment=e1, agent=agent, category="billing", priority="high")
    feedback_reply(enrichment=e1, agent=agent, final_reply=SUGGESTED)
    feedback_vote(enrichment=e1, agent=agent, vote="up")
    feedback_labels(enrichment=e2, agent=agent, category="account", priority="high")
    feedback_reply(enrichment=e2, agent=agent, final_reply=LIGHTLY_EDITED)
    feedback_vote(enrichment=e2, agent=agent, vote="down", reason="wrong_category")
    feedback_labels(enrichment=e3, agent=agent, category="technical", priority="medium")
    feedback_reply(enrichment=e3, agent=agent, final_reply=REWRITTEN)
    feedback_vote(enrichment=e3, agent=agent, vote="down", reason="wrong_facts")

    call(e1, cost="0.01", latency=1000)
    call(e2, cost="0.02", latency=2000)
    call(e3, status=AICall.Status.ERROR, latency=500)
    call(e3, cost="0.03", latency=3000, attempt=2)
    call(e5, latency=100)
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5}
