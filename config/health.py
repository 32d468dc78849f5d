"""Liveness and readiness for load balancers and orchestrators: `/healthz` and `/readyz`, as JSON.

`/healthz` says the process answers (no database). `/readyz` says whether this web process can do its
job: the database answers and every migration is applied; if not, 503 names the failing checks. The
queue and the worker are reported, never failing readiness: ingest does not wait on AI, so a web
process with no worker behind it must keep accepting tickets (the queue's age says workers are short).
Nothing here reveals a setting, a host name of a dependency or an error message, only class names.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ai_enrichment.circuit import circuit_states
from ai_enrichment.selectors import enrichment_queue_backlog

# Checks whose failure makes this process not ready. An open provider circuit is reported, never
# failing readiness: the chain goes on to the next provider and tickets keep flowing.
CRITICAL = ("database", "migrations")


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {"database": database_check()}
    if checks["database"]["ok"]:
        checks["migrations"] = migrations_check()
        checks["queue"] = queue_check()
        checks["providers"] = providers_check()
    else:
        skipped = {"ok": False, "detail": "not checked: the database is unreachable"}
        checks["migrations"], checks["queue"], checks["providers"] = skipped, dict(skipped), dict(skipped)
    checks["worker"] = worker_check()
    failing = [name for name in CRITICAL if not checks[name]["ok"]]
    return JsonResponse(
        {"status": "not_ready" if failing else "ready", "failing": failing, "checks": checks},
        status=503 if failing else 200,
    )


def database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return {"ok": False, "detail": f"unreachable ({type(error).__name__})"}
    return {"ok": True}


def migrations_check() -> dict:
    try:
        loader = MigrationLoader(connection)
    except DatabaseError as error:
        return {"ok": False, "detail": f"could not read the applied migrations ({type(error).__name__})"}
    # Every node, not just a plan to the leaves: a plan skips a hole below an applied migration.
    unapplied = sorted(
        f"{app}.{name}" for app, name in loader.graph.nodes if (app, name) not in loader.applied_migrations
    )
    if unapplied:
        return {"ok": False, "detail": "run `manage.py migrate`", "unapplied": unapplied}
    return {"ok": True}


def queue_check() -> dict:
    backlog = enrichment_queue_backlog()
    return {
        "ok": True,
        "pending": backlog.pending,
        "running": backlog.running,
        "oldest_age_seconds": round(backlog.oldest_age_seconds, 1),
    }


def providers_check() -> dict:
    """Each AI provider's circuit breaker (ai_enrichment.circuit); a provider never seen is closed."""
    circuits = circuit_states()
    opened = sorted(name for name, circuit in circuits.items() if circuit["state"] != "closed")
    report = {"ok": not opened, "circuits": circuits}
    if opened:
        report["detail"] = f"skipped while their circuit is open: {', '.join(opened)}"
    return report


def worker_check() -> dict:
    """django-q2 clusters that reported a heartbeat in the last few seconds (their `Stat`, kept by the
    broker: the cache for the ORM broker, Redis for the Redis broker, each entry expiring after ~3 s)."""
    from django_q.conf import Conf
    from django_q.status import Stat

    try:
        stats = Stat.get_all()
    except Exception as error:  # the broker's store is down: say so, readiness does not depend on it
        return {"ok": False, "detail": f"could not read cluster heartbeats ({type(error).__name__})"}
    clusters = [
        {
            "cluster_id": str(stat.cluster_id),
            "status": str(stat.status),
            "workers": len(stat.workers),
            "seen_seconds_ago": round((timezone.now() - stat.timestamp).total_seconds(), 1),
        }
        for stat in stats
    ]
    if not any(cluster["status"] in (Conf.IDLE, Conf.WORKING) for cluster in clusters):
        return {
            "ok": False,
            "clusters": clusters,
            "detail": "no running django-q2 cluster has reported a heartbeat: enrichments wait until a "
            "worker runs (`manage.py qcluster`)",
        }
    return {"ok": True, "clusters": clusters}
