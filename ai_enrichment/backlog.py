"""The backfill (`manage.py enrich_backlog`): AI suggestions for old tickets that have none, or whose
last one failed, either one after another through the normal pipeline or in Anthropic Message Batches.

Which tickets: those of active sources whose current enrichment is missing or `failed` (pending,
running, batched and answered ones are left alone), newest first. A ticket is claimed with a new
`backfill` enrichment under a lock on the ticket, so two backfills running at once never do a ticket
twice, and live tickets are never queued behind the backlog: the backfill runs in its own process
instead of on the workers.

Message Batches (half price, answered within 24 hours): each ticket is routed and prompted exactly as
the pipeline would (same injection check, routing, PII redaction, prompt version and taxonomy), and its
worst case reserved against the source's AI budget at the batch price. The enrichment waits as
`batched`, where no worker claims it. When the batch has ended, `enrich_backlog --collect` or the
scheduled collector applies the results: the prompt is built again and must hash to what was sent (the
PII placeholders' originals are never stored), the answer is validated like any other, and an errored,
expired or unusable result goes down the rest of the provider chain (the local model) or ends `failed`
with the reason. Applying twice changes nothing: each result first flips its enrichment out of
`batched`, and a result whose enrichment is no longer `batched` is ignored.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import anthropic
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from ai_enrichment.accounting import ai_call_record, cost_usd
from ai_enrichment.answer_cache import (
    answer_cache_enabled,
    answer_cache_get,
    answer_cache_put,
    answer_cache_similar,
)
from ai_enrichment.budget import Reservation, budget_reserve, budget_settle
from ai_enrichment.context import estimate_tokens
from ai_enrichment.models import AIBatch, AIBatchRequest, AICall, Enrichment
from ai_enrichment.pipeline import (
    Plan,
    answer_validate,
    enrichment_chain_run,
    enrichment_finish_answered,
    enrichment_plan,
    enrichment_process,
    enrichment_prompt_context,
    output_restored,
    prompt_build,
    prompt_cache_key,
    prompt_input_text,
    prompt_is_redacted,
)
from ai_enrichment.providers import provider_get
from ai_enrichment.providers.base import ProviderAnswer, ProviderError, Usage
from ai_enrichment.selectors import taxonomy_current
from ai_enrichment.services import enrichment_finish, enrichment_request, ticket_embeddings_compute
from tickets.models import Source, Ticket

logger = logging.getLogger(__name__)
Status = Enrichment.Status

BATCH_PROVIDER = "anthropic"
# Requests per Message Batch: the API takes up to 100,000 or 256 MB; a prompt is up to ~30 KB, and the
# whole batch is held in memory before it is sent.
BATCH_MAX_REQUESTS = 1000
BATCH_SIZE_LIMIT = 10_000
# A `batched` enrichment with no batch after this long was left by a backfill that died before sending
# (preparing even the largest batch takes far less).
ORPHAN_AFTER = timedelta(hours=6)
# Tickets embedded together before their prompts are built: one model call for many is several times
# faster than one each (bench/backlog.py), and the pipeline then finds their vectors stored.
EMBED_AHEAD = 64
_DURATION = re.compile(r"^(\d+)([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class BacklogError(ValueError):
    """A bad argument or configuration, in words for the operator."""


def backlog_since_parse(*, value: str, now: datetime | None = None) -> datetime:
    """`2026-03-01` (midnight, local time) or a duration back from now: `12h`, `30d`, `6w`."""
    now = now or timezone.now()
    text = value.strip()
    if match := _DURATION.match(text):
        amount, unit = int(match.group(1)), match.group(2)
        if amount == 0:
            raise BacklogError(f"--since {value!r}: the duration must be more than 0.")
        try:
            return now - timedelta(**{_UNITS[unit]: amount})
        except OverflowError:
            raise BacklogError(f"--since {value!r}: the duration is too long.") from None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BacklogError(
            f"--since {value!r}: give a date (YYYY-MM-DD) or a duration such as 12h, 30d or 6w."
        ) from None
    if len(text) != 10:  # fromisoformat also reads 20260301 and 2026-W09; operators mean a date
        raise BacklogError(f"--since {value!r}: write the date as YYYY-MM-DD.")
    since = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    if since > now:
        raise BacklogError(f"--since {value!r} is in the future.")
    return since


def backlog_tickets(
    *, since: datetime | None = None, source: Source | None = None, limit: int | None = None
) -> list[int]:
    """Ids of the tickets the backfill would enrich, newest first."""
    return list(
        _eligible(Ticket.objects.filter(source__is_active=True), since, source).values_list("id", flat=True)[
            :limit
        ]
    )


def _eligible(tickets, since: datetime | None = None, source: Source | None = None):
    answered_or_busy = Enrichment.objects.filter(ticket=OuterRef("pk"), is_current=True).exclude(
        status=Status.FAILED
    )
    tickets = tickets.filter(~Exists(answered_or_busy))
    if since is not None:
        tickets = tickets.filter(received_at__gte=since)
    if source is not None:
        tickets = tickets.filter(source=source)
    return tickets.order_by("-received_at", "-id")


def _embedded_ahead(ticket_ids: list[int]) -> Iterator[int]:
    """The ids, each group of EMBED_AHEAD embedded in one go just before it is reached."""
    for start in range(0, len(ticket_ids), EMBED_AHEAD):
        group = ticket_ids[start : start + EMBED_AHEAD]
        try:
            ticket_embeddings_compute(tickets=list(Ticket.objects.filter(id__in=group)))
        except Exception:  # only a speed-up: the pipeline embeds each ticket itself when it must
            logger.exception("embedding %d backlog tickets ahead failed", len(group))
        yield from group


def _claim(*, ticket_id: int, status: str) -> Enrichment | None:
    """A new backfill enrichment for this ticket, already claimed (`running` or `batched`); None when
    the ticket is gone or no longer needs one (another backfill or a worker got there first)."""
    with transaction.atomic():
        ticket = _eligible(Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id)).first()
        if ticket is None:
            return None
        enrichment = enrichment_request(ticket=ticket, trigger=Enrichment.Trigger.BACKFILL, queue=False)
        # In the same transaction: no worker ever sees it pending.
        Enrichment.objects.filter(pk=enrichment.pk).update(
            status=status, started_at=timezone.now(), claims=F("claims") + 1
        )
    return Enrichment.objects.select_related("ticket__source").get(pk=enrichment.pk)


# --- one after another, through the pipeline ------------------------------------------------------


def backlog_enrich(
    *, ticket_ids: list[int], on_progress: Callable[[str], None] | None = None
) -> Counter[str]:
    """Enrich each ticket through the normal pipeline, in this process. Returns the outcomes counted
    (done, fallback, failed, superseded, and `skipped` for tickets that no longer needed it)."""
    outcomes: Counter[str] = Counter()
    for ticket_id in _embedded_ahead(ticket_ids):
        enrichment = _claim(ticket_id=ticket_id, status=Status.RUNNING)
        outcome = "skipped" if enrichment is None else enrichment_process(enrichment=enrichment).status
        outcomes[outcome] += 1
        if on_progress:
            on_progress(outcome)
    return outcomes


# --- Message Batches: submit -------------------------------------------------------------------------


@dataclass
class _Pending:
    """One request on its way into a batch."""

    enrichment: Enrichment
    custom_id: str
    params: dict
    input_hash: str
    redacted: bool
    reservation: Reservation


@dataclass
class BatchSubmission:
    batches: list[AIBatch] = field(default_factory=list)
    # Everything that was not sent in a batch, by outcome: tickets the routing keeps off Anthropic or
    # over budget went through the pipeline at once (done, fallback, failed), `skipped` needed nothing.
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def sent(self) -> int:
        return sum(batch.requests for batch in self.batches)


def batch_check_configured() -> None:
    if BATCH_PROVIDER not in settings.AI_PROVIDER_CHAIN or not settings.ANTHROPIC_API_KEY:
        raise BacklogError(
            "Message Batches need the anthropic provider: set ANTHROPIC_API_KEY (and keep 'anthropic' in "
            "AI_PROVIDER_CHAIN)."
        )
    if not settings.AI_ENABLED:
        raise BacklogError("AI suggestions are switched off (AI_ENABLED=false).")


def backlog_batch_submit(
    *,
    ticket_ids: list[int],
    batch_size: int = BATCH_MAX_REQUESTS,
    on_progress: Callable[[str], None] | None = None,
) -> BatchSubmission:
    """Send the tickets' prompts in Message Batches of up to `batch_size` requests."""
    batch_check_configured()
    submission = BatchSubmission()
    pending: list[_Pending] = []
    for ticket_id in _embedded_ahead(ticket_ids):
        outcome, request = _batch_prepare(ticket_id=ticket_id)
        if request is None:
            submission.outcomes[outcome] += 1
        else:
            pending.append(request)
        if on_progress:
            on_progress(outcome)
        if len(pending) >= batch_size:
            submission.batches.append(_batch_send(pending))
            pending = []
    if pending:
        submission.batches.append(_batch_send(pending))
    return submission


