from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ai_enrichment.views import knowledge_document
from config.health import healthz, readyz
from config.metrics import metrics
from tickets.api.views import CustomerPurgeApi, TicketDetailApi, TicketsApi, api_not_found
from tickets.login_throttle import AdminLoginForm, LoginForm, too_many_requests_when_throttled

admin.site.login_form = AdminLoginForm

api_v1 = [
    # Both spellings, with and without the trailing slash: clients differ and a 301 would lose a POST.
    re_path(r"^tickets/?$", TicketsApi.as_view(), name="tickets"),
    re_path(r"^tickets/(?P<ticket_id>[0-9]+)/?$", TicketDetailApi.as_view(), name="ticket-detail"),
    re_path(
        r"^customers/(?P<customer_external_id>[^/]+)/?$", CustomerPurgeApi.as_view(), name="customer-purge"
    ),
    re_path(r"^(?P<path>[\s\S]*)", api_not_found, name="not-found"),  # last: JSON, not the HTML 404 page
]

urlpatterns = [
    # Probes: exact paths, no redirect, no login.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the pages allow no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Both login forms count failures and refuse with 429 past the limit (tickets.login_throttle).
    path("admin/login/", too_many_requests_when_throttled(admin.site.login)),
    path("admin/", admin.site.urls),
    path(
        "login/",
        too_many_requests_when_throttled(
            auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("kb/<int:document_id>/", knowledge_document, name="knowledge-document"),
    path("", include("feedback.urls")),
    path("", include("tickets.urls")),
]
