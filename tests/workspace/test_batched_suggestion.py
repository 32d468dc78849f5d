"""A ticket whose suggestion waits in a backfill batch (enrich_backlog --batch): agents are told when it
comes, and neither the panel nor the queue cell polls for a day."""

from tests.workspace.conftest import enriched_ticket


def test_a_batched_suggestion_says_when_it_comes_and_does_not_poll(client, agent, desk):
    waiting = enriched_ticket(desk, "B", status="batched")
    client.force_login(agent)

    panel = client.get(f"/tickets/{waiting.pk}/ai/").content.decode()
    assert "arrives within 24 hours" in panel
    assert 'hx-trigger="every 2s"' not in panel
    badge = client.get(f"/tickets/{waiting.pk}/badge/").content.decode()
    assert "AI batch…" in badge
    assert "hx-trigger" not in badge
