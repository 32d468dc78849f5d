"""Writes for the knowledge base: ingest a document (idempotently, replacing its chunks atomically),
delete or prune documents, and keep the word counts retrieval reads (`KnowledgeTerm`) in step."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from ai_enrichment.embeddings import embedder
from ai_enrichment.knowledge.chunking import chunk_sections, content_hash, estimate_tokens, parse_document
from ai_enrichment.models import KnowledgeChunk, KnowledgeDocument, KnowledgeTerm

HEADING_SEPARATOR = " › "
SUPPORTED_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt", ".pdf")


class IngestOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class DocumentIngested:
    document: KnowledgeDocument
    outcome: IngestOutcome
    chunks: int


def knowledge_document_ingest(*, source_path: str, content: bytes, force: bool = False) -> DocumentIngested:
    """Parse, chunk and embed one document. Unchanged content is a no-op; changed content replaces
    the document's chunks in one transaction, so retrieval never sees half an article.

    Raises ValueError for content it cannot read (unknown type, not UTF-8, broken PDF).
    """
    digest = content_hash(content)
    existing = KnowledgeDocument.objects.filter(source_path=source_path).first()
    if existing is not None and existing.content_hash == digest and not force:
        return DocumentIngested(existing, IngestOutcome.UNCHANGED, existing.chunks.count())

    parsed = parse_document(name=source_path, content=content)
    chunks = chunk_sections(parsed.sections)
    # The title and heading go into the vector too: "Refunds" means more under "Annual plans".
    vectors = embedder().embed(
        [
            f"{parsed.title}{HEADING_SEPARATOR}{HEADING_SEPARATOR.join(chunk.heading_path)}\n{chunk.text}"
            for chunk in chunks
        ]
    )
    with transaction.atomic():
        document = existing or KnowledgeDocument(source_path=source_path)
        document.title, document.kind, document.content_hash = parsed.title[:300], parsed.kind, digest
        # Saving locks the document's row: a concurrent ingest of it waits here, then counts our chunks.
        document.save()
        old_terms = _term_counts(document_ids=[document.pk]) if existing else {}
        document.chunks.all().delete()
        KnowledgeChunk.objects.bulk_create(
            KnowledgeChunk(
                document=document,
                position=chunk.position,
                heading=HEADING_SEPARATOR.join(chunk.heading_path)[:500],
                text=chunk.text,
                token_count=estimate_tokens(chunk.text),
                embedding=vector,
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        )
        new_terms = _term_counts(document_ids=[document.pk])
        _terms_add(
            {lexeme: new_terms.get(lexeme, 0) - old_terms.get(lexeme, 0) for lexeme in new_terms | old_terms}
        )
    return DocumentIngested(
        document, IngestOutcome.UPDATED if existing else IngestOutcome.CREATED, len(chunks)
    )


def knowledge_prune(*, under: str, keep: set[str]) -> int:
    """Delete the documents ingested from below `under` whose paths are not in `keep` (files deleted)."""
    prefix = under.rstrip("/") + "/"
    stale = KnowledgeDocument.objects.filter(source_path__startswith=prefix).exclude(source_path__in=keep)
    return knowledge_documents_delete(documents=stale)


def knowledge_documents_delete(*, documents: QuerySet[KnowledgeDocument]) -> int:
    """Delete documents and their chunks, and take their words out of the counts. Returns how many."""
    with transaction.atomic():
        locked = KnowledgeDocument.objects.select_for_update().filter(pk__in=documents.values("pk"))
        document_ids = list(locked.values_list("pk", flat=True))
        _terms_add({lexeme: -count for lexeme, count in _term_counts(document_ids=document_ids).items()})
        _, deleted = KnowledgeDocument.objects.filter(pk__in=document_ids).delete()
    return deleted.get(KnowledgeDocument._meta.label, 0)


def knowledge_terms_rebuild() -> int:
    """Count every chunk's words again, from scratch. Ingest and delete keep the counts in step; this is
    for chunks written around them (a bulk load) or a repair. Returns the number of distinct words."""
    table = KnowledgeTerm._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Ingests wait until the new counts are committed, then add their own changes on top.
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (lexeme, chunks) SELECT lexeme, count(*) "
            f"FROM {KnowledgeChunk._meta.db_table}, unnest(search_vector) GROUP BY lexeme"
        )
        return cursor.rowcount


def _term_counts(*, document_ids: list[int]) -> dict[str, int]:
    """How many of these documents' chunks contain each lexeme (a tsvector holds a lexeme once)."""
    if not document_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT lexeme, count(*) FROM {KnowledgeChunk._meta.db_table}, unnest(search_vector) "
            "WHERE document_id = ANY(%s) GROUP BY lexeme",
            [document_ids],
        )
        return dict(cursor.fetchall())


def _terms_add(changes: dict[str, int]) -> None:
    """Add `changes` to the counts in one statement, in lexeme order (so concurrent ingests lock the rows
    they share in the same order and never deadlock), and drop the words no chunk contains any more."""
    changed = sorted((lexeme, change) for lexeme, change in changes.items() if change)
    if not changed:
        return
    lexemes = [lexeme for lexeme, _ in changed]
    table = KnowledgeTerm._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS term (lexeme, chunks) "
            "SELECT * FROM unnest(%s::text[], %s::integer[]) ORDER BY 1 "
            "ON CONFLICT (lexeme) DO UPDATE SET chunks = term.chunks + excluded.chunks",
            [lexemes, [change for _, change in changed]],
        )
        cursor.execute(f"DELETE FROM {table} WHERE lexeme = ANY(%s) AND chunks <= 0", [lexemes])


def knowledge_source_path(path: Path) -> str:
    """How a file is named in the knowledge base: relative to the project when inside it (so the demo
    articles have the same name on every machine), absolute otherwise."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(resolved)


def knowledge_files(paths: list[Path]) -> list[Path]:
    """The supported files among `paths`, expanding folders recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        else:
            found.append(path)
    return found