def _batch_prepare(*, ticket_id: int) -> tuple[str, _Pending | None]:
    """Claim the ticket and build its batch request; or, when the pipeline would not send it to
    Anthropic first (routing, budget), run it through the pipeline now. Returns the outcome too."""
    enrichment = _claim(ticket_id=ticket_id, status=Status.BATCHED)
    if enrichment is None:
        return "skipped", None
    try:
        plan = enrichment_plan(enrichment=enrichment)
        if plan.refusal or plan.chain[0] != BATCH_PROVIDER:
            return _run_now(enrichment).status, None
        provider = provider_get(BATCH_PROVIDER)
        context = enrichment_prompt_context(enrichment=enrichment)
        redacted = prompt_is_redacted(provider=provider, enrichment=enrichment)
        taxonomy = taxonomy_current()
        prompt = prompt_build(context=context, taxonomy=taxonomy, redacted=redacted)
        if _cached(enrichment=enrichment, provider=provider, prompt=prompt, taxonomy=taxonomy):
            return _run_now(enrichment).status, None  # the pipeline serves it from the answer cache
        sent = prompt_input_text(prompt=prompt)
        worst_case = cost_usd(
            model=provider.model,
            usage=Usage(input_tokens=estimate_tokens(sent), output_tokens=settings.AI_MAX_OUTPUT_TOKENS),
            batch=True,
        )
        decision = budget_reserve(source=enrichment.ticket.source, estimate_usd=worst_case)
        if decision.reservation is None:  # the pipeline skips Anthropic too, and says why
            return _run_now(enrichment).status, None
        custom_id = f"enrichment-{enrichment.pk}"
        return "batched", _Pending(
            enrichment=enrichment,
            custom_id=custom_id,
            params=provider.request_params(
                prompt=prompt, repair=None, max_output_tokens=settings.AI_MAX_OUTPUT_TOKENS
            ),
            input_hash=AICall.hash_input(sent),
            redacted=redacted,
            reservation=decision.reservation,
        )
    except Exception as error:  # never leave a ticket `batched` with no batch behind it
        logger.exception("enrichment %s: preparing its batch request failed", enrichment.pk)
        _unbatch(enrichment)
        return enrichment_finish(
            enrichment=enrichment,
            status=Status.FAILED,
            reason=f"The backfill hit an internal error ({type(error).__name__}); run it again or work this ticket manually.",
        ).status, None


