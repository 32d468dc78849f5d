"""Number formats of the lead dashboard."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    """0.1234 → "12%"; None (no data) → "–"."""
    return "–" if value is None else f"{value:.{digits}%}"


@register.filter
def interval(proportion) -> str:
    """A Proportion's 95 % interval: "64–77%", or "" without data."""
    bounds = proportion.interval
    return "" if bounds is None else f"{bounds[0]:.0%}–{bounds[1]:.0%}"


@register.filter
def signed_points(value: float | None) -> str:
    """A difference of two rates in percentage points: "+5.2 pts"."""
    return "–" if value is None else f"{value * 100:+.1f} pts"


@register.filter
def usd(value: Decimal | float | None, digits: int = 2) -> str:
    return "–" if value is None else f"${value:,.{digits}f}"


@register.filter
def number(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


@register.filter
def pick(values: list | None, index: int):
    """values[index], or None when there are no values (percentile arrays over no rows)."""
    return None if not values else values[index]


@register.filter
def heat(count: int, total: int) -> str:
    """A background for a confusion-matrix cell: stronger the larger its share of the row."""
    if not count or not total:
        return ""
    return f"background: rgba(45, 91, 215, {0.08 + 0.6 * count / total:.2f})"
