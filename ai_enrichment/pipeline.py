"""The enrichment pipeline: from a claimed enrichment to a validated, accounted result.

    claim (services) → injection check (flag; AI_INJECTION_ROUTE may narrow the chain to the local
    model) → context + prompt (PII redacted for external providers) → provider chain, each external
    provider asking the answer cache first, then with one retry loop and one repair attempt →
    validation, placeholders restored → finish (services) → callback (on commit)

Every provider call is recorded as an AICall. Nothing raises out of here for a provider's fault: the
enrichment always ends `done`, `fallback` or `failed` with a reason an agent can read.
"""

from __future__ import annotations

import json
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from ai_enrichment.accounting import ai_call_record, cost_usd
from ai_enrichment.answer_cache import (
    CacheHit,
    answer_cache_enabled,
    answer_cache_get,
    answer_cache_key,
    answer_cache_put,
    answer_cache_similar,
)
from ai_enrichment.budget import Reservation, budget_reserve, budget_settle
from ai_enrichment.circuit import circuit_allows, circuit_record
from ai_enrichment.context import EnrichmentContext, enrichment_context, estimate_tokens
from ai_enrichment.embeddings import embedder
from ai_enrichment.injection import ticket_injection_verdict
from ai_enrichment.models import AICall, Enrichment
from ai_enrichment.prompts import PromptParts, enrichment_prompt
from ai_enrichment.providers import provider_get
from ai_enrichment.providers.base import Provider, ProviderAnswer, ProviderError, Repair, Usage
from ai_enrichment.redaction import RedactionMap, redactor
from ai_enrichment.routing import enrichment_route
from ai_enrichment.selectors import Taxonomy, taxonomy_current
from ai_enrichment.services import MAX_CLAIMS, enrichment_claim_batch, enrichment_finish
from ai_enrichment.validation import EnrichmentOutput, Validation, validate_output

logger = logging.getLogger(__name__)
Status = Enrichment.Status


def enrich_ticket_batch(*, ticket_id: int) -> int:
    """Run this ticket's pending enrichment, and keep AI_ENRICHMENT_BATCH calls in flight while
    others wait. Returns how many enrichments it ran.

    Enrichment waits on the model (~2 s a call), so one worker process runs many on threads instead of
    needing a process per call. Each thread starts with one claimed enrichment and, when it finishes,
    claims the next oldest pending one: the pool stays full instead of waiting for a batch's slowest
    call. Threads stop claiming in time for the task to end before django-q2's timeout.
    """
    concurrency = settings.AI_ENRICHMENT_BATCH
    claimed = enrichment_claim_batch(ticket_id=ticket_id, limit=concurrency)
    if not claimed:
        return 0  # a redelivered task, or another worker got there first
    if concurrency == 1:
        enrichment_process(enrichment=claimed[0])
        return 1
    worker_warm_up()
    claim_until = time.monotonic() + max(settings.Q_CLUSTER["timeout"] - settings.AI_DEADLINE_SECONDS - 30, 0)
    with ThreadPoolExecutor(max_workers=len(claimed), thread_name_prefix="enrich") as pool:
        return sum(pool.map(lambda enrichment: _keep_enriching(enrichment, claim_until), claimed))


def worker_warm_up() -> None:
    """Build the provider clients and load the embedding model once, before threads race to do it.

    Also run when a django-q2 worker process starts (ai_enrichment.apps), so the first tickets each
    worker takes after a deploy do not wait for it: loading MiniLM takes ~0.4 s, and the first start
    on a new machine also exports it to ONNX (a few seconds, see embeddings.minilm_onnx_path). Cheap
    when already done.
    """
    for name in settings.AI_PROVIDER_CHAIN:
        provider_get(name)
    embedder().prepare_for_threads()


def _keep_enriching(first: Enrichment, claim_until: float) -> int:
    done = 0
    enrichment: Enrichment | None = first
    try:
        while enrichment is not None:
            enrichment_process(enrichment=enrichment)
            done += 1
            if time.monotonic() >= claim_until:
                break
            more = enrichment_claim_batch(ticket_id=None, limit=1)
            enrichment = more[0] if more else None
    finally:
        connection.close()  # the thread's own connection, opened for its first query
    return done


