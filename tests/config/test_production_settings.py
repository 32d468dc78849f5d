"""Production settings (`APP_ENV=production`): `check --deploy` is clean, and responses carry the
security headers and secure cookies; HTTP is redirected to HTTPS except for the probes."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from tests.config.test_settings import ROOT, UNSET


def production_env(**overrides) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in (*UNSET, "SECURE_PROXY_SSL_HEADER")}
    environment.update(
        {
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "support.example.com",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **overrides,
        }
    )
    return environment


def run(args, **env):
    return subprocess.run(
        args, cwd=ROOT, env=production_env(**env), capture_output=True, text=True, timeout=120
    )


# Requests through Django's test client in a process started with production settings. None of these
# pages needs the database.
REQUESTS = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(HTTP_HOST="support.example.com")

def answer(path, **headers):
    response = client.get(path, **headers)
    cookies = {
        name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}
        for name, morsel in response.cookies.items()
    }
    return {"status": response.status_code, "headers": dict(response.headers), "cookies": cookies}

print(json.dumps({
    "https": answer("/login/", HTTP_X_FORWARDED_PROTO="https"),
    "http": answer("/login/"),
    "probe": answer("/healthz"),
    "metrics": answer("/metrics"),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
}))
"""


def production_answers(**env) -> dict:
    result = run([sys.executable, "-c", REQUESTS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_settings():
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_secret_key():
    """The check above can fail: a guessable key is a deploy warning, and WARNING fails the run."""
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECRET_KEY="short"
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


@pytest.fixture(scope="module")
def answers():
    return production_answers()


def test_an_https_response_carries_the_security_headers(answers):
    headers = answers["https"]["headers"]
    assert answers["https"]["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cookies_are_secure_and_out_of_reach_of_scripts(answers):
    assert answers["https"]["cookies"]["csrftoken"] == {"secure": True, "httponly": True}
    assert answers["session_cookie_secure"] is True


def test_plain_http_is_redirected_to_https_but_the_probes_are_not(answers):
    assert answers["http"]["status"] == 301
    assert answers["http"]["headers"]["Location"] == "https://support.example.com/login/"
    assert answers["probe"]["status"] == 200
    assert answers["metrics"]["status"] == 301, "the metrics token must not travel in clear"


def test_without_a_tls_proxy_the_forwarded_proto_header_is_not_trusted():
    answers = production_answers(SECURE_PROXY_SSL_HEADER="")
    assert answers["https"]["status"] == 301, "a client's own X-Forwarded-Proto proves nothing"
