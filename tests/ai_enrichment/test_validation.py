"""The output checks that need no provider: prompt leakage and links the model was not given."""

from ai_enrichment.validation import LEAK_WORDS, repeats_prompt, unverified_links

REFERENCE = (
    "Ticket: see https://www.Example.com/help/refunds/request. Passage: write to Billing@Example.com "
    "or open status.example.io."
)


def test_a_link_is_known_when_the_reference_has_it_or_a_longer_link_under_it():
    reply = (
        "See example.com/help, https://example.com/help/refunds/request/, billing@example.com and "
        "http://status.example.io."
    )
    assert unverified_links(reply, reference_text=REFERENCE) == []


def test_other_links_and_addresses_are_listed_once_in_the_order_they_appear():
    reply = (
        "Write to refunds@example.net, open https://example.com/help/refunds/request?token=1 or "
        "evil.example.org/x. Again: refunds@example.net."
    )
    assert unverified_links(reply, reference_text=REFERENCE) == [
        "refunds@example.net",
        "https://example.com/help/refunds/request?token=1",
        "evil.example.org/x",
    ]


def test_a_leak_is_a_long_run_of_the_prompts_words_whatever_the_spacing_and_case():
    prompt = "You are the triage assistant of a customer support team. For one support ticket you suggest a category."
    words = prompt.split()
    assert repeats_prompt("Sure: " + " ".join(words[:LEAK_WORDS]).upper() + "!", system_prompt=prompt)
    assert not repeats_prompt(" ".join(words[: LEAK_WORDS - 1]), system_prompt=prompt)