def enrichment_process(*, enrichment: Enrichment) -> Enrichment:
    """Run one claimed enrichment to a terminal state."""
    try:
        return _process(enrichment)
    except Exception as error:  # a bug must not leave the ticket `running` until the lease expires
        logger.exception(
            "enrichment %s crashed",
            enrichment.pk,
            extra={"ticket_id": enrichment.ticket_id, "enrichment_id": enrichment.pk},
        )
        return enrichment_finish(
            enrichment=enrichment,
            status=Status.FAILED,
            reason=f"The AI step hit an internal error ({type(error).__name__}); please work this ticket manually.",
        )


@dataclass(frozen=True)
class Plan:
    """Which providers may answer one enrichment, in order, after the injection check and routing."""

    chain: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()  # injection signals the customer's text matched
    routing: str = ""  # why the chain was narrowed for this ticket
    refusal: str = ""  # set when no provider may answer: the enrichment fails with this reason


def _process(enrichment: Enrichment) -> Enrichment:
    plan = enrichment_plan(enrichment=enrichment)
    if plan.refusal:
        return enrichment_finish(
            enrichment=enrichment,
            status=Status.FAILED,
            reason=plan.refusal,
            injection_signals=list(plan.signals),
        )
    return enrichment_chain_run(
        enrichment=enrichment, plan=plan, context=enrichment_prompt_context(enrichment=enrichment)
    )


def enrichment_plan(*, enrichment: Enrichment) -> Plan:
    """The provider chain for this enrichment, or why it has none. Shared by the pipeline and the
    Message Batches backfill (ai_enrichment.backlog), so both route a ticket the same way."""
    if enrichment.claims > MAX_CLAIMS:
        return Plan(
            refusal=f"Enrichment stopped after {MAX_CLAIMS} interrupted attempts; please work this ticket manually."
        )
    if not settings.AI_ENABLED:
        return Plan(refusal="AI suggestions are switched off; work this ticket as usual.")
    chain = settings.AI_PROVIDER_CHAIN
    if not chain:
        return Plan(
            refusal="No AI provider is configured (set ANTHROPIC_API_KEY); work this ticket as usual."
        )
    verdict = ticket_injection_verdict(ticket=enrichment.ticket)
    signals = tuple(verdict.signals)
    if verdict.flagged:
        logger.info("enrichment %s: injection signals %s", enrichment.pk, ", ".join(signals))
    route = enrichment_route(ticket=enrichment.ticket, chain=chain, injection=verdict)
    if not route.chain:
        return Plan(
            signals=signals, routing=route.reason, refusal=f"{route.reason} Work this ticket as usual."
        )
    return Plan(chain=tuple(route.chain), signals=signals, routing=route.reason)


def enrichment_chain_run(
    *,
    enrichment: Enrichment,
    plan: Plan,
    context: EnrichmentContext,
    start: int = 0,
    reasons: tuple[str, ...] = (),
) -> Enrichment:
    """Ask the plan's providers in order, from position `start`, and finish the enrichment with the
    first valid answer, or failed. `reasons` say why the providers before `start` gave none."""
    taxonomy = taxonomy_current()
    prompts: dict[bool, PromptParts] = {}  # by "redacted": built once each, when a provider needs it
    deadline = time.monotonic() + settings.AI_DEADLINE_SECONDS
    failures = list(reasons)
    over_budget = False
    for position, name in enumerate(plan.chain):
        if position < start:
            continue
        provider = provider_get(name)
        redacted = prompt_is_redacted(provider=provider, enrichment=enrichment)
        if redacted not in prompts:
            prompts[redacted] = prompt_build(context=context, taxonomy=taxonomy, redacted=redacted)
        prompt = prompts[redacted]
        attempt = ProviderRun(
            enrichment=enrichment,
            provider=provider,
            prompt=prompt,
            taxonomy=taxonomy,
            deadline=deadline,
            routing=plan.routing,
        )
        output = attempt.run()
        over_budget |= attempt.over_budget
        if output is not None:
            return enrichment_finish_answered(
                enrichment=enrichment,
                plan=plan,
                output=output,
                context=context,
                position=position,
                failures=failures,
                model=attempt.model,
                prompt_version=prompt.version,
                over_budget=over_budget,
                note=attempt.cache_hit.note() if attempt.cache_hit else "",
            )
        failures.append(f"{name} {attempt.failure}")
    return enrichment_finish(
        enrichment=enrichment,
        status=Status.FAILED,
        reason=f"No AI suggestion: {'; '.join(failures)}. Work this ticket as usual; you can retry later.",
        provider=plan.chain[-1],
        prompt_version=settings.AI_PROMPT_VERSION,
        injection_signals=list(plan.signals),
        over_budget=over_budget,
    )


