"""Start-up checks: the embedding dimension in settings must match the vector columns in the database."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import connections

VECTOR_COLUMNS = [
    ("ai_enrichment_knowledgechunk", "embedding"),
    ("ai_enrichment_ticketembedding", "embedding"),
]


@register(Tags.database)
def embedding_dimensions_match_the_schema(app_configs, databases=None, **kwargs):
    """Runs with `migrate` (so `make run`) and `manage.py check --database default`."""
    if not databases or "default" not in databases:
        return []
    errors = []
    with connections["default"].cursor() as cursor:
        for table, column in VECTOR_COLUMNS:
            cursor.execute(
                "SELECT atttypmod FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = %s",
                [table, column],
            )
            row = cursor.fetchone()
            if row and row[0] > 0 and row[0] != settings.EMBEDDING_DIMENSIONS:
                errors.append(
                    Error(
                        f"EMBEDDING_DIMENSIONS is {settings.EMBEDDING_DIMENSIONS} but {table}.{column} stores "
                        f"vectors of {row[0]} dimensions.",
                        hint="Use an embedding model of the schema's dimension, or migrate the vector columns "
                        "and re-embed (manage.py ingest_kb --force).",
                        id="ai_enrichment.E001",
                    )
                )
    return errors
