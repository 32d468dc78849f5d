"""Start-up checks: the embedding dimension in settings must match the vector columns in the database,
and the PII redaction and injection routing settings must be usable."""

import re

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
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


@register()
def pii_redaction_settings_are_valid(app_configs, **kwargs):
    """A bad custom pattern would otherwise fail every enrichment that goes to an external provider."""
    import phonenumbers

    from ai_enrichment.redaction import Redactor

    errors = []
    if settings.PII_PHONE_REGION.upper() not in phonenumbers.SUPPORTED_REGIONS:
        errors.append(
            Error(
                f"PII_PHONE_REGION {settings.PII_PHONE_REGION!r} is not a region phonenumbers knows.",
                hint="Use a two-letter ISO 3166 code such as US, GB or DE.",
                id="ai_enrichment.E003",
            )
        )
    try:
        redactor = Redactor(custom_patterns=settings.PII_CUSTOM_PATTERNS)
    except (ValueError, re.error) as error:
        return [
            *errors,
            Error(
                f"PII_CUSTOM_PATTERNS: {error}",
                hint="Entries are name=regex, separated by ';'.",
                id="ai_enrichment.E004",
            ),
        ]
    for name, pattern in redactor.custom_patterns.items():
        if pattern.fullmatch(""):
            errors.append(
                Error(f"PII_CUSTOM_PATTERNS: {name} matches the empty string.", id="ai_enrichment.E004")
            )
    return errors


INJECTION_ROUTES = ("flag", "local")


@register()
def injection_route_is_known(app_configs, **kwargs):
    if settings.AI_INJECTION_ROUTE in INJECTION_ROUTES:
        return []
    return [
        Error(
            f"AI_INJECTION_ROUTE is {settings.AI_INJECTION_ROUTE!r}.",
            hint="Use 'flag' (normal provider chain, flagged) or 'local' (the local model only).",
            id="ai_enrichment.E005",
        )
    ]


@register(Tags.database)
def enrichment_threads_fit_the_connection_limit(app_configs, databases=None, **kwargs):
    """Each enrichment thread holds a database connection while it waits on the model; more threads
    than PostgreSQL accepts would fail with 'too many clients' under load."""
    if not databases or "default" not in databases:
        return []
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    needed = settings.Q_CLUSTER["workers"] * settings.AI_ENRICHMENT_BATCH + 20  # + web, scheduler, admin
    if needed <= limit:
        return []
    return [
        Warning(
            f"Q_WORKERS × AI_ENRICHMENT_BATCH ({settings.Q_CLUSTER['workers']} × {settings.AI_ENRICHMENT_BATCH}) plus "
            f"about 20 other connections needs {needed} database connections; PostgreSQL allows {limit}.",
            hint="Lower AI_ENRICHMENT_BATCH or Q_WORKERS, or raise max_connections.",
            id="ai_enrichment.W002",
        )
    ]