def enrichment_finish_answered(
    *,
    enrichment: Enrichment,
    plan: Plan,
    output: EnrichmentOutput,
    context: EnrichmentContext,
    position: int,
    failures: list[str],
    model: str,
    prompt_version: str,
    over_budget: bool = False,
    note: str = "",
) -> Enrichment:
    """Store a valid answer from the provider at `position` of the plan's chain; `note` is added to
    the reason (where a cached answer came from)."""
    name = plan.chain[position]
    cited = set(output.cited_passages)
    why = plan.routing if position == 0 else f"Answered by {name} because {'; '.join(failures)}."
    return enrichment_finish(
        enrichment=enrichment,
        status=Status.DONE if position == 0 else Status.FALLBACK,
        reason=" ".join(part for part in (why, note) if part),
        output=output,
        citations=[passage.citation() for passage in context.passages if passage.chunk_id in cited],
        passages_offered=len(context.passages),
        provider=name,
        model=model,
        prompt_version=prompt_version,
        injection_signals=list(plan.signals),
        over_budget=over_budget,
    )


def prompt_is_redacted(*, provider: Provider, enrichment: Enrichment) -> bool:
    # The one place where personal data is kept from external providers.
    return provider.external and enrichment.ticket.source.redact_pii


def prompt_build(
    *, context: EnrichmentContext, taxonomy: Taxonomy, redacted: bool, version: str = ""
) -> PromptParts:
    """The prompt at the configured version (or `version`) and budgets, with PII redacted when `redacted`."""
    return enrichment_prompt(
        context=context,
        taxonomy=taxonomy,
        version=version or settings.AI_PROMPT_VERSION,
        token_budget=settings.AI_CONTEXT_TOKEN_BUDGET,
        summary_max_chars=settings.AI_SUMMARY_MAX_CHARS,
        reply_max_chars=settings.AI_REPLY_MAX_CHARS,
        redaction=RedactionMap(redactor()) if redacted else None,
    )


def prompt_input_text(*, prompt: PromptParts) -> str:
    """What an AICall's input hash is taken over."""
    return prompt.system + prompt.ticket_data


def prompt_cache_key(*, provider: Provider, prompt: PromptParts, taxonomy: Taxonomy) -> str:
    """The answer cache's key for this prompt to this provider (ai_enrichment.answer_cache)."""
    return answer_cache_key(
        provider=provider.name,
        model=provider.model,
        prompt=prompt,
        taxonomy_version=taxonomy.version,
        max_output_tokens=settings.AI_MAX_OUTPUT_TOKENS,
    )


def answer_validate(*, output, prompt: PromptParts, taxonomy: Taxonomy) -> Validation:
    """Check a provider's answer to `prompt` (nothing the model returns is trusted)."""
    return validate_output(
        output,
        taxonomy=taxonomy,
        summary_max_chars=settings.AI_SUMMARY_MAX_CHARS,
        reply_max_chars=settings.AI_REPLY_MAX_CHARS,
        offered_passages={passage.chunk_id for passage in prompt.context.passages},
        redaction=prompt.redaction,
        system_prompt=prompt.system,
        reference_text=prompt.reference_text,
    )


def enrichment_prompt_context(*, enrichment: Enrichment) -> EnrichmentContext:
    """Retrieval grounds the answer but must never block it: without it, the ticket alone is sent."""
    try:
        return enrichment_context(ticket=enrichment.ticket)
    except Exception:
        logger.exception(
            "enrichment %s: retrieval failed; continuing without passages",
            enrichment.pk,
            extra={"ticket_id": enrichment.ticket_id, "enrichment_id": enrichment.pk},
        )
        return EnrichmentContext(ticket=enrichment.ticket)


