"""Nothing the model returns is trusted: every answer is checked here before anyone sees it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ai_enrichment.prompts import SENTIMENTS
from ai_enrichment.redaction import RedactionMap
from ai_enrichment.selectors import Taxonomy

# A sentence ends at . ! ? (or their CJK forms) followed by space or the end; good enough to catch a
# paragraph where two sentences were asked for.
SENTENCE_END = re.compile(r"[.!?。！？]+(?=\s|$)")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class EnrichmentOutput:
    category: str
    priority: str
    summary: str
    suggested_reply: str
    confidence: float
    language: str
    sentiment: str
    cited_passages: tuple[int, ...] = ()


@dataclass(frozen=True)
class Validation:
    output: EnrichmentOutput | None
    problems: list[str]


def validate_output(
    raw,
    *,
    taxonomy: Taxonomy,
    summary_max_chars: int,
    reply_max_chars: int,
    offered_passages: set[int] = frozenset(),
    redaction: RedactionMap | None = None,
) -> Validation:
    """With a `redaction`, a placeholder the prompt never had (the model made it up) is a problem."""
    if not isinstance(raw, dict):
        return Validation(
            None, ["The answer must be a JSON object given through the record_enrichment tool."]
        )
    problems: list[str] = []

    def text(field: str, max_chars: int) -> str:
        value = raw.get(field)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"`{field}` must be a non-empty string.")
            return ""
        if len(value) > max_chars:
            problems.append(f"`{field}` is {len(value)} characters; the limit is {max_chars}.")
        if redaction is not None and (invented := redaction.unknown_placeholders(value)):
            problems.append(
                f"`{field}` has placeholders that are not in the ticket data: {', '.join(invented)}. "
                "Use only placeholders that appear in the ticket data, exactly as written."
            )
        return value.strip()

    category, priority = raw.get("category"), raw.get("priority")
    if category not in taxonomy.category_slugs:
        problems.append(f"`category` {category!r} is not one of: {', '.join(taxonomy.category_slugs)}.")
    if priority not in taxonomy.priority_slugs:
        problems.append(f"`priority` {priority!r} is not one of: {', '.join(taxonomy.priority_slugs)}.")
    summary = text("summary", summary_max_chars)
    if summary and len(SENTENCE_END.findall(summary)) > 2:
        problems.append("`summary` must be at most two sentences.")
    reply = text("suggested_reply", reply_max_chars)
    confidence = raw.get("confidence")
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not math.isfinite(confidence)
        or not 0 <= confidence <= 1
    ):
        problems.append("`confidence` must be a number from 0 to 1.")
    language = raw.get("language")
    if not isinstance(language, str) or not LANGUAGE_CODE.match(language.strip()):
        problems.append("`language` must be an ISO 639-1 code such as 'en'.")
    sentiment = raw.get("sentiment")
    if sentiment not in SENTIMENTS:
        problems.append(f"`sentiment` must be one of: {', '.join(SENTIMENTS)}.")

    cited = raw.get("cited_passages", [])
    if not isinstance(cited, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in cited
    ):
        problems.append("`cited_passages` must be a list of passage ids.")
        cited = []
    elif unknown := sorted(set(cited) - set(offered_passages)):
        problems.append(f"`cited_passages` has ids that were not offered: {unknown}.")

    if problems:
        return Validation(None, problems)
    return Validation(
        EnrichmentOutput(
            category=category,
            priority=priority,
            summary=summary,
            suggested_reply=reply,
            confidence=float(confidence),
            language=language.strip(),
            sentiment=sentiment,
            cited_passages=tuple(dict.fromkeys(cited)),
        ),
        [],
    )
