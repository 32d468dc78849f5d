"""A ticket full of personal data goes through the real pipeline and the real SDKs: the fake providers
receive only placeholders, agents see the originals, invented placeholders are rejected, and a source
that switches redaction off sends the ticket as it is."""

import json
import logging
import re

import pytest
from django.contrib.auth.models import Group

from ai_enrichment.models import AICall, Enrichment
from ai_enrichment.pipeline import enrich_ticket_batch
from ai_enrichment.services import ticket_embeddings_compute
from feedback.services import ticket_label_confirm
from tests.ai_enrichment.conftest import good_answer
from tests.fakes import Reply
from tickets import roles

CARD = "4111 1111 1111 1111"
EMAIL = "maria.perez@example.com"
NAME_FIELD_EMAIL = "m.perez@example.org"
PHONE = "+1 415 555 0123"
IBAN = "DE89 3704 0044 0532 0130 00"
IPV4 = "203.0.113.7"
IPV6 = "2001:db8::8a2e:370:7334"
CONTRACT = "CT-482913"
HISTORY_PHONE = "+44 20 7946 0958"
EXAMPLE_EMAIL = "ana@example.net"
EXAMPLE_CARD = "5555 5555 5555 4444"
ORIGINALS = [CARD, EMAIL, NAME_FIELD_EMAIL, PHONE, IBAN, IPV4, IPV6, CONTRACT, HISTORY_PHONE, EXAMPLE_EMAIL]
ORIGINALS += [
    EXAMPLE_CARD,
    CARD.replace(" ", ""),
    IBAN.replace(" ", ""),
    "4155550123",
    "555 0123",
    "0532 0130",
]
ORDINARY = "Order #123456 on 2026-11-22, $49.99, app version 2.13.0."


@pytest.fixture(autouse=True)
def contract_numbers(settings):
    settings.PII_CUSTOM_PATTERNS = {"contract": r"CT-\d{6}"}


@pytest.fixture
def pii_ticket(make_ticket):
    """A ticket with PII in subject, body and customer fields, an earlier ticket of the same customer
    with more, and a confirmed example of another customer with theirs."""
    make_ticket(
        "OLD",
        subject="New phone number",
        body=f"Please update my number to {HISTORY_PHONE} and keep my e-mail {EMAIL}.",
        customer_email=EMAIL,
    )
    example = make_ticket(
        "EXAMPLE",
        subject="Charged twice on my card",
        body=f"My card {EXAMPLE_CARD} was charged twice. Write to {EXAMPLE_EMAIL}.",
        customer_email=EXAMPLE_EMAIL,
        customer_name="Ana",
    )
    ticket_label_confirm(ticket=example, category="billing", priority="high")
    ticket_embeddings_compute(tickets=[example])
    return make_ticket(
        "NEW",
        subject=f"Card {CARD} charged twice",
        body=(
            f"Hi, this is María ({EMAIL}, {PHONE}). My contract {CONTRACT} renews monthly. "
            f"Please refund to {IBAN}. I logged in from {IPV4} and {IPV6}. {ORDINARY}"
        ),
        customer_email=EMAIL,
        customer_name=f"María Pérez <{NAME_FIELD_EMAIL}>",
    )


def sent_data(request) -> dict:
    content = request.json["messages"][0]["content"]
    return json.loads(re.search(r"<ticket_data>\n(.*)\n</ticket_data>", content, re.S).group(1))


def current(ticket) -> Enrichment:
    return Enrichment.objects.get(ticket=ticket, is_current=True)


def test_the_provider_receives_placeholders_for_every_value_and_never_an_original(
    fake_claude, pii_ticket, caplog
):
    caplog.set_level(logging.DEBUG)  # the SDK logs its request options at DEBUG
    enrich_ticket_batch(ticket_id=pii_ticket.id)

    assert current(pii_ticket).status == Enrichment.Status.DONE
    received = fake_claude.all_text()
    assert [value for value in ORIGINALS if value in received] == []
    assert [value for value in ORIGINALS if value in caplog.text] == []

    data = sent_data(fake_claude.requests[0])
    assert data["ticket"]["subject"] == "Card <CARD_1> charged twice"
    assert data["ticket"]["body"] == (
        "Hi, this is María (<EMAIL_1>, <PHONE_1>). My contract <CONTRACT_1> renews monthly. "
        f"Please refund to <IBAN_1>. I logged in from <IP_1> and <IP_2>. {ORDINARY}"
    ), "the same e-mail, and nothing ordinary, in the body"
    assert data["ticket"]["customer_name"] == "María Pérez <<EMAIL_2>>"
    assert data["ticket"]["customer_email"] == "<EMAIL_1>", "one value, one placeholder, in every field"
    assert data["customer_history"][0]["body_excerpt"] == (
        "Please update my number to <PHONE_2> and keep my e-mail <EMAIL_1>."
    )
    assert (
        data["confirmed_examples"][0]["body_excerpt"]
        == "My card <CARD_2> was charged twice. Write to <EMAIL_3>."
    )


