"""The ticket API that external ticket systems call. Views only translate HTTP to services."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from ai_enrichment.selectors import enrichment_current
from ai_enrichment.serializers import EnrichmentOutputSerializer
from tickets.api.authentication import SourceKeyAuthentication, raw_body
from tickets.api.fields import MetadataField, TextField
from tickets.api.throttling import SourceIngestThrottle
from tickets.models import Purge, Source, Ticket
from tickets.selectors import ticket_list_for_source
from tickets.services import IngestOutcome, ticket_ingest, tickets_purge


class IsSource(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, Source)


class SourceApi(APIView):
    """Base for endpoints called by a source system: `request.auth` is the calling Source."""

    authentication_classes = [SourceKeyAuthentication]
    permission_classes = [IsSource]


class ErrorOutputSerializer(serializers.Serializer):
    """Every error answer: `detail` says what is wrong; `errors` names each invalid field (400s)."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Each invalid field (nested fields as objects) with its messages.",
    )


def error_responses(operation_errors: dict[int, str]) -> dict[int, OpenApiResponse]:
    """The errors any source endpoint can answer, with this operation's own, all in one shape."""
    descriptions = {
        401: "Missing or unknown API key, or bad signature.",
        403: "The source is deactivated.",
        503: "The database is unreachable for a moment; nothing was stored. Retry after `Retry-After`.",
        **operation_errors,
    }
    return {
        code: OpenApiResponse(ErrorOutputSerializer, description=description)
        for code, description in sorted(descriptions.items())
    }


class CustomerInputSerializer(serializers.Serializer):
    external_id = TextField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=320, required=False, allow_blank=True, default="")
    name = TextField(max_length=300, required=False, allow_blank=True, default="")


class CustomerOutputSerializer(serializers.Serializer):
    external_id = serializers.CharField(source="customer_external_id")
    email = serializers.CharField(source="customer_email")
    name = serializers.CharField(source="customer_name")


class TicketOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    customer = CustomerOutputSerializer(source="*")
    language = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField()
    metadata = serializers.JSONField()
    source_updated_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    enrichment = serializers.SerializerMethodField()

    @extend_schema_field(EnrichmentOutputSerializer(allow_null=True))
    def get_enrichment(self, ticket):
        """The current enrichment: prefetched by the list selectors, or looked up for a single ticket."""
        prefetched = getattr(ticket, "current_enrichments", None)
        if prefetched is None:
            current = enrichment_current(ticket_id=ticket.pk)
        else:
            current = prefetched[0] if prefetched else None
        return EnrichmentOutputSerializer(current).data if current else None


class TicketPageSerializer(serializers.Serializer):
    """One page of a ticket list, as the list's PageNumberPagination answers it."""

    count = serializers.IntegerField(help_text="Tickets matching the filters, on every page.")
    next = serializers.URLField(allow_null=True, help_text="The next page, null on the last.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, null on the first.")
    results = TicketOutputSerializer(many=True)


INGEST_EXAMPLE = {
    "external_id": "ZD-48213",
    "subject": "Charged twice for my March invoice",
    "body": "Hi, my card was charged two times for invoice INV-2031. Can you refund one?",
    "customer": {"external_id": "cus_8812", "email": "maria@example.com", "name": "María Pérez"},
    "language": "en",
    "channel": "email",
    "status": "new",
    "metadata": {"plan": "growth", "tags": ["billing"]},
    "source_updated_at": "2026-03-04T09:15:00Z",
}


