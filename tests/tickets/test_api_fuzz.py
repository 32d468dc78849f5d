"""Schemathesis against the API's own OpenAPI schema, over real HTTP to a live server, with a real
source key: whatever it sends, the API never answers 5xx and every answer is the one the schema
documents (status code, content type, body)."""

import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tickets.services import source_create

# About 500 requests in all, for every operation in the schema together: enough to find the classic
# 500s (bad types, odd Unicode, huge numbers, wrong content types) in well under a minute on a busy
# machine. Derandomized, so CI sees the same requests every run.
EXAMPLES_PER_OPERATION = 125


def served_schema() -> dict:
    """The schema /api/schema/ serves, made by the same generator (no server is up at collection)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(served_schema())


@pytest.fixture
def source_key(django_db_serialized_rollback, transactional_db):
    # Committed (the live server is another thread with its own connection).
    return source_create(name="Fuzzed desk", slug="fuzzed").api_key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_answers_5xx_and_always_as_documented(case, live_server, source_key):
    case.call_and_validate(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {source_key}"},
        checks=[
            schemathesis.checks.not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


def test_the_fuzzed_schema_is_the_one_the_api_serves(client):
    assert client.get("/api/schema/", {"format": "json"}).json() == served_schema()
