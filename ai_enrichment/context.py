"""What the AI knows about a ticket when it suggests: one builder for every provider and prompt version.

The ticket, the customer's recent tickets, knowledge-base passages and confirmed examples of similar
tickets, each within a token budget. Text is measured in estimated tokens (4 characters each: there is
no offline tokenizer for Claude, and the budget is a guard, not a bill).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from ai_enrichment.redaction import RedactionMap
from tickets.models import Ticket

CHARS_PER_TOKEN = 4
HISTORY_BODY_CHARS = 300
EXAMPLE_BODY_CHARS = 400


def estimate_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def truncate_middle(text: str, *, max_chars: int) -> str:
    """Keep the start and the end, where customers state the problem and the question."""
    if len(text) <= max_chars:
        return text
    marker = f"\n[… {len(text) - max_chars} characters omitted …]\n"
    keep = max(max_chars - len(marker), 0)
    head = keep * 2 // 3
    tail = keep - head
    return text[:head] + marker + (text[-tail:] if tail else "")


@dataclass(frozen=True)
class EnrichmentContext:
    """Everything retrieved for one ticket; providers read what they need from it."""

    ticket: Ticket
    vector: list[float] | None = None
    passages: list = field(default_factory=list)  # retrieval.Passage, best first
    examples: list = field(default_factory=list)  # retrieval.SimilarTicket with confirmed labels


def enrichment_context(*, ticket: Ticket) -> EnrichmentContext:
    """Embed the ticket (if not yet) and retrieve its passages and confirmed similar tickets."""
    from ai_enrichment.retrieval import knowledge_search, similar_tickets
    from ai_enrichment.services import ticket_embedding_ensure

    vector = ticket_embedding_ensure(ticket=ticket)
    return EnrichmentContext(
        ticket=ticket,
        vector=vector,
        passages=knowledge_search(
            query_text=f"{ticket.subject}\n{ticket.body}",
            query_vector=vector,
            k=settings.KB_PASSAGES,
            token_budget=settings.KB_TOKEN_BUDGET,
            min_similarity=settings.KB_MIN_SIMILARITY,
        ),
        examples=similar_tickets(
            ticket=ticket, query_vector=vector, k=settings.FEW_SHOT_EXAMPLES, confirmed_only=True
        ),
    )


def prompt_data(
    *, context: EnrichmentContext, token_budget: int, redaction: RedactionMap | None = None
) -> dict:
    """The context as plain data for the prompt, fitted to `token_budget`.

    With a `redaction`, every string is redacted first, whole: a value cut in half by the fitting would
    no longer be recognised. Passages and examples were budgeted by retrieval. The body gets what the
    subject and fields leave, up to 70 % of the budget; history items fill the rest, newest first, and
    are dropped (not cut mid-way) when they no longer fit.
    """
    ticket = context.ticket
    data: dict = {
        "ticket": {
            "subject": ticket.subject,
            "body": ticket.body,
            "customer_name": ticket.customer_name,
            "customer_email": ticket.customer_email,
            "channel": ticket.channel,
            "language_hint": ticket.language,
            "metadata": ticket.metadata,
        },
        "customer_history": [
            {
                "received_at": earlier.received_at.date().isoformat(),
                "subject": earlier.subject,
                "body_excerpt": earlier.body,
            }
            for earlier in ticket.recent_history
        ],
        "knowledge_passages": [
            {
                "id": passage.chunk_id,
                "article": passage.title,
                "section": passage.heading,
                "text": passage.text,
            }
            for passage in context.passages
        ],
        "confirmed_examples": [
            {
                "subject": example.subject,
                "body_excerpt": example.body,
                "category": example.category,
                "priority": example.priority,
            }
            for example in context.examples
        ],
    }
    if redaction is not None:
        data = redaction.redact_data(data)
    for example in data["confirmed_examples"]:
        example["body_excerpt"] = truncate_middle(example["body_excerpt"], max_chars=EXAMPLE_BODY_CHARS)
    fixed_tokens = estimate_tokens(str({**data["ticket"], "body": ""}))
    body_budget_chars = max(int(token_budget * 0.7) - fixed_tokens, 50) * CHARS_PER_TOKEN
    data["ticket"]["body"] = truncate_middle(data["ticket"]["body"], max_chars=body_budget_chars)

    remaining = token_budget - fixed_tokens - estimate_tokens(data["ticket"]["body"])
    history, data["customer_history"] = data["customer_history"], []
    for item in history:
        item["body_excerpt"] = truncate_middle(item["body_excerpt"], max_chars=HISTORY_BODY_CHARS)
        cost = estimate_tokens(str(item))
        if cost > remaining:
            break
        data["customer_history"].append(item)
        remaining -= cost
    return data
