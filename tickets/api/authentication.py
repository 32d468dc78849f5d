"""How an external system proves who it is: a source API key, and optionally an HMAC of the body."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from tickets.models import Source


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "Request body too large."
    default_code = "payload_too_large"


class SourceKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` identifies the Source; `request.auth` is that Source.

    When the source has a signing secret, `X-Signature: sha256=<hex>` must be an HMAC-SHA256 of the
    raw body. Checked here, before the body is parsed, so an unsigned body is never interpreted.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not key.strip():
            raise exceptions.NotAuthenticated("Missing API key: send 'Authorization: Bearer <source key>'.")
        source = Source.objects.filter(api_key_hash=Source.hash_api_key(key.strip())).first()
        if source is None:
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if not source.is_active:
            raise exceptions.PermissionDenied("This source is deactivated.")
        if source.signing_secret and request.method not in ("GET", "HEAD", "OPTIONS"):
            signature = request.headers.get("X-Signature", "")
            if not signature:
                raise exceptions.AuthenticationFailed(
                    "Missing X-Signature header: this source requires signed requests."
                )
            if not source.signature_is_valid(body=raw_body(request), signature_header=signature):
                raise exceptions.AuthenticationFailed(
                    "Bad X-Signature: it must be sha256=<hex HMAC-SHA256 of the raw body>."
                )
        return (None, source)

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when authentication fails.
        return self.keyword


def raw_body(request) -> bytes:
    """The raw request body, refusing bodies over TICKET_MAX_PAYLOAD_BYTES with 413."""
    limit = settings.TICKET_MAX_PAYLOAD_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PayloadTooLarge(f"Request body is {declared} bytes; the limit is {limit} bytes.")
    try:
        body = request._request.body if hasattr(request, "_request") else request.body
    except RequestDataTooBig:
        raise PayloadTooLarge(f"Request body is over the limit of {limit} bytes.") from None
    if len(body) > limit:
        raise PayloadTooLarge(f"Request body is {len(body)} bytes; the limit is {limit} bytes.")
    return body


class SourceKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the source key in the OpenAPI schema (drf-spectacular finds it by subclassing)."""

    target_class = SourceKeyAuthentication
    name = "SourceKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The source's API key, shown once when the source is created.",
        }
