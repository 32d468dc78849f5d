"""Which AI providers may see a ticket.

The configured chain applies unless the ticket is one that should not leave the company: its source is
marked sensitive, or its text carries more personal details than AI_PII_LOCAL_ABOVE. Those stay on
self-hosted providers (the local model, and an OpenAI-compatible endpoint when
OPENAI_COMPAT_SELF_HOSTED says it runs in-house). A ticket that tries to instruct the AI goes to the
local model alone when AI_INJECTION_ROUTE is `local`. The reason is recorded on every AI call and shown
to agents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from ai_enrichment.injection import InjectionVerdict
from ai_enrichment.providers import provider_get
from ai_enrichment.redaction import RedactionMap, redactor
from tickets.models import Ticket


@dataclass(frozen=True)
class Route:
    chain: tuple[str, ...]
    reason: str = ""  # why the configured chain was narrowed, for agents and the AICall; "" if it was not


def personal_details(ticket: Ticket) -> int:
    """How many distinct personal details (e-mail addresses, phone numbers, cards, IBANs, IP addresses,
    custom patterns) the ticket's own text carries: subject, body and metadata. The customer's e-mail
    field is not counted: every ticket has one."""
    found = RedactionMap(redactor())
    found.redact_data([ticket.subject, ticket.body, ticket.metadata])
    return sum(found.counts.values())


def enrichment_route(*, ticket: Ticket, chain: Sequence[str], injection: InjectionVerdict) -> Route:
    if injection.flagged and settings.AI_INJECTION_ROUTE == "local":
        return Route(
            chain=("local",),
            reason="Sent to the local model only: the ticket's text tries to instruct the AI.",
        )
    if ticket.source.is_sensitive:
        why = f"the source {ticket.source.name} is marked sensitive"
    elif (
        settings.AI_PII_LOCAL_ABOVE is not None
        and (count := personal_details(ticket)) > settings.AI_PII_LOCAL_ABOVE
    ):
        why = f"the ticket carries {count} personal details (more than {settings.AI_PII_LOCAL_ABOVE})"
    else:
        return Route(chain=tuple(chain))
    kept = tuple(name for name in chain if not provider_get(name).external)
    if not kept:
        return Route(chain=(), reason=f"No self-hosted AI provider is configured, and {why}.")
    return Route(chain=kept, reason=f"Kept on self-hosted AI ({', '.join(kept)}): {why}.")
