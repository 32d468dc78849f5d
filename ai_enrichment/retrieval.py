"""Retrieval: knowledge-base passages (hybrid vector + full-text, fused by reciprocal rank) and similar
earlier tickets (vector), each within a budget, for the prompt and the local model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F
from pgvector.django import CosineDistance

from ai_enrichment.context import estimate_tokens
from ai_enrichment.models import KnowledgeChunk, KnowledgeTerm, TicketEmbedding
from feedback.selectors import confirmed_labels
from tickets.models import Ticket

CANDIDATES = 20  # per method, before fusion
RRF_K = 60  # the usual constant of reciprocal rank fusion: damps the weight of the very top ranks
# How many chunks the full-text query may match, summed over its words. Ranking every match is the cost
# (5–10 µs each: OR-ing all of a ticket's words matched 26k of 100k chunks, 120 ms; bench/retrieval.py),
# and a word found in thousands of chunks says little about any of them (ts_rank has no IDF).
FULLTEXT_MATCH_BUDGET = 2000
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@dataclass(frozen=True)
class Passage:
    chunk_id: int
    document_id: int
    title: str
    heading: str
    text: str
    similarity: float  # cosine similarity of the chunk to the query
    score: float  # fused rank score

    def citation(self) -> dict:
        return {
            "chunk_id": self.chunk_id,
            "document_id": self.document_id,
            "title": self.title,
            "heading": self.heading,
        }


def knowledge_search(
    *,
    query_text: str,
    query_vector: list[float],
    k: int = 4,
    token_budget: int = 1200,
    min_similarity: float = 0.3,
) -> list[Passage]:
    """The best `k` passages for a ticket, fused from nearest neighbours and full-text matches.

    A passage must also be similar enough by meaning (`min_similarity`), so a common word shared with an
    unrelated article never makes it relevant; when nothing passes, the caller knows the knowledge base
    has no answer and says so instead of inventing one.
    """
    distance = CosineDistance("embedding", query_vector)
    by_vector = list(
        KnowledgeChunk.objects.annotate(distance=distance)
        .order_by("distance")
        .values_list("id", flat=True)[:CANDIDATES]
    )
    by_text: list[int] = []
    if query := knowledge_text_query(query_text):
        by_text = list(
            KnowledgeChunk.objects.filter(search_vector=query)
            # ts_rank, not ts_rank_cd: half the cost on large matches, and the fusion only uses the order.
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank")
            .values_list("id", flat=True)[:CANDIDATES]
        )
    scores: dict[int, float] = {}
    for ranking in (by_vector, by_text):
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)

    chunks = (
        KnowledgeChunk.objects.filter(id__in=scores)
        .annotate(distance=distance)
        .select_related("document")
        .defer("embedding", "search_vector")  # the distance is computed in SQL; parsing vectors is not free
    )
    passages = sorted(
        (
            Passage(
                chunk_id=chunk.id,
                document_id=chunk.document_id,
                title=chunk.document.title,
                heading=chunk.heading,
                text=chunk.text,
                similarity=1.0 - chunk.distance,
                score=scores[chunk.id],
            )
            for chunk in chunks
            if 1.0 - chunk.distance >= min_similarity
        ),
        key=lambda passage: passage.score,
        reverse=True,
    )
    chosen, used = [], 0
    for passage in passages[:k]:
        cost = estimate_tokens(passage.text)
        if used + cost > token_budget:
            break
        chosen.append(passage)
        used += cost
    return chosen


def knowledge_text_query(text: str) -> SearchQuery | None:
    """The full-text half's query: the ticket's rarest words, OR-ed, while the chunks they match add up
    to at most FULLTEXT_MATCH_BUDGET (counts from `KnowledgeTerm`). Words no chunk contains are left out
    (they match nothing); None when every word is commoner than the budget (the vector half answers
    alone) or the text has no words."""
    words = _search_words(text)
    if not words:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, term.lexeme, term.chunks "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS w(word, position), "
            "unnest(to_tsvector('english', word)) AS l "
            f"JOIN {KnowledgeTerm._meta.db_table} term ON term.lexeme = l.lexeme "
            "ORDER BY term.chunks, position",
            [words],
        )
        counted = cursor.fetchall()
    rare: list[str] = []
    lexemes: set[str] = set()
    matched = 0
    for word, lexeme, chunks in counted:
        if lexeme in lexemes:  # refund and refunds: one lexeme, counted once
            continue
        if matched + chunks > FULLTEXT_MATCH_BUDGET:
            break
        rare.append(word)
        lexemes.add(lexeme)
        matched += chunks
    if not rare:
        return None
    return SearchQuery(" or ".join(rare), search_type="websearch", config="english")


def _search_words(text: str, limit: int = 40) -> list[str]:
    """Distinct words of the ticket for an OR full-text query (websearch syntax, so nothing needs escaping)."""
    seen: dict[str, None] = {}
    for word in WORD.findall(text.lower()):
        if word not in ("or", "and", "not"):
            seen.setdefault(word, None)
        if len(seen) >= limit:
            break
    return list(seen)


@dataclass(frozen=True)
class SimilarTicket:
    ticket_id: int
    subject: str
    body: str
    similarity: float
    category: str  # the confirmed label, or "" when none
    priority: str
    reply: str
    changed_at: datetime | None = None  # its label's or its vector's last change (as a fit records it)
    label_similarity: float | None = None  # of the label vectors, when the neighbours were found by them


def similar_tickets(
    *,
    ticket: Ticket,
    query_vector: list[float],
    k: int = 5,
    confirmed_only: bool = False,
    label_vector: list[float] | None = None,
) -> list[SimilarTicket]:
    """The nearest other tickets of the same source; with `confirmed_only`, those an agent (or imported
    history) labeled — the few-shot examples and the local model's neighbours. With the ticket's
    `label_vector`, nearest by label vectors (the local model's vote), each with both similarities."""
    neighbours = (
        TicketEmbedding.objects.filter(ticket__source_id=ticket.source_id)
        .exclude(ticket_id=ticket.id)
        .annotate(distance=CosineDistance("embedding", query_vector))
        .select_related("ticket", "ticket__label")
        .defer("embedding", "label_embedding")  # distances are computed in SQL; parsing vectors is not free
    )
    if label_vector is None:
        neighbours = neighbours.order_by("distance")
    else:
        # A ticket embedded by another embedder (a remote one, before) has none: it is left out.
        neighbours = (
            neighbours.filter(label_embedding__isnull=False)
            .annotate(label_distance=CosineDistance("label_embedding", label_vector))
            .order_by("label_distance")
        )
    if confirmed_only:
        neighbours = neighbours.filter(
            ticket_id__in=confirmed_labels(source_id=ticket.source_id).values("ticket_id")
        )
    result = []
    for neighbour in neighbours[:k]:
        label = getattr(neighbour.ticket, "label", None)
        result.append(
            SimilarTicket(
                ticket_id=neighbour.ticket_id,
                subject=neighbour.ticket.subject,
                body=neighbour.ticket.body,
                similarity=1.0 - neighbour.distance,
                category=label.category if label else "",
                priority=label.priority if label else "",
                reply=label.reply if label else "",
                changed_at=max(label.updated_at, neighbour.updated_at) if label else None,
                label_similarity=None if label_vector is None else 1.0 - neighbour.label_distance,
            )
        )
    return result
