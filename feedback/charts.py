"""The dashboard's charts, drawn on the server as inline SVG by pygal: no JavaScript, no CDN, so they
work offline and in HTMX fragments alike. Every chart's numbers are also on the page as a table."""

from __future__ import annotations

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from feedback.dashboard import Dashboard

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1d2430",
    foreground_strong="#1d2430",
    foreground_subtle="#e3e7ee",
    font_family='system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif',
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=11,
    legend_font_size=11,
    colors=("#2d5bd7", "#1f7a4d", "#a15c00", "#b42318", "#7a5af8", "#5b6577", "#0e9384"),
)


def _config(**options) -> dict:
    return {
        "style": STYLE,
        "js": [],  # pygal would otherwise load its tooltip script from a CDN
        "disable_xml_declaration": True,
        "width": 560,
        "height": 240,
        "margin": 8,
        "show_legend": False,
        "print_values": False,
        **options,
    }


def _without_scripts(root):
    """pygal always embeds the chart's settings in an inline <script> for its tooltip code, which is not
    loaded (`js` is empty); the pages' Content-Security-Policy blocks inline scripts, so it goes."""
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rpartition("}")[2] == "script":
                parent.remove(child)
    return root


def _svg(chart) -> SafeString:
    # pygal builds the SVG with an XML library, so labels from the data are escaped.
    chart.add_xml_filter(_without_scripts)
    return mark_safe(chart.render(is_unicode=True))


def _bars(pairs: list[tuple[str, float]], *, formatter=None) -> SafeString | None:
    if not pairs:
        return None
    chart = pygal.HorizontalBar(**_config(height=max(120, 34 * len(pairs) + 40), print_values=True))
    if formatter:
        chart.value_formatter = formatter
    else:  # counts: whole-number ticks, not 0.1, 0.2… when the counts are small
        top = max(value for _, value in pairs)
        chart.y_labels = list(range(0, top + 1, max(1, -(-top // 8))))
    chart.x_labels = [label for label, _ in pairs]
    chart.add("", [value for _, value in pairs])
    return _svg(chart)


def _line(labels: list[str], values: list[float | None], *, formatter) -> SafeString | None:
    if not any(value is not None for value in values):
        return None
    chart = pygal.Line(
        **_config(
            x_label_rotation=0,
            show_minor_x_labels=False,
            allow_interruptions=True,
            # A dot per week is clutter over months (and half the drawing time); the table has the values.
            show_dots=len(labels) <= 12,
        )
    )
    chart.value_formatter = formatter
    chart.x_labels = labels
    chart.x_labels_major = labels[:: max(1, len(labels) // 6)]
    chart.add("", values)
    return _svg(chart)


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def dashboard_charts(figures: Dashboard) -> dict[str, SafeString | None]:
    """Name → inline SVG (None when there is nothing to draw yet)."""
    volume, useful, weeks = figures.volume, figures.usefulness, figures.trends
    week_labels = [week.start.strftime("%d %b") for week in weeks]
    return {
        "status": _bars([(status.title(), n) for status, n in sorted(volume.by_status.items())]),
        "providers": _bars(
            [(f"{provider} · {model}", n) for provider, model, n in volume.by_provider],
        ),
        "replies": _bars(
            [
                ("Unchanged", useful.unchanged),
                ("Lightly edited", useful.lightly_edited),
                ("Heavily edited", useful.heavily_edited),
                ("Rewritten", useful.rewritten),
            ]
            if useful.replies
            else []
        ),
        "reasons": _bars(useful.down_reasons),
        "calibration": _bars(
            [
                (f"{bin.low:.1f}–{bin.low + 0.1:.1f}", round(bin.accuracy, 3))
                for bin in figures.accuracy.calibration
            ],
            formatter=percent,
        ),
        "trend_acceptance": _line(week_labels, [week.acceptance.rate for week in weeks], formatter=percent),
        "trend_accuracy": _line(week_labels, [week.accuracy.rate for week in weeks], formatter=percent),
        "trend_cost": _line(
            week_labels,
            [None if week.cost_per_ticket is None else float(week.cost_per_ticket) for week in weeks],
            formatter=lambda value: "" if value is None else f"${value:.4f}",
        ),
        "trend_latency": _line(
            week_labels,
            [week.latency_p50_ms for week in weeks],
            formatter=lambda value: "" if value is None else f"{value:.0f} ms",
        ),
    }
