"""Every kind of model fault, in bursts and mixed, while tickets arrive: each ticket still ends done,
fallback (the local model answered) or failed with a reason, every call is accounted, and each result
is called back once."""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.ai_enrichment.conftest import good_answer
from tests.fakes import Reply
from tests.reliability.conftest import fault_payload
from tests.reliability.invariants import assert_nothing_lost, wait_until_settled

TICKETS = 40


def faults() -> list[Reply]:
    """A 429 storm with retry-after, 529s, timeouts, malformed bodies and invalid answers, a full outage
    (every call 5xx), then all of them mixed at random (seeded); healthy answers between the bursts."""
    malformed = Reply(raw_body='{"id": "msg_x", "type": "message", "content": [{')
    invalid = Reply(tool_input=good_answer(category="refunds"))
    bursts = (
        [Reply.rate_limited(retry_after=0.3)] * 8
        + [Reply()] * 2
        + [Reply.overloaded()] * 6
        + [Reply.timeout(2)] * 4
        + [malformed] * 3
        + [invalid] * 3
        + [Reply()] * 2
        + [Reply.server_error()] * 15
    )
    mixed = random.Random(8).choices(
        [Reply.rate_limited(retry_after=0.2), Reply.overloaded(), Reply.server_error(), malformed, invalid],
        k=20,
    )
    return [step if step.is_error or step.raw_body or step.tool_input else _good() for step in bursts + mixed]


def _good() -> Reply:
    return Reply(tool_input=good_answer())


@pytest.mark.cluster
def test_model_faults_in_bursts_end_every_ticket_in_a_terminal_state_with_nothing_lost(
    worker, model, receiver, sender, desk
):
    script = faults()
    model.script(*script)
    worker(AI_PROVIDER_CHAIN="anthropic,local", AI_CIRCUIT_COOLDOWN_SECONDS=1)

    sent = {f"MF-{n}" for n in range(TICKETS)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        deliveries = list(
            pool.map(lambda external_id: sender.deliver(fault_payload(external_id)), sorted(sent))
        )
    assert all(d.statuses == [201] for d in deliveries), [d for d in deliveries if d.statuses != [201]]

    wait_until_settled(source=desk, sent=sent)
    injected = sum(
        1 for step in script if step.is_error or step.raw_body or step.tool_input.get("category") == "refunds"
    )
    figures = assert_nothing_lost(
        scenario="model faults",
        source=desk,
        sent=sent,
        faults_injected=injected,
        model=model,
        receiver=receiver,
    )
    assert figures.ai_calls > TICKETS, "the faults were met and retried"