def _cached(*, enrichment: Enrichment, provider, prompt, taxonomy) -> bool:
    """Whether the answer cache holds an answer the pipeline would reuse: no need to ask, even at half price."""
    if not answer_cache_enabled():
        return False
    key = prompt_cache_key(provider=provider, prompt=prompt, taxonomy=taxonomy)
    return (
        answer_cache_get(key=key)
        or answer_cache_similar(
            ticket=enrichment.ticket,
            vector=prompt.context.vector,
            prompt_version=prompt.version,
            taxonomy_version=taxonomy.version,
        )
    ) is not None


def _unbatch(enrichment: Enrichment) -> bool:
    """Take an enrichment out of `batched` into `running`, as a claim; False when it was not batched
    (already applied by another collector, or gone)."""
    taken = Enrichment.objects.filter(pk=enrichment.pk, status=Status.BATCHED).update(
        status=Status.RUNNING, started_at=timezone.now(), claims=F("claims") + 1
    )
    if taken:
        enrichment.refresh_from_db(fields=["status", "started_at", "claims"])
    return bool(taken)


def _run_now(enrichment: Enrichment) -> Enrichment:
    _unbatch(enrichment)
    return enrichment_process(enrichment=enrichment)


def _batch_send(pending: list[_Pending]) -> AIBatch:
    provider = provider_get(BATCH_PROVIDER)
    try:
        remote = provider.client.messages.batches.create(
            requests=[{"custom_id": item.custom_id, "params": item.params} for item in pending],
            timeout=max(settings.AI_TIMEOUT_SECONDS, 120),  # a large upload
        )
    except anthropic.AnthropicError as error:
        detail = str(error)[:300]
        logger.error("sending a Message Batch of %d requests failed: %s", len(pending), detail)
        for item in pending:
            budget_settle(reservation=item.reservation, actual_usd=Decimal(0))
            if _unbatch(item.enrichment):
                enrichment_finish(
                    enrichment=item.enrichment,
                    status=Status.FAILED,
                    reason=f"The backfill could not send its batch to Anthropic ({detail}); run enrich_backlog again.",
                )
        raise BacklogError(f"Anthropic refused or did not take the batch: {detail}") from None
    with transaction.atomic():
        batch = AIBatch.objects.create(
            provider=BATCH_PROVIDER,
            provider_batch_id=remote.id,
            model=provider.model,
            prompt_version=settings.AI_PROMPT_VERSION,
            requests=len(pending),
        )
        AIBatchRequest.objects.bulk_create(
            [
                AIBatchRequest(
                    batch=batch,
                    enrichment=item.enrichment,
                    custom_id=item.custom_id,
                    input_hash=item.input_hash,
                    redacted=item.redacted,
                    reserved_usd=item.reservation.amount,
                    reserved_periods=[
                        [period, starts.isoformat()] for period, starts in item.reservation.periods
                    ],
                )
                for item in pending
            ]
        )
    logger.info("Message Batch %s sent with %d requests", remote.id, len(pending))
    return batch


