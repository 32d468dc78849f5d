"""How an enrichment looks from outside: in the API and in callbacks (one shape for both)."""

from rest_framework import serializers

from ai_enrichment.models import Enrichment


class EnrichmentOutputSerializer(serializers.ModelSerializer):
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
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
