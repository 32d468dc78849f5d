"""The word counts retrieval reads (in how many chunks each word appears) stay in step with the knowledge
base through every write (ingest, change, prune, delete in the admin), and keep the full-text half of
retrieval to its rarest words."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from ai_enrichment import retrieval
from ai_enrichment.knowledge.ingest import knowledge_document_ingest, knowledge_terms_rebuild
from ai_enrichment.models import KnowledgeChunk, KnowledgeDocument, KnowledgeTerm
from ai_enrichment.retrieval import knowledge_text_query
from tests.ai_enrichment.test_knowledge_base import REFUNDS, TWO_FACTOR, search


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


def matched_headings(query) -> set[str]:
    return set(KnowledgeChunk.objects.filter(search_vector=query).values_list("heading", flat=True))


def test_the_full_text_half_ors_the_rarest_words_within_the_match_budget(knowledge_base, monkeypatch):
    monkeypatch.setattr(retrieval, "FULLTEXT_MATCH_BUDGET", 2)
    # phone: 1 chunk, charged: 1, refund: 2 (over the budget once the other two are in), zebra: none.
    query = knowledge_text_query("Zebra refund for a phone charged")
    assert matched_headings(query) == {"Lost phone", "Double charges"}

    monkeypatch.setattr(retrieval, "FULLTEXT_MATCH_BUDGET", 3)
    query = knowledge_text_query("Zebra refund for a phone charged")
    assert matched_headings(query) == {"Lost phone", "Double charges"}, "refund still does not fit"

    monkeypatch.setattr(retrieval, "FULLTEXT_MATCH_BUDGET", 4)
    query = knowledge_text_query("Zebra refund for a phone charged")
    assert matched_headings(query) == {"Lost phone", "Double charges", "Annual plans"}


def test_with_only_common_words_the_vector_half_answers_alone(knowledge_base, monkeypatch):
    monkeypatch.setattr(retrieval, "FULLTEXT_MATCH_BUDGET", 1)
    assert knowledge_text_query("refunds, refunded, refund") is None
    assert knowledge_text_query("the and of") is None, "stop words only"
    [best, *_] = search("refund of an annual plan after two weeks")
    assert (best.title, best.heading) == ("Refund policy", "Annual plans")
