"""Enrichment benchmark: N tickets through the real pipeline (django-q2 cluster, ORM broker, the
anthropic SDK) against the fake Anthropic server on 127.0.0.1 with a chosen model latency.

The N tickets are ingested first with no worker running, so the queue holds N tasks; then
`manage.py qcluster` starts and the clock runs until every current enrichment is terminal. Prints one
JSON line: tickets/s, the pipeline's own overhead per ticket (time an enrichment was running minus the
model time its AICall rows recorded; p50/p99), the model latency seen, and the worker's peak memory.
Uses its own database (`bench_enrich`, recreated each run) so it never touches the demo data.

    .venv/bin/python bench/enrich.py [--tickets 400] [--latency lognormal|zero] [--workers 2]
        [--batch AI_ENRICHMENT_BATCH] [--timeout-seconds 300] [--embeddings local|remote]

`lognormal` is a median of 1.8 s with sigma 0.3 (seeded); `zero` answers at once, which measures the
pipeline alone. The fake runs in this process and so shares the machine's cores with the worker and
PostgreSQL; `bench_cpu_s` says how much CPU it (plus the poller) took.

Memory: `worker_peak_rss_mb` sums the RSS of the qcluster process tree, which counts pages the forked
processes share once per process; `worker_peak_pss_mb` (proportional set size, sampled about once a
second) splits them fairly and is the better answer to "how much memory does the worker use".

Overhead and batching (the figure is distorted by them, and reported anyway): a worker task claims up
to AI_ENRICHMENT_BATCH enrichments at once, stamps them all with the same `started_at`, and runs them
on that many threads. No ticket waits for a free thread, but all of a batch's threads start at the
same instant and queue for the GIL and the two cores while each builds its prompt and opens its own
database connection, so a ticket's overhead is its own work plus its place in that burst. The first
batch of each worker process also pays the cold start (importing the SDK, on every thread at once).
The wait for a batch's slowest call is not in the overhead (each enrichment is finished when its own
call returns), but it is what limits throughput: the next batch is claimed only when the whole
previous batch is done. `model_latency_*` are the AICall rows' latency_ms (SDK and HTTP included;
`sdk_http_mean_ms` is that share).

Health of the run: `worker_errors` counts ERROR lines in the qcluster log, `claims_max` > 1 means a
row was claimed again after its lease expired (a stuck or crashed task), `first_claim_s` is the
cluster's start-up, and `other_cpu_s` is CPU the machine spent on other people's work meanwhile.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_database, percentile  # noqa: E402

DATABASE = "bench_enrich"
LOGNORMAL_MEDIAN_S = 1.8
LOGNORMAL_SIGMA = 0.3
SEED = 20261122
POLL_SECONDS = 0.2
SHUTDOWN_GRACE_S = 20  # reserved at the end of --timeout-seconds for stopping the cluster

TEMPLATES = (
    (
        "Invoice {i} was charged twice",
        "Hello, my card was charged twice for invoice INV-{i}. Please refund one of the charges. "
        "I attached the bank statement. Order reference {i}.",
    ),
    (
        "Cannot log in since the update (case {i})",
        "Since yesterday's update the login page says my password is wrong, and the reset email never "
        "arrives. I have tried three browsers. My username is user{i}.",
    ),
    (
        "Parcel {i} has not arrived",
        "I ordered on Monday with express shipping and the tracking page for parcel {i} has not moved "
        "for four days. Can you tell me where it is?",
    ),
    (
        "Export to CSV fails for report {i}",
        "When I export report {i} to CSV the download stops at 2 MB and the file is cut off. Smaller "
        "reports work. This blocks our month-end close.",
    ),
    (
        "Question about upgrading plan {i}",
        "We are a team of {i} people on the starter plan. If we upgrade mid-month, is the price prorated, "
        "and do we keep our existing integrations?",
    ),
)


def setup_database() -> object:
    """Recreate the bench database, migrate it and return a fresh source (no callback URL)."""
    bench_database(os.environ.get("EMBEDDED_DATABASE_NAME", DATABASE))
    from tickets.services import source_create

    return source_create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}").source


def ingest(*, source: object, count: int, deadline: float) -> int:
    """Store `count` varied tickets in-process; each queues its enrichment task on commit."""
    from tickets.services import ticket_ingest

    for index in range(count):
        if time.monotonic() > deadline:
            return index
        subject, body = TEMPLATES[index % len(TEMPLATES)]
        ticket_ingest(
            source=source,
            external_id=f"E-{index}",
            subject=subject.format(i=index),
            body=body.format(i=index),
            customer_external_id=f"cus_{index % 97}",
            customer_email=f"customer{index % 97}@example.com",
            customer_name=f"Customer {index % 97}",
            channel="email",
        )
    return count


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


class TreeSampler:
    """Memory and CPU of a process and its descendants, sampled from the measurement loop."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.peak_rss = 0
        self.peak_pss = 0
        self.cpu_by_pid: dict[int, float] = {}
        self.samples = 0

    def sample(self) -> None:
        psutil = self.psutil
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        with_pss = self.samples % 5 == 0  # smaps is dearer to read than statm
        self.samples += 1
        rss = pss = 0
        for process in processes:
            try:
                if with_pss:
                    info = process.memory_full_info()
                    pss += info.pss
                else:
                    info = process.memory_info()
                rss += info.rss
                times = process.cpu_times()
                self.cpu_by_pid[process.pid] = times.user + times.system
            except psutil.Error:  # exited between listing and reading
                continue
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, pss)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu_by_pid.values())