class TicketsApi(SourceApi):
    """`POST` ingests a ticket (create or update by external_id); `GET` lists the source's tickets."""

    throttle_classes = [SourceIngestThrottle]

    class IngestInputSerializer(serializers.Serializer):
        external_id = TextField(max_length=200)
        subject = TextField(max_length=1000, required=False, allow_blank=True, default="")
        # Kept exactly as sent (no trimming): the body is the customer's words.
        body = TextField(trim_whitespace=False)
        customer = CustomerInputSerializer(required=False)
        language = TextField(max_length=35, required=False, allow_blank=True, default="")
        channel = serializers.ChoiceField(
            choices=Ticket.Channel.choices, required=False, default=Ticket.Channel.OTHER
        )
        status = serializers.ChoiceField(
            choices=Ticket.Status.choices, required=False, default=Ticket.Status.NEW
        )
        metadata = MetadataField(required=False, default=dict)
        source_updated_at = serializers.DateTimeField(
            required=False,
            allow_null=True,
            default=None,
            help_text="When the ticket last changed in your system. A delivery older than the one we hold is ignored.",
        )

    class ListFilterSerializer(serializers.Serializer):
        external_id = serializers.CharField(required=False)
        customer_email = serializers.CharField(required=False)
        customer_external_id = serializers.CharField(required=False)
        status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False)
        received_after = serializers.DateTimeField(required=False)
        received_before = serializers.DateTimeField(required=False)

    class Pagination(PageNumberPagination):
        page_size = 50
        page_size_query_param = "page_size"
        max_page_size = 200

    @extend_schema(
        operation_id="tickets_ingest",
        summary="Create or update a ticket",
        request=IngestInputSerializer,
        responses={
            201: OpenApiResponse(TicketOutputSerializer, description="Created; enrichment queued."),
            200: OpenApiResponse(
                TicketOutputSerializer,
                description="Already known: updated and queued again if the content changed, otherwise no new work.",
            ),
            **error_responses(
                {
                    400: "Malformed JSON or invalid fields (each field named in `errors`).",
                    413: "Body larger than TICKET_MAX_PAYLOAD_BYTES.",
                    415: "Content-Type is not application/json.",
                    429: "The source's ingest limit per minute is reached; retry after `Retry-After` seconds.",
                }
            ),
        },
        examples=[OpenApiExample("A new e-mail ticket", value=INGEST_EXAMPLE, request_only=True)],
    )
    def post(self, request):
        raw_body(request)  # 413 before parsing anything large
        serializer = self.IngestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = data.pop("customer", {})
        result = ticket_ingest(
            source=request.auth,
            customer_external_id=customer.get("external_id", ""),
            customer_email=customer.get("email", ""),
            customer_name=customer.get("name", ""),
            **data,
        )
        if result.enrichment is not None:
            result.ticket.current_enrichments = [result.enrichment]  # known: spare the serializer a query
        code = status.HTTP_201_CREATED if result.outcome == IngestOutcome.CREATED else status.HTTP_200_OK
        return Response(
            TicketOutputSerializer(result.ticket).data,
            status=code,
            headers={"X-Ingest-Outcome": result.outcome.value},  # a plain str, as WSGI requires
        )

    def throttled(self, request, wait):
        limit = request.auth.ingest_requests_per_minute
        raise exceptions.Throttled(wait, detail=f"This source may send {limit} tickets a minute.")

    @extend_schema(
        operation_id="tickets_list",
        summary="List this source's tickets",
        parameters=[ListFilterSerializer],
        responses={
            200: TicketPageSerializer,
            **error_responses(
                {400: "An invalid filter or page size (each named in `errors`).", 404: "No such page."}
            ),
        },
    )
    def get(self, request):
        filters = self.ListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tickets = ticket_list_for_source(source=request.auth, **filters.validated_data)
        paginator = self.Pagination()
        page = paginator.paginate_queryset(tickets, request, view=self)
        return paginator.get_paginated_response(TicketOutputSerializer(page, many=True).data)


class TicketDetailApi(SourceApi):
    @extend_schema(
        operation_id="tickets_retrieve",
        summary="A ticket and its current enrichment",
        responses={200: TicketOutputSerializer, **error_responses({404: "No such ticket of this source."})},
    )
    def get(self, request, ticket_id: int):
        ticket = get_object_or_404(ticket_list_for_source(source=request.auth), pk=ticket_id)
        return Response(TicketOutputSerializer(ticket).data)


class CustomerPurgeApi(SourceApi):
    class PurgeOutputSerializer(serializers.Serializer):
        customer_external_id = serializers.CharField()
        purge_id = serializers.IntegerField(help_text="The audit record of this purge.")
        deleted = serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Rows deleted per kind: the tickets and everything derived from them.",
        )

    @extend_schema(
        operation_id="customers_purge",
        summary="Delete a customer's data",
        description=(
            "Deletes this source's tickets of the customer (by the `customer.external_id` they were sent "
            "with) and everything derived from them: enrichments, AI-call records, callback deliveries, "
            "agents' feedback, confirmed labels, embeddings, cached answers and message-batch entries. "
            "Other sources' tickets are untouched. "
            "Safe to repeat: a customer with nothing left gives zero counts. Each call is recorded in "
            "the purge audit log (counts and a hash of the id, never the content)."
        ),
        responses={
            200: OpenApiResponse(PurgeOutputSerializer, description="Deleted; the counts per kind."),
            **error_responses({}),
        },
    )
    def delete(self, request, customer_external_id: str):
        source = request.auth
        result = tickets_purge(
            tickets=Ticket.objects.filter(source=source, customer_external_id=customer_external_id),
            requested_via=Purge.RequestedVia.API,
            requested_by=f"source {source.slug}",
            source=source,
            customer=customer_external_id,
        )
        output = {
            "customer_external_id": customer_external_id,
            "purge_id": result.purge.pk,
            "deleted": result.counts,
        }
        return Response(self.PurgeOutputSerializer(output).data)


def api_not_found(request, path: str):
    """Any other path under /api/v1/ (a ticket id that is not a number, a typo) answers in the API's
    own error shape, not with the site's HTML 404 page that a client would fail to parse."""
    return JsonResponse({"detail": "Not found."}, status=404)
