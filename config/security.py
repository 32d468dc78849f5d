"""The Content-Security-Policy header on every response.

Agents read text that customers wrote (ticket bodies, names, subjects). Templates escape it; the policy
is the second line: should any of it ever reach the page as markup, the browser still runs no script
and loads nothing that is not served by this app. Pages load their scripts from /static/ only (htmx,
workspace.js, the admin's, Swagger UI's through its split view), so `script-src 'self'` costs nothing.
"""

from __future__ import annotations

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
