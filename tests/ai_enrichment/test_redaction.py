"""Each detector finds what it should and leaves ordinary ticket text alone; a RedactionMap numbers
values stably, restores them, and knows which placeholders it never issued."""

import pytest

from ai_enrichment.redaction import RedactionMap, Redactor, iban_valid, luhn_valid, redactor

US = Redactor(phone_region="US")


def found(text: str, redactor: Redactor = US) -> list[tuple[str, str]]:
    return [(detection.kind, text[detection.start : detection.end]) for detection in redactor.detect(text)]


@pytest.mark.parametrize(
    "email",
    ["maria@example.com", "Maria.Perez+billing@example.co.uk", "j_o'neil@mail.example.org", "ana@ejemplo.es"],
)
def test_it_finds_email_addresses(email):
    assert found(f"Please write to {email}, thanks.") == [("email", email)]


@pytest.mark.parametrize("text", ["user@localhost", "ping @maria on chat", "see https://example.com/a@b"])
def test_it_leaves_things_that_are_not_email_addresses(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",
        "(415) 555-0123",
        "415.555.2671",
        "+1-202-555-0199",
        "1-800-555-0199",
        "+33 1 23 45 67 89",
        "+49 30 901820",
        "2025550143",
    ],
)
def test_it_finds_phone_numbers_in_several_formats(phone):
    assert found(f"You can call me on {phone} after 5pm.") == [("phone", phone)]


def test_numbers_without_a_country_code_are_read_in_the_configured_region():
    text = "Ruf mich an: 030 901820"
    assert found(text, Redactor(phone_region="US")) == []
    assert found(text, Redactor(phone_region="DE")) == [("phone", "030 901820")]


@pytest.mark.parametrize(
    "text",
    [
        "Where is order #123456? I paid $49.99 on 2026-11-22.",
        "Since version 2.13.0 the export fails at 12:30:45 every night.",
        "Order 2025061512 and invoice INV-2031 were charged 1,299.00 EUR.",
        "Reference number: 2025061512. Ticket #4155550123.",
        "We have 10,000 users and the 2026-11-22T08:15:00Z import took 1234567 ms.",
        "Tracking 1Z999AA10123456784, parcel 00340434161094042557",
        "Purchase 113542617735902 was cancelled on 11/22/2026.",
    ],
)
def test_ordinary_tickets_have_nothing_to_redact(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5555555555554444",
        "378282246310005",
        "6011 1111 1111 1117",
    ],
)
def test_it_finds_card_numbers_that_pass_the_luhn_check(card):
    assert found(f"Card used: {card}.") == [("card", card)]


@pytest.mark.parametrize(
    "number",
    [
        "4111 1111 1111 1112",  # fails Luhn
        "5555555555554445",  # fails Luhn
        "1234567812345670",  # passes Luhn, but no card network starts with 1: an order number
        "411111111111",  # too short
    ],
)
def test_it_leaves_numbers_that_are_not_card_numbers(number):
    assert found(f"Number {number} here") == []


def test_luhn():
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112") and not luhn_valid("79927398710")


@pytest.mark.parametrize(
    "iban",
    [
        "DE89370400440532013000",
        "DE89 3704 0044 0532 0130 00",
        "GB82 WEST 1234 5698 7654 32",
        "FR1420041010050500013M02606",
        "NL91ABNA0417164300",
        "NO9386011117947",
    ],
)
def test_it_finds_ibans_with_a_valid_checksum(iban):
    assert found(f"Please refund to {iban}. Thanks") == [("iban", iban)]


@pytest.mark.parametrize(
    "iban",
    [
        "DE89370400440532013001",  # wrong check digits
        "GB82WEST12345698765433",  # wrong check digits
        "DE8937040044053201300",  # too short for Germany
        "XX89370400440532013000",  # no such country
    ],
)
def test_it_leaves_ibans_with_a_bad_checksum_or_length(iban):
    assert "iban" not in [kind for kind, _ in found(f"Please refund to {iban}.")]
    assert not iban_valid(iban)


def test_an_iban_ends_where_its_country_says_even_before_a_capitalised_word():
    assert found("IBAN DE89 3704 0044 0532 0130 00 THANKS") == [("iban", "DE89 3704 0044 0532 0130 00")]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("My IP is 192.168.1.10.", "192.168.1.10"),
        ("Server 203.0.113.7:8080 refuses", "203.0.113.7"),
        ("from 2001:db8::8a2e:370:7334 today", "2001:db8::8a2e:370:7334"),
        ("mapped ::ffff:192.0.2.1 here", "::ffff:192.0.2.1"),
        ("link fe80::1%eth0", "fe80::1"),
    ],
)
def test_it_finds_ip_addresses(text, address):
    assert found(text) == [("ip", address)]


