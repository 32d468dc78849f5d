"""Claude's answers are grounded: the prompt carries retrieved passages and agent-confirmed examples,
and the passages the reply relies on are stored as citations."""

import json
import re

import pytest

from ai_enrichment.knowledge.ingest import knowledge_document_ingest
from ai_enrichment.models import Enrichment
from ai_enrichment.pipeline import enrich_ticket_batch
from ai_enrichment.services import ticket_embeddings_compute
from feedback.services import ticket_label_confirm
from tests.ai_enrichment.conftest import good_answer
from tests.ai_enrichment.test_knowledge_base import REFUNDS, TWO_FACTOR
from tests.fakes import Reply


@pytest.fixture
def knowledge_base(db):
    knowledge_document_ingest(source_path="kb/refund-policy.md", content=REFUNDS)
    knowledge_document_ingest(source_path="kb/two-factor.md", content=TWO_FACTOR)


def prompt_data(request) -> dict:
    content = request.json["messages"][0]["content"]
    return json.loads(re.search(r"<ticket_data>\n(.*)\n</ticket_data>", content, re.S).group(1))


def test_the_prompt_carries_the_passages_and_the_confirmed_examples(fake_claude, knowledge_base, make_ticket):
    earlier = make_ticket(
        "OLD-1", subject="Double charge on my card", body="You charged my card twice for the same invoice."
    )
    ticket_label_confirm(ticket=earlier, category="billing", priority="high")
    unlabeled = make_ticket("OLD-2", subject="Charged twice again", body="Charged two times for one invoice.")
    ticket_embeddings_compute(tickets=[earlier, unlabeled])

    ticket = make_ticket(
        "NEW", subject="Charged twice", body="My card was charged twice for invoice INV-2031. Refund one?"
    )
    enrich_ticket_batch(ticket_id=ticket.id)

    data = prompt_data(fake_claude.requests[-1])
    passages = data["knowledge_passages"]
    assert passages[0]["article"] == "Refund policy" and passages[0]["section"] == "Double charges"
    assert "duplicate charge" in passages[0]["text"]
    assert data["confirmed_examples"] == [
        {
            "subject": "Double charge on my card",
            "body_excerpt": "You charged my card twice for the same invoice.",
            "category": "billing",
            "priority": "high",
        }
    ], "only tickets whose labels a person confirmed are examples"
    assert "knowledge_passages" in fake_claude.requests[-1].json["system"][0]["text"]


def test_the_passages_the_reply_relies_on_are_stored_as_citations(fake_claude, knowledge_base, make_ticket):
    def cite_the_first_passage(request):
        first = prompt_data(request)["knowledge_passages"][0]["id"]
        return Reply(tool_input=good_answer(cited_passages=[first]))

    fake_claude.script(cite_the_first_passage)
    ticket = make_ticket(body="My card was charged twice for invoice INV-2031. Refund one?")
    enrich_ticket_batch(ticket_id=ticket.id)

    enrichment = Enrichment.objects.get(ticket=ticket, is_current=True)
    assert enrichment.status == "done"
    assert [(c["title"], c["heading"]) for c in enrichment.citations] == [("Refund policy", "Double charges")]
    assert enrichment.passages_offered >= 1


def test_a_citation_of_a_passage_that_was_not_offered_is_repaired(fake_claude, knowledge_base, make_ticket):
    fake_claude.script(Reply(tool_input=good_answer(cited_passages=[999999])))
    ticket = make_ticket()
    enrich_ticket_batch(ticket_id=ticket.id)
    assert "not offered: [999999]" in fake_claude.requests[1].json["messages"][2]["content"]
    assert Enrichment.objects.get(ticket=ticket, is_current=True).citations == []


def test_with_no_relevant_article_the_prompt_offers_no_passages(fake_claude, knowledge_base, make_ticket):
    ticket = make_ticket(subject="Sponsorship", body="Would you sponsor our chess club's summer tournament?")
    enrich_ticket_batch(ticket_id=ticket.id)
    assert prompt_data(fake_claude.requests[-1])["knowledge_passages"] == []
    assert Enrichment.objects.get(ticket=ticket, is_current=True).passages_offered == 0
