"""Versioned prompts, and the one function that turns a ticket into what a provider is sent.

Each version is a file here (`enrich-v1.md`); the version used is recorded on every enrichment and AI
call, so a lead can compare versions. Never edit a released version: copy it to a new file and point
AI_PROMPT_VERSION at it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ai_enrichment.context import EnrichmentContext, prompt_data
from ai_enrichment.redaction import RedactionMap, strings_in
from ai_enrichment.selectors import Taxonomy

PROMPTS_DIR = Path(__file__).resolve().parent
TOOL_NAME = "record_enrichment"
SENTIMENTS = ["negative", "neutral", "positive"]


@dataclass(frozen=True)
class PromptParts:
    version: str
    system: str  # instructions + taxonomy: identical across tickets, so providers can cache it
    ticket_data: str  # the ticket and its context, delimited, as data
    schema: dict  # JSON schema of the answer
    context: EnrichmentContext  # the same context as structured data, for providers that are not LLMs
    # The placeholders in ticket_data and the originals they stand for; None when nothing was redacted.
    redaction: RedactionMap | None = None
    # The ticket, its history and the knowledge passages as sent (redacted and fitted), one string:
    # what a link or address in the answer must come from (validation.unverified_links).
    reference_text: str = ""


@cache
def prompt_template(version: str) -> str:
    path = PROMPTS_DIR / f"{version}.md"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in PROMPTS_DIR.glob("*.md")))
        raise ValueError(f"Unknown prompt version {version!r}; available: {available}")
    return path.read_text()


def answer_schema(taxonomy: Taxonomy, *, summary_max_chars: int, reply_max_chars: int) -> dict:
    return {
        "type": "object",
        "properties": {
            "category": {"type": "string", "enum": taxonomy.category_slugs},
            "priority": {"type": "string", "enum": taxonomy.priority_slugs},
            "summary": {"type": "string", "maxLength": summary_max_chars},
            "suggested_reply": {"type": "string", "maxLength": reply_max_chars},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "language": {"type": "string"},
            "sentiment": {"type": "string", "enum": SENTIMENTS},
            "cited_passages": {"type": "array", "items": {"type": "integer"}},
        },
        "required": [
            "category",
            "priority",
            "summary",
            "suggested_reply",
            "confidence",
            "language",
            "sentiment",
            "cited_passages",
        ],
        "additionalProperties": False,
    }


def as_data_block(data: dict) -> str:
    """JSON between markers. `<` is escaped so no text in the data can close the block early."""
    encoded = json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")
    return f"<ticket_data>\n{encoded}\n</ticket_data>"


def enrichment_prompt(
    *,
    context: EnrichmentContext,
    taxonomy: Taxonomy,
    version: str,
    token_budget: int,
    summary_max_chars: int,
    reply_max_chars: int,
    redaction: RedactionMap | None = None,
) -> PromptParts:
    """With a `redaction`, ticket_data carries placeholders instead of personal data (see redaction.py)."""
    system = prompt_template(version).format(
        categories="\n".join(f"- {label.slug}: {label.description}" for label in taxonomy.categories),
        priorities="\n".join(f"- {label.slug}: {label.description}" for label in taxonomy.priorities),
    )
    data = prompt_data(context=context, token_budget=token_budget, redaction=redaction)
    # Not confirmed_examples: those are other customers' tickets, whose addresses a reply must not use.
    reference = [data["ticket"], data["customer_history"], data["knowledge_passages"]]
    return PromptParts(
        version=version,
        system=system,
        ticket_data=as_data_block(data),
        schema=answer_schema(taxonomy, summary_max_chars=summary_max_chars, reply_max_chars=reply_max_chars),
        context=context,
        redaction=redaction,
        reference_text="\n".join(strings_in(reference)),
    )
