"""Login rate limiting for the workspace and the admin: after too many failed logins for one username,
or from one client address, within a window, every login for it is refused with 429 until the window
has passed (even with the right password, so guessing on cannot succeed meanwhile).

Failures are kept in the `login_attempts` cache (Redis with REDIS_URL, otherwise files under var/), so
every web process of a machine sees the same counts. An attempt is counted as a failure before its
password is checked, and forgiven once it proves right: the check takes a while, and counting only
afterwards would let a burst of parallel guesses through all at once. The check and the count happen
under a PostgreSQL advisory lock per key, since neither cache backend can append to a list atomically.
"""

from __future__ import annotations

import hashlib
import math
import time
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import caches
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.http import HttpRequest

LOCK_NAMESPACE = 7304  # pg_advisory_xact_lock(LOCK_NAMESPACE, hashtext(cache key))


def _cache():
    return caches["login_attempts"]


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind NUM_PROXIES reverse proxies, the one the nearest
    proxy saw (the last hop it appended to X-Forwarded-For); the client can forge the entries
    before that, never this one."""
    proxies = settings.NUM_PROXIES
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _keys(*, username: str, ip: str) -> dict[str, str]:
    """Cache keys per username (any case) and per address; hashed, so any text makes a valid key."""

    def key(kind: str, value: str) -> str:
        return f"login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"

    return {"username": key("username", username.strip().lower()), "ip": key("ip", ip)}


def _limits() -> dict[str, int]:
    return {"username": settings.LOGIN_FAILURES_PER_USERNAME, "ip": settings.LOGIN_FAILURES_PER_IP}


def _now() -> float:
    return time.time()


def _recent(key: str, now: float) -> list[float]:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    return [at for at in _cache().get(key, []) if at > now - window]


@contextmanager
def _locked(keys):
    """These cache keys, for this process alone until the block ends (a transaction's advisory locks,
    taken in one order, so two attempts wait in turn and never deadlock)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_NAMESPACE, key])
        yield


def login_attempt_start(*, username: str, ip: str) -> tuple[int, float]:
    """Count a login attempt as a failure of this username and this address, unless either is blocked.

    Returns the seconds until a login may be tried again (0: the attempt is counted and may go on) and
    the attempt's time, which `login_attempt_forgive` needs."""
    now = _now()
    keys = _keys(username=username, ip=ip)
    with _locked(keys.values()):
        wait = 0.0
        for kind, key in keys.items():
            failures = _recent(key, now)
            limit = _limits()[kind]
            if len(failures) >= limit:
                # Blocked until the oldest failure that still counts towards the limit leaves the window.
                oldest_counted = sorted(failures)[-limit]
                wait = max(wait, oldest_counted + settings.LOGIN_FAILURE_WINDOW_SECONDS - now)
        if wait <= 0:
            for kind, key in keys.items():
                failures = [*_recent(key, now), now][-_limits()[kind] :]  # more than the limit never matters
                _cache().set(key, failures, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return math.ceil(max(wait, 0.0)), now


def login_attempt_forgive(*, username: str, ip: str, started_at: float, succeeded: bool) -> None:
    """The attempt was no guess: take it back. A successful login also forgives the username's earlier
    failures (never the address's: other usernames may have been guessed from it)."""
    keys = _keys(username=username, ip=ip)
    with _locked(keys.values()):
        for kind, key in keys.items():
            if kind == "username" and succeeded:
                _cache().delete(key)
                continue
            failures = _cache().get(key, [])
            if started_at in failures:
                failures.remove(started_at)
                _cache().set(key, failures, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


class ThrottledLoginMixin:
    """For an AuthenticationForm: refuse while blocked, count failed logins, clear on success."""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a missing field is a form error, not a guess
        ip = client_ip(self.request)
        self.throttled_for, started_at = login_attempt_start(username=username, ip=ip)
        if self.throttled_for:
            raise ValidationError(
                "Too many failed logins. Try again in %(minutes)d minute(s).",
                code="throttled",
                params={"minutes": math.ceil(self.throttled_for / 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code != "invalid_login":  # e.g. the right password of an inactive account
                login_attempt_forgive(username=username, ip=ip, started_at=started_at, succeeded=False)
            raise
        login_attempt_forgive(username=username, ip=ip, started_at=started_at, succeeded=True)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


def too_many_requests_when_throttled(view):
    """A login view answers 429 (not 200) when its form was refused for too many failures."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.has_error(NON_FIELD_ERRORS, code="throttled"):
            response.status_code = 429
            response.headers["Retry-After"] = str(form.throttled_for)
        return response

    return wrapper
