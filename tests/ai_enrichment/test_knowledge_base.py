"""The knowledge base: ingest is idempotent and atomic, and hybrid retrieval finds what answers a ticket."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ai_enrichment.embeddings import embed_one
from ai_enrichment.knowledge.ingest import IngestOutcome, knowledge_document_ingest
from ai_enrichment.models import KnowledgeChunk, KnowledgeDocument
from ai_enrichment.retrieval import knowledge_search

REFUNDS = b"""# Refund policy

## Annual plans
Annual plans can be refunded in full within 14 days of payment. After 14 days we refund the unused
months as account credit.

## Double charges
If your card was charged twice for the same invoice, we refund the duplicate charge within 5 business
days. You do not need to do anything else.
"""
TWO_FACTOR = b"""# Two-factor authentication recovery

## Lost phone
If you lost the phone with your authenticator app, sign in with one of your recovery codes, then set up
two-factor authentication again under Settings > Security.
"""


def search(question: str, **kwargs):
    return knowledge_search(query_text=question, query_vector=embed_one(question), **kwargs)


@pytest.fixture
def knowledge_base(db):
    knowledge_document_ingest(source_path="kb/refund-policy.md", content=REFUNDS)
    knowledge_document_ingest(source_path="kb/two-factor.md", content=TWO_FACTOR)


def test_a_document_is_chunked_by_heading_and_embedded(knowledge_base):
    document = KnowledgeDocument.objects.get(source_path="kb/refund-policy.md")
    assert (document.title, document.kind) == ("Refund policy", "markdown")
    chunks = list(document.chunks.order_by("position"))
    assert [chunk.heading for chunk in chunks] == ["Annual plans", "Double charges"]
    assert all(len(chunk.embedding) == 384 for chunk in chunks)


def test_ingesting_unchanged_content_again_is_a_no_op(knowledge_base):
    before = list(KnowledgeChunk.objects.values_list("id", flat=True).order_by("id"))
    result = knowledge_document_ingest(source_path="kb/refund-policy.md", content=REFUNDS)
    assert result.outcome == IngestOutcome.UNCHANGED
    assert list(KnowledgeChunk.objects.values_list("id", flat=True).order_by("id")) == before


def test_changed_content_replaces_the_documents_chunks(knowledge_base):
    changed = REFUNDS.replace(b"14 days", b"30 days")
    result = knowledge_document_ingest(source_path="kb/refund-policy.md", content=changed)
    assert result.outcome == IngestOutcome.UPDATED
    texts = " ".join(KnowledgeChunk.objects.filter(document=result.document).values_list("text", flat=True))
    assert "30 days" in texts and "14 days" not in texts
    assert KnowledgeDocument.objects.count() == 2


def test_hybrid_retrieval_finds_the_passage_that_answers_the_ticket(knowledge_base):
    [best, *_] = search("Hi, my card got charged two times for invoice INV-88, can I get one back?")
    assert (best.title, best.heading) == ("Refund policy", "Double charges")
    assert "duplicate charge" in best.text
    assert best.citation() == {
        "chunk_id": best.chunk_id,
        "document_id": best.document_id,
        "title": "Refund policy",
        "heading": "Double charges",
    }


def test_nothing_relevant_is_offered_for_an_unrelated_question(knowledge_base):
    assert search("Do you sponsor the local football club's summer tournament?") == []


def test_passages_stay_within_the_token_budget(knowledge_base):
    assert len(search("refund of an annual plan after two weeks", k=5, token_budget=10_000)) >= 2
    assert search("refund of an annual plan after two weeks", k=5, token_budget=5) == []


def test_ingest_kb_reads_a_folder_reports_rejects_and_prunes(db, tmp_path: Path):
    (tmp_path / "refunds.md").write_bytes(REFUNDS)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "security.html").write_text(
        "<h1>Security</h1><h2>Sessions</h2><p>Sessions expire after 12 hours.</p><script>x()</script>"
    )
    (tmp_path / "hours.txt").write_text("Support hours\n\nWe answer from 8:00 to 18:00 CET on weekdays.")
    (tmp_path / "broken.md").write_bytes(b"\xff\xfe not utf-8")
    out, err = StringIO(), StringIO()
    call_command("ingest_kb", str(tmp_path), stdout=out, stderr=err, verbosity=0)
    assert "3 created, 0 updated, 0 unchanged, 0 pruned, 1 rejected." in out.getvalue()
    assert "broken.md" in err.getvalue()
    assert KnowledgeChunk.objects.filter(document__title="Security", heading="Sessions").exists()
    assert not KnowledgeChunk.objects.filter(text__contains="x()").exists()

    (tmp_path / "hours.txt").unlink()
    out = StringIO()
    call_command("ingest_kb", str(tmp_path), "--prune", stdout=out, stderr=StringIO(), verbosity=0)
    assert "0 created, 0 updated, 2 unchanged, 1 pruned, 1 rejected." in out.getvalue()
    assert not KnowledgeDocument.objects.filter(title="Support hours").exists()


def test_ingest_kb_explains_a_missing_path(db):
    with pytest.raises(CommandError, match="No such file or folder: nowhere"):
        call_command("ingest_kb", "nowhere", stdout=StringIO())
