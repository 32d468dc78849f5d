from tickets.models import Ticket
from tickets.services import source_create, ticket_ingest


def ingest(source, external_id, **fields):
    return ticket_ingest(source=source, external_id=external_id, subject="s", body="b", **fields).ticket


def test_history_is_the_customers_last_five_other_tickets_from_the_same_source(db):
    source = source_create(name="Desk").source
    other_source = source_create(name="Other").source
    older = [ingest(source, f"T{n}", customer_external_id="cus_1") for n in range(7)]
    ingest(source, "X", customer_external_id="cus_2")
    ingest(other_source, "Y", customer_external_id="cus_1")
    current = ingest(source, "NOW", customer_external_id="cus_1")

    history = list(current.customer_history())
    assert history == list(reversed(older))[:5]


def test_without_a_customer_id_history_matches_the_email_case_insensitively(db):
    source = source_create(name="Desk").source
    earlier = ingest(source, "A", customer_email="Ana@Example.com")
    current = ingest(source, "B", customer_email="ana@example.com")
    assert list(current.customer_history()) == [earlier]


def test_an_anonymous_ticket_has_no_history(db):
    source = source_create(name="Desk").source
    ingest(source, "A")
    assert list(Ticket.objects.get(external_id="A").customer_history()) == []
