"""Purging a customer's data removes their tickets and everything derived from them, nobody else's,
and leaves an audit record without the content."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ai_enrichment.accounting import ai_call_record
from ai_enrichment.models import (
    AIBatch,
    AIBatchRequest,
    AICall,
    CachedAnswer,
    CallbackDelivery,
    Enrichment,
    TicketEmbedding,
)
from ai_enrichment.providers.base import Usage
from feedback.models import Feedback, TicketLabel
from tests.conftest import SourceClient
from tickets.models import Purge, Ticket
from tickets.services import PURGED_MODELS, source_create, ticket_ingest

EVERY_KIND = {label: 1 for label in PURGED_MODELS}


def ticket_with_everything(source, external_id, *, customer_id="cus_1", email="maria@example.com"):
    """A ticket with one row of every kind a ticket owns."""
    result = ticket_ingest(
        source=source,
        external_id=external_id,
        subject="Charged twice",
        body="My card was charged twice for INV-2031.",
        customer_external_id=customer_id,
        customer_email=email,
        customer_name="María Pérez",
    )
    ticket, enrichment = result.ticket, result.enrichment
    ai_call_record(
        enrichment=enrichment,
        provider="anthropic",
        model="claude-haiku-4-5",
        prompt_version="enrich-v2",
        input_text="prompt",
        attempt=1,
        is_repair=False,
        status=AICall.Status.OK,
        usage=Usage(input_tokens=10, output_tokens=5),
        latency_ms=900,
    )
    CallbackDelivery.objects.create(
        enrichment=enrichment, source=source, url="https://desk.example.com/hook", attempt=1, delivered=True
    )
    TicketEmbedding.objects.create(ticket=ticket, content_hash=ticket.content_hash, embedding=[0.1] * 384)
    Feedback.objects.create(enrichment=enrichment, kind=Feedback.Kind.VOTE, vote=Feedback.Vote.UP)
    TicketLabel.objects.create(ticket=ticket, category="billing", origin=TicketLabel.Origin.AGENT)
    CachedAnswer.objects.create(
        key=f"{source.pk}-{external_id}",
        ticket=ticket,
        source=source,
        provider="anthropic",
        model="claude-haiku-4-5",
        prompt_version="enrich-v2",
        taxonomy_version="t",
        answer={"summary": "Charged twice."},
        reuse=CachedAnswer.Reuse.CUSTOMER,
        guard="g",
        expires_at=ticket.received_at + timedelta(days=7),
    )
    batch = AIBatch.objects.create(
        provider_batch_id=f"msgbatch_{source.pk}_{external_id}",
        model="claude-haiku-4-5",
        prompt_version="enrich-v3",
    )
    AIBatchRequest.objects.create(
        batch=batch,
        enrichment=enrichment,
        custom_id=f"enrichment-{enrichment.pk}",
        input_hash="h",
        redacted=True,
    )
    return ticket


def rows_of(ticket_ids):
    return {
        "tickets.Ticket": Ticket.objects.filter(id__in=ticket_ids).count(),
        "ai_enrichment.Enrichment": Enrichment.objects.filter(ticket_id__in=ticket_ids).count(),
        "ai_enrichment.AICall": AICall.objects.filter(ticket_id__in=ticket_ids).count(),
        "ai_enrichment.CallbackDelivery": CallbackDelivery.objects.filter(
            enrichment__ticket_id__in=ticket_ids
        ).count(),
        "ai_enrichment.TicketEmbedding": TicketEmbedding.objects.filter(ticket_id__in=ticket_ids).count(),
        "ai_enrichment.CachedAnswer": CachedAnswer.objects.filter(ticket_id__in=ticket_ids).count(),
        "ai_enrichment.AIBatchRequest": AIBatchRequest.objects.filter(
            enrichment__ticket_id__in=ticket_ids
        ).count(),
        "feedback.Feedback": Feedback.objects.filter(enrichment__ticket_id__in=ticket_ids).count(),
        "feedback.TicketLabel": TicketLabel.objects.filter(ticket_id__in=ticket_ids).count(),
    }


@pytest.fixture
def other_source(db):
    return source_create(name="Other desk", slug="other")


def purge(*args):
    from io import StringIO

    out = StringIO()
    call_command("purge", *args, stdout=out)
    return out.getvalue()


def test_purging_a_customer_by_email_deletes_their_rows_of_every_kind_and_no_one_elses(source):
    maria = ticket_with_everything(source, "1")
    someone_else = ticket_with_everything(source, "2", customer_id="cus_2", email="li@example.com")

    output = purge("--customer", "Maria@Example.com")

    assert rows_of([maria.id]) == {label: 0 for label in PURGED_MODELS}
    assert rows_of([someone_else.id]) == EVERY_KIND
    for label in PURGED_MODELS:
        assert f"{label}" in output
    record = Purge.objects.get()
    assert record.counts == EVERY_KIND
    assert record.requested_via == Purge.RequestedVia.COMMAND
    assert record.finished_at is not None
    assert record.customer_sha256 == Purge.hash_customer("maria@example.com")
    stored = json.dumps([record.requested_by, record.counts, record.customer_sha256])
    assert "maria" not in stored.lower() and "charged" not in stored


def test_purging_by_external_id_limited_to_a_source_leaves_the_other_sources_tickets(source, other_source):
    here = ticket_with_everything(source, "1")
    there = ticket_with_everything(other_source.source, "1")

    purge("--customer", "cus_1", "--source", "acme")

    assert rows_of([here.id])["tickets.Ticket"] == 0
    assert rows_of([there.id]) == EVERY_KIND
    assert Purge.objects.get().source == source


def test_a_dry_run_reports_the_same_counts_and_deletes_and_records_nothing(source):
    maria = ticket_with_everything(source, "1")

    output = purge("--customer", "cus_1", "--dry-run")

    assert "Would delete" in output
    assert "ai_enrichment.AICall" in output
    assert rows_of([maria.id]) == EVERY_KIND
    assert not Purge.objects.exists()


def test_retention_deletes_tickets_unchanged_for_more_than_the_given_days(source):
    old = ticket_with_everything(source, "old")
    recent = ticket_with_everything(source, "recent", customer_id="cus_2")
    Ticket.objects.filter(pk=old.pk).update(updated_at=old.updated_at - timedelta(days=400))

    purge("--older-than", "365")

    assert rows_of([old.id]) == {label: 0 for label in PURGED_MODELS}
    assert rows_of([recent.id]) == EVERY_KIND
    record = Purge.objects.get()
    assert (record.older_than_days, record.customer_sha256) == (365, "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args", [[], ["--customer", "cus_1", "--older-than", "3"], ["--customer", "x", "--source", "nope"]]
)
def test_the_command_refuses_unclear_requests(args):
    with pytest.raises(CommandError):
        call_command("purge", *args)


def test_the_source_api_purges_only_the_calling_sources_tickets_of_that_customer(
    source, source_with_key, other_source
):
    mine = ticket_with_everything(source, "1")
    same_customer_elsewhere = ticket_with_everything(other_source.source, "1")
    another_customer = ticket_with_everything(source, "2", customer_id="cus_2", email="li@example.com")

    response = SourceClient(source_with_key.api_key).client.delete(
        "/api/v1/customers/cus_1", HTTP_AUTHORIZATION=f"Bearer {source_with_key.api_key}"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["customer_external_id"] == "cus_1"
    assert body["deleted"] == EVERY_KIND
    assert rows_of([mine.id])["tickets.Ticket"] == 0
    assert rows_of([same_customer_elsewhere.id]) == EVERY_KIND
    assert rows_of([another_customer.id]) == EVERY_KIND
    record = Purge.objects.get(pk=body["purge_id"])
    assert (record.requested_via, record.requested_by, record.source) == ("api", "source acme", source)


def test_the_source_api_is_safe_to_repeat_and_needs_the_key(source, source_with_key):
    ticket_with_everything(source, "1")
    client = SourceClient(source_with_key.api_key).client
    assert client.delete("/api/v1/customers/cus_1").status_code == 401
    auth = {"HTTP_AUTHORIZATION": f"Bearer {source_with_key.api_key}"}
    assert client.delete("/api/v1/customers/cus_1", **auth).json()["deleted"]["tickets.Ticket"] == 1
    again = client.delete("/api/v1/customers/cus_1/", **auth)
    assert again.status_code == 200
    assert again.json()["deleted"] == {label: 0 for label in PURGED_MODELS}


def test_the_audit_log_is_read_only_in_the_admin(admin_client, source):
    ticket_with_everything(source, "1")
    purge("--customer", "cus_1")
    record = Purge.objects.get()
    assert admin_client.get("/admin/tickets/purge/").status_code == 200
    found = admin_client.get("/admin/tickets/purge/", {"q": "CUS_1"})
    assert f"/admin/tickets/purge/{record.pk}/change/" in found.content.decode()
    assert admin_client.get("/admin/tickets/purge/add/").status_code == 403
    assert admin_client.get(f"/admin/tickets/purge/{record.pk}/delete/").status_code == 403
    assert admin_client.post(
        f"/admin/tickets/purge/{record.pk}/change/", {"requested_by": "x"}
    ).status_code in (
        302,
        403,
    )
    record.refresh_from_db()
    assert record.requested_by != "x"
