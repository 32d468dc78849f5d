"""How an enrichment looks from outside: in the API and in callbacks (one shape for both)."""

from rest_framework import serializers

from ai_enrichment.models import Enrichment


class CitationSerializer(serializers.Serializer):
    chunk_id = serializers.IntegerField()
    document_id = serializers.IntegerField()
    title = serializers.CharField()
    heading = serializers.CharField(allow_blank=True)


class ReplySourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()


class EnrichmentOutputSerializer(serializers.ModelSerializer):
    # What agents are warned about on the AI panel, so the source system can show it too.
    citations = CitationSerializer(
        many=True, read_only=True, help_text="Knowledge-base passages the suggestion relies on."
    )
    # Always a ticket of the same source: similar tickets are never looked up across sources.
    reply_source = ReplySourceSerializer(
        source="reply_source_ticket",
        allow_null=True,
        read_only=True,
        help_text="The earlier ticket whose accepted reply the suggested reply reuses; null when none.",
    )
    injection_signals = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Why the ticket looks like an attempt to instruct the AI (empty: it does not).",
    )
    unverified_links = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Links or addresses in the reply found neither in the ticket nor in the knowledge base.",
    )
    # Empty ("") until the enrichment is done. Declared here because the model's slug fields and
    # choices would otherwise be documented as never empty, and clients validating against the schema
    # would reject every pending or failed enrichment.
    category = serializers.CharField(read_only=True, help_text="Empty until done.")
    priority = serializers.CharField(read_only=True, help_text="Empty until done.")
    sentiment = serializers.ChoiceField(
        choices=Enrichment.Sentiment.choices, allow_blank=True, read_only=True, help_text="Empty until done."
    )

    class Meta:
        model = Enrichment
        fields = [
            "id",
            "status",
            "status_reason",
            "category",
            "priority",
            "summary",
            "suggested_reply",
            "confidence",
            "language",
            "sentiment",
            "provider",
            "model",
            "prompt_version",
            "citations",
            "reply_source",
            "injection_signals",
            "unverified_links",
            "over_budget",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
