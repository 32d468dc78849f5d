"""One error shape for the whole API: `{"detail": ..., "errors": {field: [messages]}}`."""

from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is unreachable (restarting, failing over): tell the client to retry later
        # rather than answering 500. A retry is safe: ingest is idempotent, and a ticket whose commit
        # made it before the connection died is found, not stored twice.
        return Response(
            {"detail": "The service is temporarily unavailable; retry shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "errors": _as_field_errors(response.data)}
    return response


def _as_field_errors(data):
    if isinstance(data, list):
        return {"non_field_errors": data}
    return data
