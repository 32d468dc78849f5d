"""The `local` provider: the local model behind the provider interface (no network, no cost)."""

from __future__ import annotations

import logging

import numpy as np
from django.conf import settings

from ai_enrichment import local_model
from ai_enrichment.label_model import LabelModel, label_descriptions, label_models_for
from ai_enrichment.prompts import PromptParts
from ai_enrichment.providers.base import Provider, ProviderAnswer, ProviderError, Repair, Usage
from ai_enrichment.retrieval import SimilarTicket, similar_tickets
from ai_enrichment.selectors import taxonomy_current
from ai_enrichment.services import ticket_embedding_ensure, ticket_embedding_text, ticket_label_vector

logger = logging.getLogger(__name__)


class LocalProvider(Provider):
    name = "local"
    # v2: the neighbours' vote averaged with a trained model (label_model); v3: the vote compares label
    # vectors (ticket_label_vector).
    model = "local-v3"
    external = False  # runs in this process: it reads the ticket itself, nothing is redacted

    def complete(
        self, *, prompt: PromptParts, repair: Repair | None, max_output_tokens: int, timeout: float
    ) -> ProviderAnswer:
        context = prompt.context
        ticket = context.ticket
        try:
            vector = context.vector or ticket_embedding_ensure(ticket=ticket)
            models, shares = self._trained_half(ticket=ticket, vector=vector)
            # One set of neighbours for both fields: the category's examples decide how they are found.
            category_model = models.get("category")
            label_vector = (
                ticket_label_vector(ticket)
                if category_model
                and local_model.compares_label_vectors(confirmed_per_label=category_model.confirmed_per_label)
                else None
            )
            neighbours = similar_tickets(
                ticket=ticket,
                query_vector=vector,
                k=local_model.NEIGHBOURS,
                confirmed_only=True,
                label_vector=label_vector,
            )
            categories = prompt.schema["properties"]["category"]["enum"]
            priorities = prompt.schema["properties"]["priority"]["enum"]
            described = label_descriptions(taxonomy=taxonomy_current())
            category = local_model.vote(
                **_neighbours(neighbours, field="category", model=models.get("category")),
                descriptions=described["category"].neighbours(vector=vector, label_vector=label_vector),
                allowed=categories,
                fallback="other" if "other" in categories else categories[-1],
                model_shares=shares.get("category"),
            )
            priority = local_model.vote(
                **_neighbours(neighbours, field="priority", model=models.get("priority")),
                descriptions=described["priority"].neighbours(vector=vector, label_vector=label_vector),
                allowed=priorities,
                fallback=priorities[len(priorities) // 2],
                model_shares=shares.get("priority"),
            )
            summary = local_model.extractive_summary(
                ticket.body, subject=ticket.subject, max_chars=settings.AI_SUMMARY_MAX_CHARS
            )
            reply = local_model.local_reply(
                ticket=ticket,
                passages=context.passages,
                examples=neighbours,
                max_chars=settings.AI_REPLY_MAX_CHARS,
            )
        except Exception as error:  # the database or the embedding model failed: nothing to retry here
            raise ProviderError(
                f"local model failed: {type(error).__name__}: {error}", retryable=False, kind="local"
            ) from error
        output = {
            "category": category.label,
            "priority": priority.label,
            "summary": summary,
            "suggested_reply": reply.text,
            # The labels are the uncertain part; the reply is grounded or says it is not.
            "confidence": min(category.confidence, priority.confidence) if neighbours else 0.0,
            "language": local_model.ticket_language(ticket),
            "sentiment": local_model.sentiment(f"{ticket.subject}\n{ticket.body}"),
            "cited_passages": reply.cited_passages,
        }
        return ProviderAnswer(
            output=output, usage=Usage(), model=self.model, reply_source_ticket=reply.source_ticket
        )

    def _trained_half(
        self, *, ticket, vector: list[float]
    ) -> tuple[dict[str, LabelModel], dict[str, dict[str, float]]]:
        """The source's trained models by field, and their shares for this ticket.

        The last link of the chain must answer: if the trained half fails, the vote alone serves."""
        text, vectors = [ticket_embedding_text(ticket)], np.asarray([vector], dtype=np.float32)
        try:
            models = label_models_for(source_id=ticket.source_id)
            return models, {
                field: model.shares(texts=text, vectors=vectors)[0] for field, model in models.items()
            }
        except Exception:
            logger.exception(
                "The trained label models of source %s failed; the vote alone serves", ticket.source_id
            )
            return {}, {}


def _neighbours(
    neighbours: list[SimilarTicket], *, field: str, model: LabelModel | None
) -> dict[str, list[tuple[str, float]]]:
    """The labeled neighbours' (label, similarity) for `local_model.vote`, split into those the field's
    model learned and those whose label changed after its fit (an agent's correction since)."""
    split: dict[str, list[tuple[str, float]]] = {"neighbours": [], "newer_than_model": []}
    learned_until = model.learned_until if model else None
    for neighbour in neighbours:
        label = getattr(neighbour, field)
        if not label:  # priority may be blank
            continue
        newer = learned_until is not None and neighbour.changed_at > learned_until
        similarity = (
            neighbour.similarity if neighbour.label_similarity is None else neighbour.label_similarity
        )
        split["newer_than_model" if newer else "neighbours"].append((label, similarity))
    return split
