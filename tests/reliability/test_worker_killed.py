"""A worker process killed with SIGKILL while it waits on the model: the queue's receipt delivers the
task again, the expired claim is taken over, and each ticket ends with exactly one accepted answer and
one callback (the killed run's calls are never half-recorded)."""

import signal
import threading
from urllib.parse import urlsplit

import psutil
import pytest

from ai_enrichment.models import AICall, Enrichment
from tests.ai_enrichment.conftest import good_answer
from tests.conftest import wait_until
from tests.fakes import Reply
from tests.reliability.conftest import fault_payload
from tests.reliability.invariants import assert_nothing_lost, wait_until_settled

TICKETS = 4


def processes_talking_to(cluster: psutil.Popen, port: int) -> list[psutil.Process]:
    """The cluster's processes with a connection open to 127.0.0.1:`port` (the fake model)."""
    found = []
    for process in psutil.Process(cluster.pid).children(recursive=True):
        try:
            if any(c.raddr and c.raddr.port == port for c in process.net_connections(kind="tcp")):
                found.append(process)
        except psutil.NoSuchProcess:
            continue
    return found


@pytest.mark.cluster
def test_a_worker_killed_mid_enrichment_is_redelivered_and_the_claim_prevents_double_work(
    worker, model, receiver, sender, desk
):
    killed = threading.Event()
    # Until the kill, the model holds every answer: the worker is mid-enrichment, waiting on it.
    model.default = lambda request: Reply(tool_input=good_answer(), delay=0 if killed.is_set() else 30)
    # The lease (Q_TIMEOUT) outlives a fresh worker's first import of the SDK; the receipt (Q_RETRY)
    # redelivers the killed task once the lease has expired.
    cluster = worker(AI_TIMEOUT_SECONDS=30, AI_DEADLINE_SECONDS=40, Q_TIMEOUT=8, Q_RETRY=9)
    sent = {f"KILL-{n}" for n in range(TICKETS)}
    for external_id in sorted(sent):
        assert sender.deliver(fault_payload(external_id)).statuses == [201]

    model.wait_for(TICKETS, timeout=30)
    port = urlsplit(model.base_url).port
    # Usually one worker claimed all four; when the tickets arrived while it was claiming, the other
    # worker holds some: every worker waiting on the model is killed.
    busy = wait_until(lambda: processes_talking_to(cluster, port), message="the workers waiting on the model")
    for process in busy:
        process.send_signal(signal.SIGKILL)
    killed.set()
    for process in busy:
        process.wait(timeout=10)

    wait_until_settled(source=desk, sent=sent, timeout=60)
    assert_nothing_lost(
        scenario="worker killed with SIGKILL mid-enrichment",
        source=desk,
        sent=sent,
        faults_injected=len(busy),
        model=model,
        unaccounted_model_requests=TICKETS,
        receiver=receiver,
    )
    enrichments = Enrichment.objects.filter(ticket__source=desk)
    assert set(enrichments.values_list("status", "claims")) == {(Enrichment.Status.DONE, 2)}, (
        "each was claimed by the killed worker, then once more"
    )
    answered = AICall.objects.filter(status__in=(AICall.Status.OK, AICall.Status.CACHE_HIT))
    assert answered.count() == TICKETS, "no enrichment answered twice"
    assert model.request_count == 2 * TICKETS
