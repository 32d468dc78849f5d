"""The ingest → queue → worker wiring, with a real django-q2 cluster process on the real database."""

import pytest
from django_q.models import Success

from tests.conftest import SourceClient, ticket_payload, wait_until


@pytest.mark.cluster
def test_a_real_cluster_process_picks_up_the_enrichment_task_of_a_posted_ticket(q_cluster, source_with_key):
    response = SourceClient(source_with_key.api_key).post("/api/v1/tickets", ticket_payload())
    assert response.status_code == 201
    ticket_id = response.json()["id"]

    task = wait_until(
        lambda: Success.objects.filter(func="ai_enrichment.tasks.enrich_ticket").first(),
        message="the worker to run the enrichment task",
    )
    assert task.args == (ticket_id,)
    assert task.success
