"""Login is rate-limited per username and per client address: past the limit every login is refused
with 429 and a clear message, until the window has passed; the admin's login form too."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client

from tickets import login_throttle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand: no test waits for a window to pass."""
    now = [1_000_000.0]
    monkeypatch.setattr(login_throttle, "_now", lambda: now[0])
    return now


def log_in(client, username, password, *, path="/login/", address="127.0.0.1", **headers):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def fail(client, times, username="agent", **kwargs):
    for _ in range(times):
        assert log_in(client, username, "wrong", **kwargs).status_code == 200


def test_five_failures_for_a_username_block_it_even_with_the_right_password(client, agent, clock):
    fail(client, 5)
    response = log_in(client, "agent", "pw")
    assert response.status_code == 429
    assert "Too many failed logins. Try again in 15 minute(s)." in response.content.decode()
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_the_username_stays_blocked_from_another_address(client, agent, clock):
    fail(client, 5, address="10.0.0.1")
    assert log_in(client, "agent", "pw", address="10.0.0.2").status_code == 429
    assert log_in(client, "AGENT", "pw", address="10.0.0.3").status_code == 429, "any case"


def test_four_failures_do_not_block(client, agent, clock):
    fail(client, 4)
    response = log_in(client, "agent", "pw")
    assert response.status_code == 302 and response["Location"] == "/queue/"


def test_the_block_lifts_when_the_window_has_passed(client, agent, clock):
    fail(client, 5)
    clock[0] += 14 * 60
    assert log_in(client, "agent", "pw").status_code == 429
    assert "Try again in 1 minute(s)." in log_in(client, "agent", "pw").content.decode()
    clock[0] += 61
    assert log_in(client, "agent", "pw").status_code == 302


def test_a_successful_login_forgives_the_usernames_earlier_failures(client, agent, clock):
    fail(client, 4)
    assert log_in(client, "agent", "pw").status_code == 302
    client.logout()
    fail(client, 4)
    assert log_in(client, "agent", "pw").status_code == 302


def test_many_usernames_from_one_address_block_that_address_only(client, agent, clock, settings):
    settings.LOGIN_FAILURES_PER_IP = 3
    for username in ("alice", "bob", "carol"):
        fail(client, 1, username=username, address="10.9.9.9")
    assert log_in(client, "agent", "pw", address="10.9.9.9").status_code == 429
    assert log_in(client, "agent", "pw", address="10.0.0.1").status_code == 302


def test_a_missing_password_is_a_form_error_and_not_a_guess(client, agent, clock):
    for _ in range(6):
        response = client.post("/login/", {"username": "agent"})
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
    assert log_in(client, "agent", "pw").status_code == 302


def test_the_admin_login_is_limited_too(client, admin_user, clock):
    fail(client, 5, username="admin", path="/admin/login/")
    response = log_in(client, "admin", "password", path="/admin/login/")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert log_in(client, "admin", "password").status_code == 429, "and the workspace form for that user"


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, agent, clock, settings):
    settings.NUM_PROXIES = 1
    settings.LOGIN_FAILURES_PER_IP = 3
    # The attacker forges a different first hop each time; the proxy appends the real address.
    for n in range(3):
        fail(
            client,
            1,
            username=f"guess{n}",
            address="10.0.0.100",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
        )
    blocked = log_in(
        client, "agent", "pw", address="10.0.0.100", HTTP_X_FORWARDED_FOR="192.0.2.50, 198.51.100.7"
    )
    assert blocked.status_code == 429
    other_client = log_in(client, "agent", "pw", address="10.0.0.100", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert other_client.status_code == 302


def test_failures_counted_in_one_process_block_logins_in_another(client, agent):
    # gunicorn runs several web processes: a count kept in one process's memory would multiply the limit.
    code = (
        "import django; django.setup()\n"
        "from tickets.login_throttle import login_attempt_start\n"
        "for _ in range(5): login_attempt_start(username='agent', ip='10.1.1.1')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert log_in(client, "agent", "pw", address="10.2.2.2").status_code == 429


class HeldPasswordCheck(ModelBackend):
    """The password check, held open until the test releases it: every guess of a burst is in flight at
    once, as when an attacker sends them in parallel."""

    condition = threading.Condition()
    entered = 0
    release = threading.Event()

    def authenticate(self, request, **credentials):
        with self.condition:
            HeldPasswordCheck.entered += 1
            self.condition.notify_all()
        assert self.release.wait(timeout=30)
        return super().authenticate(request, **credentials)


# Committed rows (other threads' connections must see the user); serialized rollback restores the
# migrations' seed data for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit(agent, settings):
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.HeldPasswordCheck"]
    HeldPasswordCheck.entered, refused, statuses = 0, [], []
    HeldPasswordCheck.release.clear()

    def guess():
        try:
            response = log_in(Client(), "agent", "wrong")
            with HeldPasswordCheck.condition:
                statuses.append(response.status_code)
                refused.append(response.status_code == 429)
                HeldPasswordCheck.condition.notify_all()
        finally:
            connection.close()

    guesses = [threading.Thread(target=guess) for _ in range(8)]
    for thread in guesses:
        thread.start()
    with HeldPasswordCheck.condition:
        # Every guess is either inside the password check or already refused.
        assert HeldPasswordCheck.condition.wait_for(
            lambda: HeldPasswordCheck.entered + sum(refused) == 8, timeout=30
        )
    HeldPasswordCheck.release.set()
    for thread in guesses:
        thread.join(timeout=30)

    assert HeldPasswordCheck.entered == 5  # LOGIN_FAILURES_PER_USERNAME
    assert sorted(statuses) == [200] * 5 + [429] * 3
    assert log_in(Client(), "agent", "pw").status_code == 429
