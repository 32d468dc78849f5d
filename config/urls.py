from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ai_enrichment.views import knowledge_document
from config.health import healthz, readyz
from config.metrics import metrics
from tickets.api.views import CustomerPurgeApi, TicketDetailApi, TicketsApi

api_v1 = [
    # Both spellings, with and without the trailing slash: clients differ and a 301 would lose a POST.
    re_path(r"^tickets/?$", TicketsApi.as_view(), name="tickets"),
    re_path(r"^tickets/(?P<ticket_id>[0-9]+)/?$", TicketDetailApi.as_view(), name="ticket-detail"),
    re_path(
        r"^customers/(?P<customer_external_id>[^/]+)/?$", CustomerPurgeApi.as_view(), name="customer-purge"
    ),
]

urlpatterns = [
    # Probes: exact paths, no redirect, no login.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("kb/<int:document_id>/", knowledge_document, name="knowledge-document"),
    path("", include("feedback.urls")),
    path("", include("tickets.urls")),
]
