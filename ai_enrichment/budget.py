"""Per-source limits on external AI: requests per minute, and cost per day and per month.

Before each external call the pipeline reserves the call's worst-case cost (the prompt's tokens plus
the most output it may ask for, at AI_PRICES) and one request; after it, the reservation is settled
with what the call really cost. Reservations are conditional UPDATEs on one AISpend row per source and
period, so concurrent workers queue on the row lock and each re-checks the limit against the totals the
others committed: together they can never reserve past a limit. Past a limit the provider is skipped
and the next one in the chain (in the end the local model) answers, with the reason for agents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ai_enrichment.models import AISpend
from tickets.models import Source

Period = AISpend.Period


@dataclass(frozen=True)
class Reservation:
    source_id: int
    amount: Decimal
    periods: tuple[tuple[str, datetime], ...]  # the cost periods (day, month) holding `amount`


@dataclass(frozen=True)
class BudgetDecision:
    reservation: Reservation | None  # None: refused
    refused: str = ""  # why, in words for agents: "over its daily AI budget ($5.00)"


class _Refused(Exception):
    pass


def period_start(period: str, now: datetime) -> datetime:
    local = timezone.localtime(now)
    if period == Period.MINUTE:
        return local.replace(second=0, microsecond=0)
    if period == Period.DAY:
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def budget_reserve(*, source: Source, estimate_usd: Decimal, now: datetime | None = None) -> BudgetDecision:
    """Hold one request and `estimate_usd` against each of the source's limits, or none of them."""
    now = now or timezone.now()
    limits = [
        (Period.MINUTE, source.ai_requests_per_minute, "over its AI requests per minute"),
        (Period.DAY, source.ai_budget_daily_usd, "over its daily AI budget"),
        (Period.MONTH, source.ai_budget_monthly_usd, "over its monthly AI budget"),
    ]
    limits = [(period, limit, words) for period, limit, words in limits if limit is not None]
    if not limits:  # nothing to hold (the usual case): no transaction either
        return BudgetDecision(reservation=Reservation(source_id=source.pk, amount=estimate_usd, periods=()))
    held: list[tuple[str, datetime]] = []
    try:
        with transaction.atomic():
            for period, limit, words in limits:
                starts_at = period_start(period, now)
                AISpend.objects.bulk_create(
                    [AISpend(source=source, period=period, starts_at=starts_at)], ignore_conflicts=True
                )
                row = AISpend.objects.filter(source=source, period=period, starts_at=starts_at)
                if period == Period.MINUTE:
                    reserved = row.filter(requests__lt=limit).update(requests=F("requests") + 1)
                else:
                    reserved = row.filter(reserved_usd__lte=limit - estimate_usd - F("spent_usd")).update(
                        reserved_usd=F("reserved_usd") + estimate_usd, requests=F("requests") + 1
                    )
                    held.append((period, starts_at))
                if not reserved:
                    amount = f"{limit}/min" if period == Period.MINUTE else f"${limit:.2f}"
                    raise _Refused(f"{words} ({amount})")
    except _Refused as refused:
        return BudgetDecision(reservation=None, refused=str(refused))
    return BudgetDecision(
        reservation=Reservation(source_id=source.pk, amount=estimate_usd, periods=tuple(held))
    )


def budget_settle(*, reservation: Reservation, actual_usd: Decimal) -> None:
    """Replace the held worst case with what the call really cost (0 when it failed before any work)."""
    for period, starts_at in reservation.periods:
        AISpend.objects.filter(source_id=reservation.source_id, period=period, starts_at=starts_at).update(
            reserved_usd=F("reserved_usd") - reservation.amount, spent_usd=F("spent_usd") + actual_usd
        )
