"""Every admin page an operator uses renders, with data in it."""

import pytest

from ai_enrichment.models import CachedAnswer, Enrichment
from tickets.services import source_create, ticket_ingest

PAGES = [
    "/admin/tickets/source/",
    "/admin/tickets/ticket/",
    "/admin/ai_enrichment/enrichment/",
    "/admin/ai_enrichment/aicall/",
    "/admin/ai_enrichment/callbackdelivery/",
    "/admin/ai_enrichment/category/",
    "/admin/ai_enrichment/priority/",
    "/admin/ai_enrichment/cachedanswer/",
    "/admin/feedback/feedback/",
    "/admin/feedback/ticketlabel/",
    "/admin/tickets/source/add/",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_admin_pages_render(admin_client, path):
    source = source_create(name="Desk").source
    ticket_ingest(source=source, external_id="1", subject="Hello", body="Body")
    response = admin_client.get(path)
    assert response.status_code == 200


def test_the_ticket_enrichment_and_cached_answer_change_pages_render(admin_client):
    source = source_create(name="Desk").source
    ticket = ticket_ingest(source=source, external_id="1", subject="Hello", body="Body").ticket
    assert admin_client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").status_code == 200
    enrichment = Enrichment.objects.get(ticket=ticket)
    assert admin_client.get(f"/admin/ai_enrichment/enrichment/{enrichment.pk}/change/").status_code == 200
    cached = CachedAnswer.objects.create(
        key="k",
        ticket=ticket,
        source=source,
        provider="anthropic",
        model="claude-haiku-4-5",
        prompt_version="enrich-v3",
        taxonomy_version="t",
        answer={"summary": "Hello."},
        reuse=CachedAnswer.Reuse.ANYONE,
        guard="g",
        embedding=[0.1] * 384,
        expires_at=ticket.received_at,
    )
    assert admin_client.get(f"/admin/ai_enrichment/cachedanswer/{cached.pk}/change/").status_code == 200


def test_adding_a_source_in_the_admin_shows_its_key_once(admin_client):
    response = admin_client.post(
        "/admin/tickets/source/add/", {"name": "New desk", "slug": "new-desk", "is_active": "on"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("API key for New desk (shown only now" in m for m in messages)


def test_knowledge_documents_can_be_uploaded_in_the_admin(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ai_enrichment.models import KnowledgeDocument

    assert admin_client.get("/admin/ai_enrichment/knowledgedocument/").status_code == 200
    assert admin_client.get("/admin/ai_enrichment/knowledgedocument/upload/").status_code == 200
    files = [
        SimpleUploadedFile("refunds.md", b"# Refunds\n\n## Annual plans\nRefunds within 14 days."),
        SimpleUploadedFile("notes.docx", b"binary"),
    ]
    response = admin_client.post(
        "/admin/ai_enrichment/knowledgedocument/upload/", {"files": files}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "refunds.md: created (1 chunks)." in messages
    assert any(m.startswith("notes.docx:") for m in messages)
    document = KnowledgeDocument.objects.get()
    assert (document.title, document.source_path) == ("Refunds", "upload/refunds.md")
    assert (
        admin_client.get(f"/admin/ai_enrichment/knowledgedocument/{document.pk}/change/").status_code == 200
    )


def test_agents_cannot_upload_knowledge(client, django_user_model):
    agent = django_user_model.objects.create_user("agent", password="pw", is_staff=False)
    client.force_login(agent)
    response = client.get("/admin/ai_enrichment/knowledgedocument/upload/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/ai_enrichment/enrichment/add/",
        "/admin/ai_enrichment/aicall/add/",
        "/admin/ai_enrichment/callbackdelivery/add/",
        "/admin/feedback/feedback/add/",
        "/admin/ai_enrichment/knowledgedocument/add/",
    ],
)
def test_records_the_system_writes_cannot_be_added_by_hand(admin_client, path):
    assert admin_client.get(path).status_code == 403
