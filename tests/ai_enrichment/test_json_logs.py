"""What the pipeline logs, as JSON lines: ids, provider and timing; never the ticket's words."""

import json
import logging

from ai_enrichment.pipeline import enrich_ticket_batch
from config.log_format import JsonFormatter


def test_an_enrichment_logs_ids_provider_and_latency_and_no_ticket_text(fake_claude, make_ticket, caplog):
    caplog.set_level(logging.DEBUG)
    ticket = make_ticket(
        subject="Refund for INV-2031",
        body="My card 4111 1111 1111 1111 was charged twice; call me on +1 415 555 0100.",
        customer_email="maria@example.com",
        customer_name="María Pérez",
    )
    enrich_ticket_batch(ticket_id=ticket.id)

    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    finished = [line for line in lines if line["message"].endswith("finished: done")]
    assert len(finished) == 1
    assert finished[0]["ticket_id"] == ticket.id
    assert finished[0]["enrichment_id"] == ticket.enrichments.get().id
    assert finished[0]["provider"] == "anthropic"
    assert isinstance(finished[0]["latency_ms"], int)

    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for private in ("4111", "415 555", "maria@example.com", "María", "charged twice", "Refund for INV"):
        assert private not in text
