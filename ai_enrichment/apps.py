import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class AiEnrichmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ai_enrichment"
    verbose_name = "AI enrichment"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_save
        from django_q.signals import post_spawn

        from ai_enrichment import checks  # noqa: F401  (registers the start-up checks)
        from ai_enrichment.selectors import taxonomy_forget

        connection_created.connect(tune_vector_search)
        for label in (self.get_model("Category"), self.get_model("Priority")):
            post_save.connect(
                taxonomy_forget, sender=label, dispatch_uid=f"taxonomy_forget_save_{label.__name__}"
            )
            post_delete.connect(
                taxonomy_forget, sender=label, dispatch_uid=f"taxonomy_forget_delete_{label.__name__}"
            )
        post_spawn.connect(warm_up_worker_process, dispatch_uid="ai_enrichment.warm_up_worker_process")


def warm_up_worker_process(sender, proc_name: str, **kwargs) -> None:
    """A django-q2 worker process loads what enrichment needs when it starts, not in its first task."""
    from django.conf import settings

    from ai_enrichment.pipeline import worker_warm_up

    if not (settings.AI_ENABLED and settings.AI_PROVIDER_CHAIN):
        return  # this cluster enriches nothing: no need for the model's memory
    try:
        worker_warm_up()
    except Exception:  # the first task tries again, and fails its tickets with a reason if it must
        logger.exception("worker %s could not warm up for enrichment", proc_name)


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