# --- Message Batches: collect and apply ------------------------------------------------------------


@dataclass
class Collection:
    ended: list[AIBatch] = field(default_factory=list)  # applied in this run
    in_progress: list[AIBatch] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)  # of the enrichments this run finished


def backlog_batches_collect(
    *, batch_ids: list[int] | None = None, time_budget_seconds: float | None = None
) -> Collection:
    """Apply the results of every ended batch (or of `batch_ids`); safe to run at any time, twice, or
    in two processes at once. With a time budget (a task must end before the queue's timeout), it
    stops applying when the budget is spent and leaves the rest, still in progress, to the next run."""
    deadline = time.monotonic() + time_budget_seconds if time_budget_seconds is not None else None
    collection = Collection()
    batches = AIBatch.objects.filter(status=AIBatch.Status.IN_PROGRESS).order_by("created_at", "id")
    if batch_ids is not None:
        batches = batches.filter(id__in=batch_ids)
    for batch in batches:
        if batch_collect(batch=batch, outcomes=collection.outcomes, deadline=deadline):
            collection.ended.append(batch)
        else:
            collection.in_progress.append(batch)
    collection.outcomes.update(_fail_orphans())
    return collection


def backlog_batches_wait(
    *,
    batch_ids: list[int],
    poll_seconds: float,
    timeout_seconds: float,
    on_poll: Callable[[Collection], None] | None = None,
) -> Collection:
    """Collect these batches until all have ended, polling every `poll_seconds`, for at most
    `timeout_seconds`: whatever is still in progress then is left to the scheduled collector."""
    deadline = time.monotonic() + timeout_seconds
    total = Collection()
    waiting = list(batch_ids)
    while True:
        collection = backlog_batches_collect(batch_ids=waiting)
        total.ended += collection.ended
        total.outcomes.update(collection.outcomes)
        total.in_progress = collection.in_progress
        if on_poll:
            on_poll(collection)
        waiting = [batch.pk for batch in collection.in_progress]
        if not waiting or time.monotonic() + poll_seconds > deadline:
            return total
        time.sleep(poll_seconds)


