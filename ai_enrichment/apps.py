from django.apps import AppConfig


class AiEnrichmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ai_enrichment"
    verbose_name = "AI enrichment"

    def ready(self):
        from django.db.backends.signals import connection_created

        from ai_enrichment import checks  # noqa: F401  (registers the start-up checks)

        connection_created.connect(tune_vector_search)


def tune_vector_search(sender, connection, **kwargs):
    """pgvector's HNSW search settings for every new connection (set as placeholders until the
    extension loads). A wider search for better recall (HNSW_EF_SEARCH), and filtered searches
    (similar tickets of one source) that keep scanning until they have enough rows."""
    if connection.vendor != "postgresql":
        return
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute(f"SET hnsw.ef_search = {int(settings.HNSW_EF_SEARCH)}")
        cursor.execute("SET hnsw.iterative_scan = relaxed_order")
