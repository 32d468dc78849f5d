"""A ticket's vector is computed once per version of its text and kept up to date in one upsert."""

import pytest

from ai_enrichment.models import TicketEmbedding
from ai_enrichment.services import ticket_embedding_ensure
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