def batch_collect(*, batch: AIBatch, outcomes: Counter[str], deadline: float | None = None) -> bool:
    """Apply this batch's results if it has ended; False while it is still in progress (or the
    provider could not be asked, or `deadline` (monotonic) came first: the next poll goes on)."""
    provider = provider_get(BATCH_PROVIDER)
    batches = provider.client.messages.batches
    try:
        remote = batches.retrieve(batch.provider_batch_id)
        if remote.processing_status != "ended":
            return False
        results = list(batches.results(batch.provider_batch_id))
    except anthropic.NotFoundError:
        batch.status, batch.error = AIBatch.Status.FAILED, "Anthropic no longer knows this batch."
        batch.ended_at = batch.applied_at = timezone.now()
        batch.save(update_fields=["status", "error", "ended_at", "applied_at"])
        _fall_back_rest(batch, outcomes, failure=f"{BATCH_PROVIDER}'s batch was lost")
        return True
    except anthropic.AnthropicError as error:
        logger.warning(
            "Message Batch %s could not be read now: %s", batch.provider_batch_id, str(error)[:300]
        )
        return False
    requests = {
        request.custom_id: request
        for request in batch.batch_requests.select_related("enrichment__ticket__source")
    }
    for result in results:
        if deadline is not None and time.monotonic() > deadline:
            logger.info(
                "Message Batch %s: time is up, the next collector applies the rest", batch.provider_batch_id
            )
            return False
        request = requests.get(result.custom_id)
        if request is not None:
            outcome = _apply(batch=batch, request=request, result=result.result)
            if outcome:
                outcomes[outcome] += 1
    _fall_back_rest(batch, outcomes, failure=f"{BATCH_PROVIDER}'s batch returned no result for it")
    counts = remote.request_counts
    batch.status = AIBatch.Status.APPLIED
    batch.succeeded, batch.errored = counts.succeeded, counts.errored
    batch.expired = counts.expired + counts.canceled
    batch.ended_at = remote.ended_at or timezone.now()
    batch.applied_at = timezone.now()
    batch.save(update_fields=["status", "succeeded", "errored", "expired", "ended_at", "applied_at"])
    logger.info("Message Batch %s applied", batch.provider_batch_id)
    return True


def _apply(*, batch: AIBatch, request: AIBatchRequest, result) -> str:
    """Apply one result to its enrichment; '' when it was applied before (or the enrichment is gone)."""
    enrichment = request.enrichment
    if not _unbatch(enrichment):
        return ""
    reservation = _reservation(request)
    plan = enrichment_plan(enrichment=enrichment)
    if plan.refusal or plan.chain[0] != BATCH_PROVIDER:  # switched off or rerouted since it was sent
        budget_settle(reservation=reservation, actual_usd=Decimal(0))
        return enrichment_process(enrichment=enrichment).status
    provider = provider_get(BATCH_PROVIDER)
    context = enrichment_prompt_context(enrichment=enrichment)
    taxonomy = taxonomy_current()
    prompt = prompt_build(
        context=context, taxonomy=taxonomy, redacted=request.redacted, version=batch.prompt_version
    )
    record = {
        "enrichment": enrichment,
        "provider": BATCH_PROVIDER,
        "prompt_version": prompt.version,
        "input_text": prompt_input_text(prompt=prompt),
        "attempt": 1,
        "is_repair": False,
        "latency_ms": 0,
        "redactions": prompt.redaction.counts if prompt.redaction else None,
        "routing": plan.routing,
        "batch": batch,
    }
    answer: ProviderAnswer | None = None
    failure = ""
    if result.type == "succeeded":
        try:
            answer = provider.answer_from_message(result.message)
        except ProviderError as error:
            failure = f"answered its batch request with {error}"
    elif result.type == "errored":
        error = result.error.error
        failure = (
            f"failed its batch request ({getattr(error, 'type', 'error')}: {getattr(error, 'message', '')})"
        )
    else:  # expired (not processed within 24 hours) or canceled: not billed
        failure = f"did not answer: its batch request {result.type}"
    if answer is None:
        budget_settle(reservation=reservation, actual_usd=Decimal(0))
        ai_call_record(
            **record,
            model=batch.model,
            status=AICall.Status.ERROR,
            usage=Usage(),
            error_class=f"Batch{result.type.capitalize()}",
            error_message=failure,
        )
        return _fall_back(enrichment, plan, context, failure).status
    budget_settle(
        reservation=reservation, actual_usd=cost_usd(model=answer.model, usage=answer.usage, batch=True)
    )
    if AICall.hash_input(record["input_text"]) != request.input_hash:
        # The placeholders in the answer stand for values of the prompt that was sent; a prompt built
        # differently (the customer's history, the knowledge base or the taxonomy changed meanwhile)
        # cannot say which, so the answer cannot be checked or shown.
        problems = ["the ticket's context changed while the batch ran, so the answer could not be checked"]
        output = None
    else:
        validation = answer_validate(output=answer.output, prompt=prompt, taxonomy=taxonomy)
        problems, output = validation.problems, validation.output
    ai_call_record(
        **record,
        model=answer.model,
        status=AICall.Status.OK if output is not None else AICall.Status.INVALID_OUTPUT,
        usage=answer.usage,
        error_class="" if output is not None else "InvalidOutput",
        error_message=" ".join(problems),
        request_id=answer.request_id,
    )
    if output is not None and answer_cache_enabled():
        answer_cache_put(
            key=prompt_cache_key(provider=provider, prompt=prompt, taxonomy=taxonomy),
            ticket=enrichment.ticket,
            provider=BATCH_PROVIDER,
            model=answer.model,
            prompt=prompt,
            taxonomy_version=taxonomy.version,
            answer=answer.output,
        )
    if output is None:
        return _fall_back(
            enrichment, plan, context, f"gave an unusable batch answer ({' '.join(problems)[:200]})"
        ).status
    return enrichment_finish_answered(
        enrichment=enrichment,
        plan=plan,
        output=output_restored(output, prompt.redaction),
        context=context,
        position=0,
        failures=[],
        model=answer.model,
        prompt_version=prompt.version,
    ).status


