from django.apps import AppConfig


class AiEnrichmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ai_enrichment"
    verbose_name = "AI enrichment"

    def ready(self):
        from ai_enrichment import checks  # noqa: F401  (registers the start-up checks)