def test_the_ai_call_records_how_many_values_of_each_kind_were_redacted_and_none_of_them(
    fake_claude, pii_ticket
):
    enrich_ticket_batch(ticket_id=pii_ticket.id)

    call = AICall.objects.get()
    assert call.redactions == {"card": 2, "email": 3, "phone": 2, "contract": 1, "iban": 1, "ip": 2}
    stored = json.dumps(list(AICall.objects.values()), default=str)
    assert [value for value in ORIGINALS if value in stored] == []


def test_placeholders_the_model_echoes_are_restored_in_the_suggestion_agents_see(
    fake_claude, pii_ticket, client, django_user_model
):
    def echo_placeholders(request):
        customer_email = sent_data(request)["ticket"]["customer_email"]
        return Reply(
            tool_input=good_answer(
                summary=f"{customer_email} was charged twice on card <CARD_1> and wants a refund to <IBAN_1>.",
                suggested_reply="Hello María, we will call you at <PHONE_1> and refund to <IBAN_1>. Support team",
            )
        )

    fake_claude.script(echo_placeholders)
    enrich_ticket_batch(ticket_id=pii_ticket.id)

    enrichment = current(pii_ticket)
    assert enrichment.status == Enrichment.Status.DONE
    assert enrichment.summary == f"{EMAIL} was charged twice on card {CARD} and wants a refund to {IBAN}."
    reply = f"Hello María, we will call you at {PHONE} and refund to {IBAN}. Support team"
    assert enrichment.suggested_reply == reply

    agent = django_user_model.objects.create_user("agent", password="pw")
    agent.groups.add(Group.objects.get(name=roles.AGENTS))
    client.force_login(agent)
    page = client.get(f"/tickets/{pii_ticket.pk}/").content.decode()
    assert reply in page
    assert "PHONE_1" not in page and "IBAN_1" not in page


def test_a_placeholder_the_model_invents_is_rejected_and_repaired(fake_claude, pii_ticket):
    fake_claude.script(
        Reply(tool_input=good_answer(suggested_reply="Hello <NAME_1>, we wrote to <EMAIL_9>."))
    )
    enrich_ticket_batch(ticket_id=pii_ticket.id)

    enrichment = current(pii_ticket)
    assert (enrichment.status, enrichment.suggested_reply) == (
        Enrichment.Status.DONE,
        good_answer()["suggested_reply"],
    )
    rejected, repaired = AICall.objects.order_by("id")
    assert (rejected.status, repaired.status, repaired.is_repair) == ("invalid_output", "ok", True)
    assert "not in the ticket data: <NAME_1>, <EMAIL_9>" in rejected.error_message
    repair_messages = fake_claude.requests[1].json["messages"]
    assert "not in the ticket data: <NAME_1>, <EMAIL_9>" in repair_messages[2]["content"]
    assert [value for value in ORIGINALS if value in fake_claude.all_text()] == [], (
        "the repair sends none either"
    )


def test_a_model_that_keeps_inventing_placeholders_fails_and_nothing_is_shown(fake_claude, pii_ticket):
    fake_claude.default = Reply(tool_input=good_answer(summary="Customer <PHONE_7> wants a refund."))
    enrich_ticket_batch(ticket_id=pii_ticket.id)

    enrichment = current(pii_ticket)
    assert enrichment.status == Enrichment.Status.FAILED
    assert "not in the ticket data: <PHONE_7>" in enrichment.status_reason
    assert (enrichment.summary, enrichment.suggested_reply) == ("", "")


def test_with_redaction_switched_off_for_the_source_the_originals_go_out(fake_claude, pii_ticket):
    pii_ticket.source.redact_pii = False
    pii_ticket.source.save(update_fields=["redact_pii"])
    enrich_ticket_batch(ticket_id=pii_ticket.id)

    received = fake_claude.all_text()
    assert [
        value
        for value in (CARD, EMAIL, NAME_FIELD_EMAIL, PHONE, CONTRACT, HISTORY_PHONE)
        if value not in received
    ] == []
    assert sent_data(fake_claude.requests[0])["ticket"]["customer_email"] == EMAIL
    assert AICall.objects.get().redactions is None


def test_an_openai_compatible_endpoint_is_external_too(fake_openai, pii_ticket, settings):
    settings.AI_PROVIDER_CHAIN = ["openai_compatible"]
    enrich_ticket_batch(ticket_id=pii_ticket.id)

    assert current(pii_ticket).status == Enrichment.Status.DONE
    assert [value for value in ORIGINALS if value in fake_openai.all_text()] == []
    assert AICall.objects.get().redactions["email"] == 3


def test_the_local_fallback_reads_the_ticket_itself_and_redacts_nothing(fake_claude, pii_ticket, settings):
    settings.AI_PROVIDER_CHAIN = ["anthropic", "local"]
    fake_claude.default = Reply(tool_input=good_answer(summary="Customer <PHONE_7> wants a refund."))
    enrich_ticket_batch(ticket_id=pii_ticket.id)

    assert current(pii_ticket).status == Enrichment.Status.FALLBACK
    calls = list(AICall.objects.order_by("id").values_list("provider", "redactions"))
    assert [provider for provider, _ in calls] == ["anthropic", "anthropic", "local"]
    assert calls[0][1]["email"] == 3 and calls[-1][1] is None