class BackendSampler:
    """CPU of the PostgreSQL backends serving the bench database (approximate: a backend that exits
    between two samples loses its last ~0.2 s; other databases' backends are not counted)."""

    def __init__(self, pgdata: Path | None) -> None:
        import psutil

        self.psutil = psutil
        self.postmaster = None
        self.cpu_by_pid: dict[int, float] = {}
        try:
            if pgdata is not None:
                self.postmaster = psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))
        except (OSError, ValueError, psutil.Error):
            self.postmaster = None

    def sample(self) -> None:
        if self.postmaster is None:
            return
        psutil = self.psutil
        try:
            backends = self.postmaster.children()
        except psutil.Error:
            return
        for backend in backends:
            try:
                if f" {DATABASE} " not in " ".join(backend.cmdline()) + " ":
                    continue
                times = backend.cpu_times()
                self.cpu_by_pid[backend.pid] = times.user + times.system
            except psutil.Error:
                continue

    @property
    def cpu_seconds(self) -> float | None:
        return None if self.postmaster is None else sum(self.cpu_by_pid.values())


def stopped_by_someone(log: Path) -> bool:
    """Whether the cluster has begun stopping although this benchmark has not signalled it yet."""
    return "stopping." in log.read_text(errors="replace")


def stop_cluster(cluster: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (the cluster finishes the tasks in hand), then SIGKILL its whole process group."""
    if cluster.poll() is not None:
        return
    cluster.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        cluster.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):  # workers a killed parent left behind: same session
        os.killpg(cluster.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        cluster.wait(timeout=5)


def figures(*, cluster_started_at: float) -> dict:
    """What the database says about the run."""
    from collections import Counter

    from django.db.models import Sum

    from ai_enrichment.models import AICall, Enrichment

    enrichments = list(
        Enrichment.objects.filter(is_current=True).values(
            "id", "status", "started_at", "finished_at", "claims"
        )
    )
    model_ms = dict(
        AICall.objects.values("enrichment_id")
        .annotate(total=Sum("latency_ms"))
        .values_list("enrichment_id", "total")
    )
    statuses = Counter(row["status"] for row in enrichments)
    terminal = [row for row in enrichments if row["status"] in Enrichment.TERMINAL and row["finished_at"]]
    overhead_ms = [
        (row["finished_at"] - row["started_at"]).total_seconds() * 1000 - (model_ms.get(row["id"]) or 0)
        for row in terminal
        if row["started_at"]
    ]
    latencies = list(AICall.objects.values_list("latency_ms", flat=True))
    active_s = first_claim_s = None
    if terminal:
        first_start = min(row["started_at"] for row in terminal if row["started_at"])
        last_finish = max(row["finished_at"] for row in terminal)
        active_s = (last_finish - first_start).total_seconds()
        first_claim_s = first_start.timestamp() - cluster_started_at
    return {
        "done": statuses.get(Enrichment.Status.DONE, 0),
        "not_terminal": len(enrichments) - len(terminal),
        "enrichment_statuses": dict(statuses),
        "claims_max": max((row["claims"] for row in enrichments), default=0),
        "active_s": rounded(active_s, 2),
        "first_claim_s": rounded(first_claim_s, 2),  # cluster start-up, until the first claim
        "active_tickets_per_s": rounded(len(terminal) / active_s if active_s else None),
        "overhead_p50_ms": rounded(percentile(overhead_ms, 0.50)),
        "overhead_p99_ms": rounded(percentile(overhead_ms, 0.99)),
        "model_latency_p50_ms": rounded(percentile(latencies, 0.50)),
        "model_latency_mean_ms": rounded(sum(latencies) / len(latencies) if latencies else None),
        "ai_calls": len(latencies),
        "ai_call_statuses": dict(Counter(AICall.objects.values_list("status", flat=True))),
    }


def main() -> None:
    started = time.monotonic()
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--latency", choices=("lognormal", "zero"), default="lognormal")
    parser.add_argument("--workers", type=int, default=2, help="Q_WORKERS for the cluster")
    parser.add_argument("--batch", type=int, default=None, help="AI_ENRICHMENT_BATCH (default: settings)")
    parser.add_argument("--timeout-seconds", type=float, default=300, help="hard bound on the whole run")
    parser.add_argument(
        "--embeddings",
        choices=("local", "remote"),
        default="local",
        help="local: MiniLM in the worker (the default setup); remote: an OpenAI-compatible embeddings "
        "endpoint (a fake on 127.0.0.1, standing for a GPU server), to see the pipeline without MiniLM",
    )
    args = parser.parse_args()
    deadline = started + args.timeout_seconds

    from tests.fakes import FakeAnthropic, FakeOpenAI, Reply

    injected: list[float] = []
    rng = random.Random(SEED)

    def lognormal() -> float:
        seconds = rng.lognormvariate(math.log(LOGNORMAL_MEDIAN_S), LOGNORMAL_SIGMA)
        injected.append(seconds)
        return seconds

    answer = {
        "category": "billing",
        "priority": "high",
        "summary": "The customer was charged twice for one invoice and wants one charge refunded.",
        "suggested_reply": "Hello, thank you for telling us. I can see the two charges and have asked our "
        "billing team to refund one. Support team",
        "confidence": 0.86,
        "language": "en",
        "sentiment": "negative",
    }
    fake = FakeAnthropic(default=Reply(tool_input=answer)).start()
    fake.latency = lognormal if args.latency == "lognormal" else None

    cluster: subprocess.Popen | None = None

    def watchdog() -> None:  # the last resort if something below hangs: never outlive the bound
        if cluster is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(cluster.pid, signal.SIGKILL)
        print(json.dumps({"benchmark": "enrich", "error": "watchdog: run exceeded --timeout-seconds"}))
        sys.stdout.flush()
        os._exit(2)

    timer = threading.Timer(max(1.0, deadline - time.monotonic()), watchdog)
    timer.daemon = True
    timer.start()

    environment = {
        "EMBEDDED_DATABASE_NAME": DATABASE,
        "ANTHROPIC_API_KEY": "bench",
        "ANTHROPIC_BASE_URL": fake.base_url,
        "AI_PROVIDER_CHAIN": "anthropic",
        "Q_WORKERS": str(args.workers),
    }
    if args.batch is not None:
        environment["AI_ENRICHMENT_BATCH"] = str(args.batch)
    if args.embeddings == "remote":
        embeddings = FakeOpenAI().start()
        environment |= {
            "EMBEDDING_BACKEND": "openai_compatible",
            "EMBEDDING_BASE_URL": f"{embeddings.base_url}/v1",
            "EMBEDDING_API_KEY": "bench",
            "EMBEDDING_MODEL": "fake-embeddings",
        }
    os.environ.update(environment)
    os.environ.pop("Q_SYNC", None)  # tasks must go through the queue, not run inline here

    source = setup_database()
    import logging

    from django.conf import settings

    logging.getLogger("django-q").setLevel(logging.WARNING)  # not a line per enqueued task here

    batch = settings.AI_ENRICHMENT_BATCH
    work_deadline = deadline - SHUTDOWN_GRACE_S
    ingested = ingest(source=source, count=args.tickets, deadline=work_deadline)

    from django.db import connection

    from ai_enrichment.models import Enrichment

    pending = Enrichment.objects.filter(is_current=True).exclude(status__in=Enrichment.TERMINAL)
    log = tempfile.NamedTemporaryFile(prefix="bench-enrich-", suffix=".log", delete=False)  # noqa: SIM115
    print(f"qcluster log: {log.name}", file=sys.stderr)

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    import psutil

    machine_before = psutil.cpu_times()
    cluster_started = time.monotonic()
    cluster_started_at = time.time()
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env={**os.environ},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so a stuck cluster can be killed whole
    )
    sampler = TreeSampler(cluster.pid)
    embedded = settings.DATABASES["default"].get("OPTIONS_EMBEDDED")
    backends = BackendSampler(Path(embedded["PGDATA"]) if embedded else None)
    remaining = None
    stopped_early = False
    polls = 0
    try:
        while time.monotonic() < work_deadline:
            sampler.sample()
            backends.sample()
            remaining = pending.count()
            if remaining == 0 or cluster.poll() is not None:
                break
            polls += 1
            if polls % 5 == 0 and stopped_by_someone(Path(log.name)):
                stopped_early = True  # something else signalled the cluster: waiting on it is pointless
                break
            time.sleep(POLL_SECONDS)
        wall_s = time.monotonic() - cluster_started
        sampler.sample()
        backends.sample()
    finally:
        cluster_died = cluster.poll() is not None
        machine_after = psutil.cpu_times()
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        stop_cluster(cluster, timeout=max(1.0, min(12.0, deadline - time.monotonic() - 6)))
        fake.stop()
        log.close()

    connection.close()  # fresh connection for the figures
    result = figures(cluster_started_at=cluster_started_at)
    worker_errors = sum(" ERROR " in line for line in Path(log.name).read_text(errors="replace").splitlines())
    busy = sum(machine_after) - sum(machine_before)
    idle = (machine_after.idle + machine_after.iowait) - (machine_before.idle + machine_before.iowait)
    bench_cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    model_mean = result["model_latency_mean_ms"]
    injected_mean = 1000 * sum(injected) / len(injected) if injected else 0.0
    sdk_http_mean_ms = rounded(model_mean - injected_mean if model_mean is not None else None)
    output = {
        "benchmark": "enrich",
        "tickets": ingested,
        "latency": args.latency,
        "workers": args.workers,
        "batch": batch,
        "embeddings": args.embeddings,
        "wall_s": round(wall_s, 2),
        "tickets_per_s": round((ingested - result["not_terminal"]) / wall_s, 1),
        "active_tickets_per_s": result.pop("active_tickets_per_s"),
        "overhead_p50_ms": result.pop("overhead_p50_ms"),
        "overhead_p99_ms": result.pop("overhead_p99_ms"),
        "model_latency_p50_ms": result.pop("model_latency_p50_ms"),
        "model_latency_mean_ms": result.pop("model_latency_mean_ms"),
        "fake_latency_p50_ms": rounded(percentile(injected, 0.5) * 1000 if injected else 0.0),
        # What the SDK and loopback HTTP add on top of the fake's wait: counted as model time above.
        "sdk_http_mean_ms": sdk_http_mean_ms,
        "worker_peak_rss_mb": round(sampler.peak_rss / 2**20, 1),
        "worker_peak_pss_mb": round(sampler.peak_pss / 2**20, 1),
        "worker_cpu_s": round(sampler.cpu_seconds, 1),
        "postgres_cpu_s": rounded(backends.cpu_seconds),
        "bench_cpu_s": round(bench_cpu_s, 1),
        "machine_cpu_busy_pct": round(100 * (busy - idle) / busy, 1) if busy else None,
        # CPU the machine spent on anything but the worker, its database backends and this process
        # (other people's jobs): when it is large, the figures above are not this code's alone.
        "other_cpu_s": round(
            (busy - idle) - sampler.cpu_seconds - (backends.cpu_seconds or 0) - bench_cpu_s, 1
        ),
        "done": result.pop("done"),
        "not_terminal": result.pop("not_terminal"),
        "ai_calls": result.pop("ai_calls"),
        "worker_errors": worker_errors,  # ERROR lines in the qcluster log (its path is on stderr)
        **result,
        "timed_out": bool(remaining) and not cluster_died,
        "cluster_died": cluster_died,
        "cluster_stopped_by_someone_else": stopped_early,
    }
    timer.cancel()
    print(json.dumps(output))


if __name__ == "__main__":
    main()
