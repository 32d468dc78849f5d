from django.apps import AppConfig


class AiEnrichmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ai_enrichment"
    verbose_name = "AI enrichment"
