"""The word counts retrieval reads (in how many chunks each word appears) stay in step with the knowledge
base through every write: ingest, change, prune, and delete in the admin."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from ai_enrichment.knowledge.ingest import knowledge_document_ingest, knowledge_terms_rebuild
from ai_enrichment.models import KnowledgeDocument, KnowledgeTerm
from tests.ai_enrichment.test_knowledge_base import REFUNDS, TWO_FACTOR


def kept() -> dict[str, int]:
    return dict(KnowledgeTerm.objects.values_list("lexeme", "chunks"))


def counted_from_scratch() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme, count(*) FROM ai_enrichment_knowledgechunk, unnest(search_vector) GROUP BY lexeme"
        )
        return dict(cursor.fetchall())


@pytest.fixture
def knowledge_base(db):
    knowledge_document_ingest(source_path="kb/refund-policy.md", content=REFUNDS)
    knowledge_document_ingest(source_path="kb/two-factor.md", content=TWO_FACTOR)


def test_ingest_counts_the_chunks_each_word_appears_in(knowledge_base):
    counts = kept()
    assert counts["refund"] == 2, "both refund-policy chunks say refund (or refunded)"
    assert counts["phone"] == 1
    assert "the" not in counts, "stop words are not searched, so not counted"
    assert counts == counted_from_scratch()


def test_changed_content_moves_the_counts(knowledge_base):
    changed = REFUNDS.replace(b"Annual plans can be refunded", b"Yearly plans can be refunded")
    knowledge_document_ingest(source_path="kb/refund-policy.md", content=changed)
    counts = kept()
    assert counts["year"] == 1
    assert counts["annual"] == 1, "still in the heading of the first chunk"
    assert counts == counted_from_scratch()

    knowledge_document_ingest(source_path="kb/refund-policy.md", content=b"# Refunds\n\nAsk us.\n")
    assert "annual" not in kept(), "a word no chunk contains any more is gone"
    assert kept() == counted_from_scratch()


def test_pruning_and_deleting_in_the_admin_take_the_words_out(db, admin_client, tmp_path: Path):
    (tmp_path / "refunds.md").write_bytes(REFUNDS)
    (tmp_path / "two-factor.md").write_bytes(TWO_FACTOR)
    call_command("ingest_kb", str(tmp_path), stdout=StringIO(), verbosity=0)
    assert kept()["phone"] == 1

    (tmp_path / "two-factor.md").unlink()
    call_command("ingest_kb", str(tmp_path), "--prune", stdout=StringIO(), verbosity=0)
    assert "phone" not in kept()
    assert kept() == counted_from_scratch()

    document = KnowledgeDocument.objects.get()
    response = admin_client.post(
        "/admin/ai_enrichment/knowledgedocument/",
        {"action": "delete_selected", "_selected_action": [document.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not KnowledgeDocument.objects.exists()
    assert kept() == {}


def test_deleting_one_document_from_its_admin_page_takes_its_words_out(knowledge_base, admin_client):
    document = KnowledgeDocument.objects.get(source_path="kb/two-factor.md")
    response = admin_client.post(
        f"/admin/ai_enrichment/knowledgedocument/{document.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert "phone" not in kept()
    assert kept() == counted_from_scratch()


def test_a_rebuild_counts_chunks_written_around_ingest(knowledge_base):
    KnowledgeTerm.objects.all().delete()  # as after a bulk load that bypassed ingest
    assert knowledge_terms_rebuild() == len(counted_from_scratch())
    assert kept() == counted_from_scratch()
