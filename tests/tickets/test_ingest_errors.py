"""Bad input to the ingest API gets a clear 4xx naming what is wrong; never a 500, never a partial write."""

import hashlib
import hmac
import json

import pytest

from tests.conftest import SourceClient, ticket_payload
from tickets.models import Ticket
from tickets.services import source_create

URL = "/api/v1/tickets"


def test_malformed_json_is_a_400(source_client):
    response = source_client.post_raw(URL, b'{"external_id": "1", "body": ')
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_missing_fields_are_a_400_naming_each_field(source_client):
    response = source_client.post(URL, {"subject": "no id, no body"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"external_id", "body"}


def test_invalid_nested_fields_are_named(source_client):
    response = source_client.post(URL, ticket_payload(customer={"email": "not-an-email"}, channel="fax"))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"customer", "channel"}
    assert "email" in errors["customer"]


def test_a_json_array_instead_of_an_object_is_a_400(source_client):
    response = source_client.post(URL, [ticket_payload()])
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"body": "before\u0000after"}, "body"),
        ({"subject": "nul\u0000"}, "subject"),
        ({"body": "lone surrogate \ud800 here"}, "body"),
        ({"metadata": {"note": "nul\u0000"}}, "metadata"),
        ({"metadata": {"bad\u0000key": 1}}, "metadata"),
        ({"metadata": ["not", "an", "object"]}, "metadata"),
        ({"customer": {"name": "\udfff"}}, "customer"),
        ({"external_id": "x" * 201}, "external_id"),
    ],
)
def test_text_postgresql_cannot_store_is_a_400_naming_the_field(source_client, overrides, field):
    response = source_client.post_raw(URL, json.dumps(ticket_payload(**overrides)).encode())
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Ticket.objects.count() == 0


def test_a_body_over_the_limit_is_a_413(source_client, settings):
    settings.TICKET_MAX_PAYLOAD_BYTES = 1000
    response = source_client.post(URL, ticket_payload(body="x" * 2000))
    assert response.status_code == 413
    assert Ticket.objects.count() == 0


def test_a_body_at_the_limit_is_accepted(source_client, settings):
    body = json.dumps(ticket_payload(body="")).encode()
    settings.TICKET_MAX_PAYLOAD_BYTES = len(body) + 10
    response = source_client.post(URL, ticket_payload(body="y" * 10))
    assert response.status_code == 201


def test_a_content_type_other_than_json_is_a_415(source_client):
    response = source_client.post_raw(
        URL, b"external_id=1&body=hi", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_a_missing_api_key_is_a_401(client):
    response = client.post(URL, ticket_payload(), content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_unknown_api_key_is_a_401(db):
    response = SourceClient("tsk_not-a-real-key").post(URL, ticket_payload())
    assert response.status_code == 401


def test_a_deactivated_source_is_a_403(source_with_key, source_client):
    source_with_key.source.is_active = False
    source_with_key.source.save(update_fields=["is_active"])
    assert source_client.post(URL, ticket_payload()).status_code == 403


class TestSignedSources:
    @pytest.fixture
    def signed(self, db):
        created = source_create(name="Signed desk", signing_secret="s3cret")
        return SourceClient(created.api_key, signing_secret="s3cret")

    def test_a_correctly_signed_request_is_accepted(self, signed):
        assert signed.post(URL, ticket_payload()).status_code == 201

    def test_a_missing_signature_is_a_401(self, signed):
        response = signed.post(URL, ticket_payload(), HTTP_X_SIGNATURE="")
        assert response.status_code == 401
        assert "X-Signature" in response.json()["detail"]

    def test_a_signature_of_another_body_is_a_401(self, signed):
        other = hmac.new(b"s3cret", b"something else", hashlib.sha256).hexdigest()
        response = signed.post(URL, ticket_payload(), HTTP_X_SIGNATURE=f"sha256={other}")
        assert response.status_code == 401
        assert Ticket.objects.count() == 0

    def test_a_signature_with_the_wrong_secret_is_a_401(self, signed):
        body = json.dumps(ticket_payload()).encode()
        wrong = hmac.new(b"guess", body, hashlib.sha256).hexdigest()
        assert signed.post_raw(URL, body, HTTP_X_SIGNATURE=f"sha256={wrong}").status_code == 401

    def test_a_signature_in_another_scheme_is_a_401(self, signed):
        body = json.dumps(ticket_payload()).encode()
        digest = hmac.new(b"s3cret", body, hashlib.sha1).hexdigest()
        assert signed.post_raw(URL, body, HTTP_X_SIGNATURE=f"sha1={digest}").status_code == 401
