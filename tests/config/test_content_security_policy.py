"""Every response carries the Content-Security-Policy: pages run only this app's own scripts."""

import pytest


@pytest.mark.parametrize("path", ["/login/", "/api/docs/", "/api/v1/tickets/", "/healthz"])
def test_every_response_carries_the_policy(client, path):
    policy = client.get(path).headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "'unsafe-eval'" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy


def test_an_operator_can_hand_the_header_to_the_proxy_in_front(client, settings):
    settings.CONTENT_SECURITY_POLICY = ""
    assert "Content-Security-Policy" not in client.get("/login/").headers
