"""The lead dashboard and its exports. Views read the filters, check the role and call
feedback.dashboard (the figures), feedback.charts and feedback.exports."""

from __future__ import annotations

import csv
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from feedback.charts import dashboard_charts
from feedback.dashboard import Dashboard, DashboardFilters, dashboard_figures, filter_choices
from feedback.exports import feedback_dataset, figures_rows
from feedback.forms import DashboardFilterForm
from tickets.access import lead_required, sources_visible_to
from tickets.models import Source


def _filter_form(request) -> tuple[DashboardFilterForm, bool]:
    sources = list(sources_visible_to(request.user).order_by("name"))
    form = DashboardFilterForm(request.GET, sources=sources, choices=filter_choices())
    return form, len(sources) == Source.objects.count()


def _dashboard_page(*, filters: DashboardFilters, compare_by: str) -> tuple[Dashboard, dict]:
    """The figures and their charts, computed at most once per DASHBOARD_CACHE_SECONDS for the same
    filters: reloads, shared links, other leads and the CSV of the view on screen reuse them."""

    def compute() -> tuple[Dashboard, dict]:
        figures = dashboard_figures(filters=filters, compare_by=compare_by)
        return figures, dashboard_charts(figures)

    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    identity = repr(
        (filters, compare_by, settings.AI_LOW_CONFIDENCE, settings.DASHBOARD_LIGHT_EDIT_SIMILARITY)
    )
    return cache.get_or_set("dashboard:v1:" + hashlib.sha256(identity.encode()).hexdigest(), compute, seconds)


def _bad_filters(form: DashboardFilterForm) -> HttpResponseBadRequest:
    errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
    return HttpResponseBadRequest(f"Invalid filters. {errors}", content_type="text/plain; charset=utf-8")


@require_GET
@lead_required
def dashboard(request):
    form, all_sources = _filter_form(request)
    context = {"form": form, "query": request.GET.urlencode()}
    if form.is_valid():
        figures, charts = _dashboard_page(
            filters=form.filters(all_sources_visible=all_sources), compare_by=form.cleaned_data["compare"]
        )
        context.update(figures=figures, charts=charts)
    template = (
        "feedback/dashboard.html#dashboard-results"
        if request.htmx and not request.htmx.boosted
        else "feedback/dashboard.html"
    )
    return render(request, template, context)


def _download_name(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


@require_GET
@lead_required
def dashboard_csv(request):
    form, all_sources = _filter_form(request)
    if not form.is_valid():
        return _bad_filters(form)
    figures, _charts = _dashboard_page(
        filters=form.filters(all_sources_visible=all_sources), compare_by=form.cleaned_data["compare"]
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name("ai-dashboard", "csv")}"'
    writer = csv.writer(response)
    writer.writerow(["section", "figure", "breakdown", "value"])
    writer.writerows(figures_rows(figures))
    return response


@require_GET
@lead_required
def feedback_jsonl(request):
    form, all_sources = _filter_form(request)
    if not form.is_valid():
        return _bad_filters(form)
    response = StreamingHttpResponse(
        feedback_dataset(form.filters(all_sources_visible=all_sources)),
        content_type="application/x-ndjson; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name("ai-feedback", "jsonl")}"'
    return response
