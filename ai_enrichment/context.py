"""What the model sees about a ticket, within a token budget.

One builder for every provider and prompt version: the ticket, the customer's recent tickets, and (as
the knowledge base arrives) passages and confirmed examples. Text is measured in estimated tokens
(4 characters each: there is no offline tokenizer for Claude, and the budget is a guard, not a bill).
"""

from __future__ import annotations

from tickets.models import Ticket

CHARS_PER_TOKEN = 4
HISTORY_LIMIT = 5
HISTORY_BODY_CHARS = 300


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


def ticket_context(*, ticket: Ticket, token_budget: int) -> dict:
    """The ticket and its customer's history as plain data, fitted to `token_budget`.

    The body gets what the subject and fields leave, up to 70 % of the budget; history items fill the
    rest, newest first, and are dropped (not cut mid-way) when they no longer fit.
    """
    context: dict = {
        "ticket": {
            "subject": ticket.subject,
            "body": ticket.body,
            "customer_name": ticket.customer_name,
            "customer_email": ticket.customer_email,
            "channel": ticket.channel,
            "language_hint": ticket.language,
            "metadata": ticket.metadata,
        },
        "customer_history": [],
    }
    fixed_tokens = estimate_tokens(str({**context["ticket"], "body": ""}))
    body_budget_chars = max(int(token_budget * 0.7) - fixed_tokens, 50) * CHARS_PER_TOKEN
    context["ticket"]["body"] = truncate_middle(ticket.body, max_chars=body_budget_chars)

    remaining = token_budget - fixed_tokens - estimate_tokens(context["ticket"]["body"])
    for earlier in ticket.customer_history(limit=HISTORY_LIMIT):
        item = {
            "received_at": earlier.received_at.date().isoformat(),
            "subject": earlier.subject,
            "body_excerpt": truncate_middle(earlier.body, max_chars=HISTORY_BODY_CHARS),
        }
        cost = estimate_tokens(str(item))
        if cost > remaining:
            break
        context["customer_history"].append(item)
        remaining -= cost
    return context
