"""The dashboard's filters: a period (or explicit dates), a source and the AI's labels and versions."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from ai_enrichment.models import Category
from feedback.dashboard import COMPARE_DIMENSIONS, DashboardFilters, dashboard_now

PERIODS = [
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 12 months"),
    ("all", "All time"),
    ("custom", "Dates…"),
]
DEFAULTS = {"period": "30", "compare": "prompt_version"}


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(choices=PERIODS)
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.ChoiceField(required=False)
    category = forms.ChoiceField(required=False, help_text="The AI's category")
    provider = forms.ChoiceField(required=False)
    model = forms.ChoiceField(required=False)
    prompt_version = forms.ChoiceField(required=False)
    compare = forms.ChoiceField(choices=list(COMPARE_DIMENSIONS.items()), label="Compare by")

    def __init__(self, data, *, sources, choices: dict[str, list[str]]):
        """`data` is the query string; what it leaves out takes the defaults (the last 30 days)."""
        super().__init__({**DEFAULTS, **data.dict()})
        self.sources = {source.slug: source for source in sources}
        self.fields["source"].choices = [("", "All sources"), *((s.slug, s.name) for s in sources)]
        self.fields["category"].choices = [
            ("", "Any category"),
            *Category.objects.order_by("position", "slug").values_list("slug", "name"),
        ]
        for name, everything in (("provider", "Any provider"), ("model", "Any model")):
            self.fields[name].choices = [("", everything), *((value, value) for value in choices[name])]
        self.fields["prompt_version"].choices = [
            ("", "Any prompt version"),
            *((value, value) for value in choices["prompt_version"]),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if data.get("period") == "custom":
            if start is None:
                self.add_error("start", "Pick the first day of the period.")
            if start and end and end < start:
                self.add_error("end", "The last day is before the first day.")
        return data

    def filters(self, *, all_sources_visible: bool) -> DashboardFilters:
        """The filters for the dashboard's figures. Call only when the form is valid."""
        data = self.cleaned_data
        now = dashboard_now()
        if data["period"] == "custom":
            start = _midnight(data["start"])
            end = _midnight(data["end"]) + timedelta(days=1) if data["end"] else now
        elif data["period"] == "all":
            start, end = None, now
        else:
            start, end = now - timedelta(days=int(data["period"])), now
        if data["source"]:
            source_ids = (self.sources[data["source"]].pk,)
        else:
            source_ids = None if all_sources_visible else tuple(s.pk for s in self.sources.values())
        return DashboardFilters(
            start=start,
            end=end,
            source_ids=source_ids,
            category=data["category"],
            provider=data["provider"],
            model=data["model"],
            prompt_version=data["prompt_version"],
        )


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
