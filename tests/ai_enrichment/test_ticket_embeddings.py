"""A ticket's vector is computed once per version of its text and kept up to date in one upsert."""

import importlib

import numpy as np
import pytest
from django.apps import apps

from ai_enrichment.models import TicketEmbedding
from ai_enrichment.services import ticket_embedding_ensure, ticket_embeddings_compute, ticket_label_vector
from tickets.services import ticket_ingest


def test_a_tickets_vector_is_stored_once_and_replaced_when_its_text_changes(desk, make_ticket):
    ticket = make_ticket()
    first = ticket_embedding_ensure(ticket=ticket)
    stored = TicketEmbedding.objects.get(ticket=ticket)
    assert stored.content_hash == ticket.content_hash
    assert list(stored.embedding) == pytest.approx(first, abs=1e-6)  # stored as float32

    assert ticket_embedding_ensure(ticket=ticket) == pytest.approx(first, abs=1e-6)
    assert TicketEmbedding.objects.get(ticket=ticket).updated_at == stored.updated_at, "not computed again"

    changed = ticket_ingest(
        source=desk,
        external_id=ticket.external_id,
        subject="Cannot log in",
        body="The login page says my password is wrong.",
    ).ticket
    assert changed.pk == ticket.pk and changed.content_hash != ticket.content_hash
    second = ticket_embedding_ensure(ticket=changed)
    replaced = TicketEmbedding.objects.get(ticket=ticket)
    assert replaced.content_hash == changed.content_hash
    assert list(replaced.embedding) == pytest.approx(second, abs=1e-6)
    assert second != pytest.approx(first, abs=1e-3)
    assert replaced.updated_at > stored.updated_at


def test_the_label_vector_is_stored_beside_the_vector(desk, make_ticket):
    ticket = make_ticket()
    vector = ticket_embedding_ensure(ticket=ticket)
    label_vector = np.asarray(TicketEmbedding.objects.get(ticket=ticket).label_embedding)
    assert label_vector.shape == (384,)
    assert np.linalg.norm(label_vector) == pytest.approx(1.0, abs=1e-5)
    assert not np.allclose(label_vector, vector, atol=1e-2)  # not the sentence vector again
    assert ticket_label_vector(ticket) == pytest.approx(list(label_vector), abs=1e-6)


def test_a_vector_stored_without_its_label_vector_is_computed_again(desk, make_ticket):
    """A ticket embedded by another embedder (a remote one) has no label vector: the local embedder
    replaces the row, one ticket at a time (the pipeline) or in batches (imports)."""
    one, other = make_ticket("ZD-1"), make_ticket("ZD-2", subject="Cannot log in")
    ticket_embeddings_compute(tickets=[one, other])
    TicketEmbedding.objects.update(label_embedding=None)

    ticket_embedding_ensure(ticket=type(one).objects.get(pk=one.pk))
    assert TicketEmbedding.objects.get(ticket=one).label_embedding is not None
    assert ticket_embeddings_compute(tickets=[one, other]) == 1  # the other one only
    assert TicketEmbedding.objects.filter(label_embedding=None).count() == 0


def test_the_upgrade_gives_tickets_embedded_before_it_their_label_vectors(desk, make_ticket):
    ticket = make_ticket()
    ticket_embedding_ensure(ticket=ticket)
    expected = list(TicketEmbedding.objects.get(ticket=ticket).label_embedding)
    TicketEmbedding.objects.update(label_embedding=None)
    before = TicketEmbedding.objects.get(ticket=ticket)

    migration = importlib.import_module("ai_enrichment.migrations.0020_ticket_label_embedding")
    migration.label_vectors_backfill(apps, schema_editor=None)

    after = TicketEmbedding.objects.get(ticket=ticket)
    assert list(after.label_embedding) == pytest.approx(expected, abs=1e-6)
    assert after.updated_at == before.updated_at  # not a change of the ticket: no refit, no "newer" label
