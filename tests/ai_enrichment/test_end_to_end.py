"""The whole flow with real processes: POST a ticket → a real django-q2 cluster enriches it with the
real anthropic SDK against the fake Claude → the signed callback arrives."""

import hashlib
import hmac

import pytest

from ai_enrichment.models import AICall, Enrichment
from tests.conftest import SourceClient, ticket_payload, wait_until
from tests.fakes import CallbackReceiver, FakeAnthropic, Reply
from tickets.services import source_create

from .conftest import good_answer


@pytest.mark.cluster
def test_a_posted_ticket_is_enriched_by_the_worker_and_called_back_signed(start_q_cluster):
    with FakeAnthropic(default=Reply(tool_input=good_answer())) as claude, CallbackReceiver() as receiver:
        created = source_create(
            name="Desk", callback_url=f"{receiver.base_url}/hook", signing_secret="s3cret"
        )
        start_q_cluster(
            ANTHROPIC_API_KEY="e2e-key", ANTHROPIC_BASE_URL=claude.base_url, AI_PROVIDER_CHAIN="anthropic"
        )

        client = SourceClient(created.api_key, signing_secret="s3cret")
        response = client.post("/api/v1/tickets", ticket_payload())
        assert response.status_code == 201
        assert response.json()["enrichment"]["status"] == "pending"
        ticket_id = response.json()["id"]

        [callback] = receiver.wait_for(1, timeout=60)
        timestamp = callback.headers["x-signature-timestamp"]
        expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + callback.raw, hashlib.sha256).hexdigest()
        assert callback.headers["x-signature"] == f"sha256={expected}"
        assert callback.json["ticket"]["id"] == ticket_id
        assert callback.json["enrichment"]["status"] == "done", callback.json["enrichment"]["status_reason"]
        assert callback.json["enrichment"]["category"] == "billing"

        enrichment = wait_until(lambda: Enrichment.objects.filter(ticket_id=ticket_id, status="done").first())
        assert claude.request_count == 1
        assert claude.requests[0].headers["authorization"] == "Bearer e2e-key"
        assert AICall.objects.get().enrichment == enrichment

        body = client.get(f"/api/v1/tickets/{ticket_id}").json()
        assert body["enrichment"]["status"] == "done"
        assert body["enrichment"]["summary"] == good_answer()["summary"]
        assert body["enrichment"]["provider"] == "anthropic"
