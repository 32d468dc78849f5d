"""Settings from the environment: production refuses to start without its secrets, development
generates them once, and the provider chain follows what is configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


UNSET = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "APP_ENV",
    "ANTHROPIC_API_KEY",
    "OPENAI_COMPAT_BASE_URL",
    "AI_PROVIDER_CHAIN",
)


def load_settings(setting: str = "SECRET_KEY", **env):
    """Import the settings in a fresh process with `env`, and print one setting."""
    environment = {k: v for k, v in os.environ.items() if k not in UNSET}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{setting})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(APP_ENV="production", ALLOWED_HOSTS="support.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = load_settings(APP_ENV="production", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_development_generates_its_secret_key_once():
    first, second = load_settings(), load_settings()
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == second.stdout.strip()
    assert len(first.stdout.strip()) >= 50


def test_an_unknown_app_env_is_refused():
    result = load_settings(APP_ENV="staging")
    assert result.returncode != 0
    assert "APP_ENV" in result.stderr


def test_without_an_api_key_the_local_model_serves():
    assert load_settings("AI_PROVIDER_CHAIN").stdout.strip() == "['local']"


def test_with_an_api_key_claude_answers_first_and_the_local_model_is_the_last_resort():
    result = load_settings(
        "AI_PROVIDER_CHAIN", ANTHROPIC_API_KEY="key", OPENAI_COMPAT_BASE_URL="http://127.0.0.1:9/v1"
    )
    assert result.stdout.strip() == "['anthropic', 'openai_compatible', 'local']"


def test_the_start_up_check_warns_when_enrichment_threads_exceed_the_connection_limit(db, settings):
    from ai_enrichment.checks import enrichment_threads_fit_the_connection_limit

    assert enrichment_threads_fit_the_connection_limit(None, databases=["default"]) == []
    settings.AI_ENRICHMENT_BATCH = 1000
    [warning] = enrichment_threads_fit_the_connection_limit(None, databases=["default"])
    assert warning.id == "ai_enrichment.W002"


def test_custom_pii_patterns_are_name_equals_regex_separated_by_semicolons():
    result = load_settings(
        "PII_CUSTOM_PATTERNS", PII_CUSTOM_PATTERNS=r"Contract=CT-\d{2,6}; policy=POL-[A-Z]{2}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == r"{'contract': 'CT-\\d{2,6}', 'policy': 'POL-[A-Z]{2}'}"


def test_a_custom_pii_pattern_without_a_name_refuses_to_start():
    result = load_settings("PII_CUSTOM_PATTERNS", PII_CUSTOM_PATTERNS=r"CT-\d{6}")
    assert result.returncode != 0
    assert "is not name=regex" in result.stderr
