"""setup_demo (run by `make run`): role users, the demo source, the knowledge base and demo tickets,
once; a second run changes nothing and keeps the printed logins true."""

import json
from io import StringIO

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from ai_enrichment.models import AICall, Enrichment, KnowledgeDocument, TicketEmbedding
from feedback.models import Feedback, TicketLabel
from tickets.models import Source, Ticket


def test_it_sets_up_a_working_demo_once(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("setup_demo", "--tickets", "30", stdout=out)

    logins = json.loads((tmp_path / "secrets" / "logins.json").read_text())
    for username in ("agent", "lead", "admin"):
        assert authenticate(username=username, password=logins[username]) is not None
        assert f"{username:<6} {logins[username]}" in out.getvalue()
    assert authenticate(username="lead", password=logins["lead"]).groups.filter(name="leads").exists()

    source = Source.objects.get(slug="tallyhive")
    assert Source.hash_api_key((tmp_path / "secrets" / "demo_source_key").read_text()) == source.api_key_hash
    assert KnowledgeDocument.objects.count() == 36
    assert Ticket.objects.count() == 30
    assert TicketLabel.objects.count() == 20, "two thirds arrive as labeled history"
    assert TicketEmbedding.objects.count() == 20
    assert Ticket.objects.filter(status="new").count() == 10
    assert Enrichment.objects.filter(status="pending").count() == 10, "new tickets wait for the AI"
    # Solved history comes with a simulated past: a suggestion, its AI calls, the agent's feedback.
    assert Enrichment.objects.filter(status__in=["done", "fallback"]).count() == 20
    assert AICall.objects.filter(enrichment__ticket__status="solved").count() >= 20
    assert Feedback.objects.filter(kind="reply_sent").count() == 20
    assert not TicketLabel.objects.filter(origin="import").exists(), "agents confirmed every label"

    client = Client()
    client.force_login(User.objects.get(username="lead"))
    dashboard = client.get("/dashboard/", {"period": "all"}).content.decode()
    assert 'id="confusion-matrix"' in dashboard
    assert "20 suggestions in all" in dashboard

    again = StringIO()
    call_command("setup_demo", "--tickets", "30", stdout=again)
    assert Ticket.objects.count() == 30
    assert json.loads((tmp_path / "secrets" / "logins.json").read_text()) == logins
    assert "Loaded" not in again.getvalue()
