"""Sources: keys are shown once and stored hashed; the command prints the key alone on its last line."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import SourceClient, ticket_payload
from tickets.models import Source
from tickets.services import source_create, source_rotate_api_key


def test_only_a_hash_of_the_key_is_stored(db):
    created = source_create(name="Zendesk EU")
    stored = Source.objects.get(pk=created.source.pk)
    assert created.api_key not in (stored.api_key_hash, stored.api_key_prefix)
    assert stored.api_key_hash == Source.hash_api_key(created.api_key)
    assert created.api_key.startswith(stored.api_key_prefix)
    assert stored.slug == "zendesk-eu"


def test_create_source_prints_a_working_key_alone_on_the_last_line(db):
    out = StringIO()
    call_command(
        "create_source", "Homegrown desk", "--callback-url", "https://desk.example.com/hook", stdout=out
    )
    key = out.getvalue().strip().splitlines()[-1]
    source = Source.objects.get(slug="homegrown-desk")
    assert source.callback_url == "https://desk.example.com/hook"
    assert SourceClient(key).post("/api/v1/tickets", ticket_payload()).status_code == 201


def test_create_source_explains_a_duplicate_slug(db):
    source_create(name="Desk")
    with pytest.raises(CommandError, match="slug"):
        call_command("create_source", "Desk", stdout=StringIO())


def test_create_source_explains_a_bad_callback_url(db):
    with pytest.raises(CommandError, match="callback_url"):
        call_command("create_source", "Desk", "--callback-url", "not a url", stdout=StringIO())


def test_rotating_a_key_retires_the_old_one(db):
    created = source_create(name="Desk")
    new_key = source_rotate_api_key(source=created.source)
    assert SourceClient(created.api_key).post("/api/v1/tickets", ticket_payload()).status_code == 401
    assert SourceClient(new_key).post("/api/v1/tickets", ticket_payload()).status_code == 201


def test_a_source_redacts_pii_unless_created_without(db):
    assert source_create(name="Desk").source.redact_pii is True
    call_command("create_source", "Internal desk", "--no-redact-pii", stdout=StringIO())
    assert Source.objects.get(slug="internal-desk").redact_pii is False


def test_the_admin_switches_redaction_per_source(admin_client):
    source = source_create(name="Desk").source
    form = admin_client.get(f"/admin/tickets/source/{source.pk}/change/").content.decode()
    assert "checked" in re.search(r'<input[^>]*name="redact_pii"[^>]*>', form).group()
    admin_client.post(
        f"/admin/tickets/source/{source.pk}/change/", {"name": "Desk", "slug": "desk", "is_active": "on"}
    )
    source.refresh_from_db()
    assert source.redact_pii is False
