"""Every agent action leaves exactly the Feedback row it should, and confirmed labels teach the AI."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ai_enrichment.models import Enrichment
from feedback.models import Feedback, TicketLabel
from feedback.services import (
    feedback_labels,
    feedback_regenerate,
    feedback_reply,
    feedback_vote,
    reply_similarity,
)
from tickets.services import source_create, ticket_ingest


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user("agent")


@pytest.fixture
def enrichment(db):
    source = source_create(name="Desk").source
    ticket = ticket_ingest(
        source=source, external_id="1", subject="Charged twice", body="Refund one please"
    ).ticket
    enrichment = Enrichment.objects.get(ticket=ticket)
    Enrichment.objects.filter(pk=enrichment.pk).update(
        status="done",
        category="billing",
        priority="high",
        provider="anthropic",
        model="claude-haiku-4-5",
        prompt_version="enrich-v2",
        suggested_reply="Hello,\nwe refunded the duplicate charge.\nSupport team",
    )
    enrichment.refresh_from_db()
    return enrichment


def test_a_down_vote_records_its_reason_and_the_model_that_was_judged(enrichment, agent):
    shown = timezone.now() - timedelta(seconds=42)
    row = feedback_vote(
        enrichment=enrichment,
        agent=agent,
        vote="down",
        reason="wrong_facts",
        comment="We never refund",
        displayed_at=shown,
    )
    assert (row.kind, row.vote, row.reason, row.comment) == ("vote", "down", "wrong_facts", "We never refund")
    assert (row.provider, row.model, row.prompt_version) == ("anthropic", "claude-haiku-4-5", "enrich-v2")
    assert 41 < row.seconds_to_action < 60


def test_an_up_vote_keeps_no_reason(enrichment, agent):
    assert feedback_vote(enrichment=enrichment, agent=agent, vote="up", reason="tone").reason == ""


def test_accepting_the_labels_confirms_them_without_overrides(enrichment, agent):
    row = feedback_labels(enrichment=enrichment, agent=agent, category="billing", priority="high")
    assert (row.kind, row.overrides) == ("labels_accepted", {})
    label = TicketLabel.objects.get(ticket=enrichment.ticket)
    assert (label.category, label.priority, label.origin, label.labeled_by) == (
        "billing",
        "high",
        "agent",
        agent,
    )


def test_changing_a_label_records_from_and_to_and_becomes_the_training_example(enrichment, agent):
    row = feedback_labels(enrichment=enrichment, agent=agent, category="account", priority="high")
    assert row.kind == "labels_changed"
    assert row.overrides == {"category": {"from": "billing", "to": "account"}}
    assert TicketLabel.objects.get(ticket=enrichment.ticket).category == "account"


def test_a_sent_reply_stores_the_final_text_its_diff_and_a_similarity(enrichment, agent):
    feedback_labels(enrichment=enrichment, agent=agent, category="billing", priority="high")
    final = "Hello María,\nwe refunded the duplicate charge today.\nSupport team"
    row = feedback_reply(enrichment=enrichment, agent=agent, final_reply=final)
    assert (row.kind, row.original_reply, row.final_reply) == (
        "reply_sent",
        enrichment.suggested_reply,
        final,
    )
    assert "-Hello,\n" in row.reply_diff and "+Hello María,\n" in row.reply_diff
    assert 0.5 < row.similarity < 1
    assert TicketLabel.objects.get(ticket=enrichment.ticket).reply == final


def test_similarity_is_one_for_an_unchanged_reply_and_low_for_a_rewrite():
    assert reply_similarity("we refunded it", "we refunded it") == 1.0
    assert reply_similarity("we refunded it", "completely different words here now") < 0.2


def test_a_copied_reply_is_its_own_kind(enrichment, agent):
    assert (
        feedback_reply(enrichment=enrichment, agent=agent, final_reply="x", copied=True).kind
        == "reply_copied"
    )


def test_regenerate_queues_a_new_enrichment_and_keeps_the_old_one(enrichment, agent):
    new = feedback_regenerate(enrichment=enrichment, agent=agent)
    enrichment.refresh_from_db()
    assert (new.status, new.is_current, new.trigger) == ("pending", True, "regenerate")
    assert (enrichment.status, enrichment.is_current) == ("done", False)
    assert Feedback.objects.get().kind == "regenerate"
