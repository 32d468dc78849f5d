"""The lead dashboard and its exports. Views read the filters, check the role and call
feedback.dashboard (the figures), feedback.charts and feedback.exports."""

from __future__ import annotations

import csv

from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from feedback.charts import dashboard_charts
from feedback.dashboard import dashboard_figures, filter_choices
from feedback.exports import feedback_dataset, figures_rows
from feedback.forms import DashboardFilterForm
from tickets.access import lead_required, sources_visible_to
from tickets.models import Source


def _filter_form(request) -> tuple[DashboardFilterForm, bool]:
    sources = list(sources_visible_to(request.user).order_by("name"))
    form = DashboardFilterForm(request.GET, sources=sources, choices=filter_choices())
    return form, len(sources) == Source.objects.count()


def _bad_filters(form: DashboardFilterForm) -> HttpResponseBadRequest:
    errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
    return HttpResponseBadRequest(f"Invalid filters. {errors}", content_type="text/plain; charset=utf-8")


@require_GET
@lead_required
def dashboard(request):
    form, all_sources = _filter_form(request)
    context = {"form": form, "query": request.GET.urlencode()}
    if form.is_valid():
        figures = dashboard_figures(
            filters=form.filters(all_sources_visible=all_sources), compare_by=form.cleaned_data["compare"]
        )
        context.update(figures=figures, charts=dashboard_charts(figures))
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
    figures = dashboard_figures(
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
