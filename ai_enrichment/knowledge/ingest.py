"""Writes for the knowledge base: ingest a document (idempotently, replacing its chunks atomically)
and prune documents whose files are gone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ai_enrichment.embeddings import embedder
from ai_enrichment.knowledge.chunking import chunk_sections, content_hash, estimate_tokens, parse_document
from ai_enrichment.models import KnowledgeChunk, KnowledgeDocument

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
        document.save()
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
    return DocumentIngested(
        document, IngestOutcome.UPDATED if existing else IngestOutcome.CREATED, len(chunks)
    )


def knowledge_prune(*, under: str, keep: set[str]) -> int:
    """Delete the documents ingested from below `under` whose paths are not in `keep` (files deleted)."""
    prefix = under.rstrip("/") + "/"
    stale = KnowledgeDocument.objects.filter(source_path__startswith=prefix).exclude(source_path__in=keep)
    _, deleted = stale.delete()
    return deleted.get(KnowledgeDocument._meta.label, 0)


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