@dataclass
class ProviderRun:
    """One provider's go at an enrichment: a retry loop for transient errors, one repair for bad output."""

    enrichment: Enrichment
    provider: Provider
    prompt: PromptParts
    taxonomy: Taxonomy
    deadline: float
    routing: str = ""  # why the chain was narrowed for this ticket, recorded on each AICall
    over_budget: bool = False  # skipped: the source reached an AI limit (ai_enrichment.budget)
    cache_key: str = ""  # ai_enrichment.answer_cache (external providers only)
    cache_hit: CacheHit | None = None
    failure: str = ""  # why it gave no answer, for the enrichment's reason
    model: str = ""
    attempt: int = 0
    latency_ms: int = 0

    def run(self) -> EnrichmentOutput | None:
        self.model = self.provider.model
        if self.provider.external and answer_cache_enabled():
            self.cache_key = prompt_cache_key(
                provider=self.provider, prompt=self.prompt, taxonomy=self.taxonomy
            )
            # An agent who asks again wants a fresh answer (it then replaces the cached one).
            regenerate = self.enrichment.trigger == Enrichment.Trigger.REGENERATE
            if not regenerate and (cached := self._from_cache()) is not None:
                return cached
        if self.provider.external and not circuit_allows(provider=self.provider.name):
            self.failure = "was skipped: its circuit breaker is open after repeated failures"
            return None
        repair: Repair | None = None
        for is_repair in (False, True):
            answer = self._call_with_retries(repair=repair, is_repair=is_repair)
            if answer is None:
                return None
            validation = self._validate(answer.output)
            self._record(
                answer=answer,
                is_repair=is_repair,
                valid=validation.output is not None,
                problems=validation.problems,
            )
            if validation.output is not None:
                if self.cache_key:
                    answer_cache_put(
                        key=self.cache_key,
                        ticket=self.enrichment.ticket,
                        provider=self.provider.name,
                        model=self.model,
                        prompt=self.prompt,
                        taxonomy_version=self.taxonomy.version,
                        answer=answer.output,
                    )
                output = output_restored(validation.output, self.prompt.redaction)
                return replace(output, reply_source_ticket=answer.reply_source_ticket)
            previous = answer.output if isinstance(answer.output, str) else _as_json(answer.output)
            repair = Repair(previous_answer=previous, problems=validation.problems)
        self.failure = f"returned invalid output twice ({' '.join(repair.problems)[:200]})"
        return None

    def _validate(self, raw) -> Validation:
        return answer_validate(output=raw, prompt=self.prompt, taxonomy=self.taxonomy)

    def _from_cache(self) -> EnrichmentOutput | None:
        """An earlier answer to the same prompt, else to a near-identical ticket, checked like a fresh one."""
        started = time.monotonic()
        hit = answer_cache_get(key=self.cache_key) or answer_cache_similar(
            ticket=self.enrichment.ticket,
            vector=self.prompt.context.vector,
            prompt_version=self.prompt.version,
            taxonomy_version=self.taxonomy.version,
        )
        if hit is None:
            return None
        answer = hit.answer
        if hit.kind == AICall.Cache.SEMANTIC:  # this ticket's passages may differ: keep the shared ones
            offered = {passage.chunk_id for passage in self.prompt.context.passages}
            answer = {
                **answer,
                "cited_passages": [c for c in answer.get("cited_passages", []) if c in offered],
            }
        validation = self._validate(answer)
        if validation.output is None:  # e.g. a taxonomy label deactivated since: ask the provider
            logger.info("enrichment %s: cached answer no longer valid", self.enrichment.pk)
            return None
        self.cache_hit = hit
        self.model = hit.model
        self.latency_ms = int((time.monotonic() - started) * 1000)
        # A hit's record holds no cost to account for, so it need not wait for the disk: committed
        # without flushing the WAL, it saves a hit ~4 ms here (the finish that follows is flushed, and
        # a crash within the WAL writer's next round would lose only this row).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            self._record_cache_hit(hit)
        return output_restored(validation.output, self.prompt.redaction)

    def _record_cache_hit(self, hit: CacheHit) -> None:
        ai_call_record(
            enrichment=self.enrichment,
            provider=self.provider.name,
            model=hit.model,
            prompt_version=self.prompt.version,
            input_text=prompt_input_text(prompt=self.prompt),
            attempt=0,
            is_repair=False,
            status=AICall.Status.CACHE_HIT,
            usage=Usage(),
            latency_ms=self.latency_ms,
            redactions=self.prompt.redaction.counts if self.prompt.redaction else None,
            routing=self.routing,
            cache=hit.kind,
        )

    def _call_with_retries(self, *, repair: Repair | None, is_repair: bool) -> ProviderAnswer | None:
        for attempt in range(1, settings.AI_MAX_ATTEMPTS + 1):
            self.attempt = attempt
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self.failure = "ran out of time"
                return None
            reservation = self._reserve(repair)
            if reservation is None:
                return None
            started = time.monotonic()
            try:
                answer = self.provider.complete(
                    prompt=self.prompt,
                    repair=repair,
                    max_output_tokens=settings.AI_MAX_OUTPUT_TOKENS,
                    timeout=min(settings.AI_TIMEOUT_SECONDS, remaining),
                )
            except ProviderError as error:
                budget_settle(reservation=reservation, actual_usd=Decimal(0))
                self._record_error(error=error, attempt=attempt, is_repair=is_repair, started=started)
                if self.provider.external:
                    circuit_record(provider=self.provider.name, ok=False)
                delay = _backoff(attempt, error.retry_after)
                if not error.retryable:
                    self.failure = f"refused the request ({error})"
                    return None
                if attempt == settings.AI_MAX_ATTEMPTS:
                    self.failure = f"failed {attempt} times (last: {error})"
                    return None
                if time.monotonic() + delay >= self.deadline:
                    self.failure = f"failed and there was no time left to retry (last: {error})"
                    return None
                time.sleep(delay)
                continue
            self.latency_ms = int((time.monotonic() - started) * 1000)
            budget_settle(
                reservation=reservation, actual_usd=cost_usd(model=answer.model, usage=answer.usage)
            )
            if self.provider.external:
                circuit_record(provider=self.provider.name, ok=True)
            return answer
        return None

    def _reserve(self, repair: Repair | None) -> Reservation | None:
        """Hold this call's worst-case cost against the source's AI limits (external providers only);
        None, with the reason in `failure`, when a limit is reached."""
        source = self.enrichment.ticket.source
        if not self.provider.external:
            return Reservation(source_id=source.pk, amount=Decimal(0), periods=())
        sent = self.prompt.system + self.prompt.ticket_data + (repair.instruction() if repair else "")
        worst_case = cost_usd(
            model=self.provider.model,
            usage=Usage(input_tokens=estimate_tokens(sent), output_tokens=settings.AI_MAX_OUTPUT_TOKENS),
        )
        decision = budget_reserve(source=source, estimate_usd=worst_case)
        if decision.reservation is None:
            self.over_budget = True
            self.failure = f"was not asked: {source.name} is {decision.refused}"
        return decision.reservation

    def _record(self, *, answer: ProviderAnswer, is_repair: bool, valid: bool, problems: list[str]) -> None:
        self.model = answer.model or self.model
        ai_call_record(
            enrichment=self.enrichment,
            provider=self.provider.name,
            model=self.model,
            prompt_version=self.prompt.version,
            input_text=prompt_input_text(prompt=self.prompt),
            attempt=self.attempt,
            is_repair=is_repair,
            status=AICall.Status.OK if valid else AICall.Status.INVALID_OUTPUT,
            usage=answer.usage,
            latency_ms=self.latency_ms,
            error_class="" if valid else "InvalidOutput",
            error_message="" if valid else " ".join(problems),
            request_id=answer.request_id,
            redactions=self.prompt.redaction.counts if self.prompt.redaction else None,
            routing=self.routing,
        )

    def _record_error(self, *, error: ProviderError, attempt: int, is_repair: bool, started: float) -> None:
        ai_call_record(
            enrichment=self.enrichment,
            provider=self.provider.name,
            model=self.provider.model,
            prompt_version=self.prompt.version,
            input_text=prompt_input_text(prompt=self.prompt),
            attempt=attempt,
            is_repair=is_repair,
            status=AICall.Status.ERROR,
            usage=error.usage,
            latency_ms=int((time.monotonic() - started) * 1000),
            error_class=_error_class(error),
            error_message=str(error),
            http_status=error.http_status,
            redactions=self.prompt.redaction.counts if self.prompt.redaction else None,
            routing=self.routing,
        )


def output_restored(output: EnrichmentOutput, redaction: RedactionMap | None) -> EnrichmentOutput:
    """What agents see carries the originals again (validation has checked every placeholder)."""
    if redaction is None:
        return output
    return replace(
        output,
        summary=redaction.restore(output.summary),
        suggested_reply=redaction.restore(output.suggested_reply),
        unverified_links=tuple(redaction.restore(link) for link in output.unverified_links),
    )


def _backoff(attempt: int, retry_after: float | None) -> float:
    """Full-jitter exponential backoff; a server's retry-after wins when it asks for longer."""
    exponential = min(settings.AI_RETRY_BASE_DELAY * 2 ** (attempt - 1), settings.AI_RETRY_MAX_DELAY)
    delay = random.uniform(exponential / 2, exponential)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.AI_RETRY_MAX_DELAY))
    return delay


def _error_class(error: ProviderError) -> str:
    if error.kind == "http" and error.http_status:
        return {429: "RateLimited", 529: "Overloaded"}.get(error.http_status, f"HTTP{error.http_status}")
    return {"timeout": "Timeout", "connection": "ConnectionError", "malformed": "MalformedResponse"}.get(
        error.kind, error.kind
    )


def _as_json(value) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