def _reservation(request: AIBatchRequest) -> Reservation:
    """The budget reservation made when the request was sent, to settle now."""
    return Reservation(
        source_id=request.enrichment.ticket.source_id,
        amount=request.reserved_usd,
        periods=tuple(
            (period, datetime.fromisoformat(starts)) for period, starts in request.reserved_periods
        ),
    )


def _fall_back(enrichment: Enrichment, plan: Plan, context, failure: str) -> Enrichment:
    """The rest of the chain after Anthropic (the local model), or failed with the reason."""
    return enrichment_chain_run(
        enrichment=enrichment, plan=plan, context=context, start=1, reasons=(f"{BATCH_PROVIDER} {failure}",)
    )


def _fall_back_rest(batch: AIBatch, outcomes: Counter[str], *, failure: str) -> None:
    """The batch's enrichments still waiting after its results were applied: down the chain."""
    for request in batch.batch_requests.filter(enrichment__status=Status.BATCHED).select_related(
        "enrichment__ticket__source"
    ):
        enrichment = request.enrichment
        if not _unbatch(enrichment):
            continue
        budget_settle(reservation=_reservation(request), actual_usd=Decimal(0))
        plan = enrichment_plan(enrichment=enrichment)
        if plan.refusal or plan.chain[0] != BATCH_PROVIDER:
            outcomes[enrichment_process(enrichment=enrichment).status] += 1
            continue
        context = enrichment_prompt_context(enrichment=enrichment)
        outcomes[_fall_back(enrichment, plan, context, failure).status] += 1


def _fail_orphans() -> Counter[str]:
    """`batched` enrichments no batch holds: their backfill died before sending. Ended as failed, so the
    next backfill picks them up again."""
    outcomes: Counter[str] = Counter()
    orphans = Enrichment.objects.filter(
        status=Status.BATCHED, started_at__lt=timezone.now() - ORPHAN_AFTER, batch_request__isnull=True
    ).select_related("ticket__source")
    for enrichment in orphans:
        if _unbatch(enrichment):
            finished = enrichment_finish(
                enrichment=enrichment,
                status=Status.FAILED,
                reason="The backfill stopped before it sent this ticket in a batch; run enrich_backlog again.",
            )
            outcomes[finished.status] += 1
    return outcomes