@pytest.mark.parametrize(
    "text",
    ["version 1.2.3.4.5", "999.1.1.1", "at 12:30:45", "MAC 00:1A:2B:3C:4D:5E", "std::vector and a::b"],
)
def test_it_leaves_things_that_are_not_ip_addresses(text):
    assert found(text) == []


def test_custom_patterns_are_their_own_kind_and_win_over_built_in_ones():
    contracts = Redactor(custom_patterns={"contract": r"CT-\d{10}"})
    assert found("Contract CT-2025550143 for maria@example.com", contracts) == [
        ("contract", "CT-2025550143"),
        ("email", "maria@example.com"),
    ]


def test_a_custom_pattern_cannot_take_a_built_in_name():
    with pytest.raises(ValueError, match="email"):
        Redactor(custom_patterns={"email": r"x"})


def test_the_same_value_gets_the_same_placeholder_everywhere_in_the_data():
    redaction = RedactionMap(US)
    data = {
        "ticket": {"subject": "Call +1 415 555 0123", "customer_email": "Maria@Example.com"},
        "customer_history": [
            {"body_excerpt": "mail maria@example.com or (415) 555-0123, or ana@example.com"}
        ],
        "count": 3,
    }
    assert redaction.redact_data(data) == {
        "ticket": {"subject": "Call <PHONE_1>", "customer_email": "<EMAIL_1>"},
        "customer_history": [{"body_excerpt": "mail <EMAIL_1> or <PHONE_1>, or <EMAIL_2>"}],
        "count": 3,
    }
    assert redaction.counts == {"phone": 1, "email": 2}


def test_restore_puts_the_originals_back_and_leaves_unknown_placeholders():
    redaction = RedactionMap(US)
    redaction.redact("Card 4111 1111 1111 1111, e-mail maria@example.com")
    assert redaction.restore("Hello <EMAIL_1>, the card <CARD_1> is blocked. <EMAIL_7>") == (
        "Hello maria@example.com, the card 4111 1111 1111 1111 is blocked. <EMAIL_7>"
    )
    assert redaction.unknown_placeholders("<EMAIL_1> <EMAIL_7> <NAME_1> <EMAIL_7>") == [
        "<EMAIL_7>",
        "<NAME_1>",
    ]


def test_placeholder_shaped_text_in_the_input_is_neither_reissued_nor_restored_nor_invented():
    redaction = RedactionMap(US)
    data = redaction.redact_data(["Template said <EMAIL_1>", "real one: maria@example.com"])
    assert data == ["Template said <EMAIL_1>", "real one: <EMAIL_2>"]
    assert redaction.restore("<EMAIL_1> / <EMAIL_2>") == "<EMAIL_1> / maria@example.com"
    assert redaction.unknown_placeholders("<EMAIL_1> <EMAIL_2>") == []
    assert redaction.counts == {"email": 1}


def test_the_map_never_shows_the_originals_in_its_repr():
    redaction = RedactionMap(US)
    redaction.redact("maria@example.com 4111 1111 1111 1111")
    assert "maria" not in repr(redaction) and "4111" not in repr(redaction)
    assert repr(redaction) == "<RedactionMap {'email': 1, 'card': 1}>"


def test_the_redactor_follows_the_settings(settings):
    settings.PII_PHONE_REGION = "DE"
    settings.PII_CUSTOM_PATTERNS = {"policy": r"POL-[A-Z]{2}\d{4}"}
    assert found("Police POL-AB1234, Tel. 030 901820", redactor()) == [
        ("policy", "POL-AB1234"),
        ("phone", "030 901820"),
    ]


def test_the_system_check_names_a_bad_custom_pattern_and_an_unknown_region(settings):
    from ai_enrichment.checks import pii_redaction_settings_are_valid

    settings.PII_PHONE_REGION = "XX"
    settings.PII_CUSTOM_PATTERNS = {"contract": "CT-(", "anything": ".*"}
    assert [error.id for error in pii_redaction_settings_are_valid(None)] == [
        "ai_enrichment.E003",
        "ai_enrichment.E004",
    ]
    settings.PII_PHONE_REGION = "gb"
    settings.PII_CUSTOM_PATTERNS = {"anything": ".*"}
    [error] = pii_redaction_settings_are_valid(None)
    assert "matches the empty string" in error.msg
