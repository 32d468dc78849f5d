"""What django-q2's monitor spends saving one task result, with the success history full.

Every queued task's result is saved by the cluster's monitor process. With `save_limit` > 0 django-q2
prunes on each save by reading every kept success row (SELECT ... FOR UPDATE over up to save_limit
rows); with 0 it only saves, and `ai_enrichment.tasks.prune_task_history` trims the history hourly.
Seeds TASK_HISTORY_KEPT successes in its own database (`bench_task_results`, recreated each run), then
times `save_task` for --results results under each setting, alternating. Prints one JSON line.

    .venv/bin/python bench/task_results.py [--results 200]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import bench_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=int, default=200)
    args = parser.parse_args()
    bench_database("bench_task_results")

    from django.conf import settings
    from django.utils import timezone
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.models import Task
    from django_q.monitor import save_task

    now = timezone.now()
    kept = settings.TASK_HISTORY_KEPT
    Task.objects.bulk_create(
        Task(
            id=uuid.uuid4().hex,
            name=f"earlier-{n}",
            func="ai_enrichment.tasks.enrich_ticket",
            args=(n,),
            kwargs={},
            result=1,
            started=now - timedelta(days=1),
            stopped=now - timedelta(days=1),
            success=True,
        )
        for n in range(kept)
    )
    broker = get_broker()
    timings: dict[int, list[float]] = {kept: [], 0: []}
    for round_ in range(4):  # alternating, so both settings see the same machine
        for save_limit in (kept, 0):
            Conf.SAVE_LIMIT = save_limit
            for n in range(args.results // 4):
                task = {
                    "id": uuid.uuid4().hex,
                    "name": f"bench-{round_}-{save_limit}-{n}",
                    "func": "ai_enrichment.tasks.enrich_ticket",
                    "args": (n,),
                    "kwargs": {},
                    "result": 0,
                    "started": now,
                    "stopped": now,
                    "success": True,
                    "group": None,
                    "cached": False,
                }
                started = time.process_time()
                save_task(task, broker)
                timings[save_limit].append((time.process_time() - started) * 1000)

    def p50(values: list[float]) -> float:
        return round(sorted(values)[len(values) // 2], 2)

    print(
        json.dumps(
            {
                "benchmark": "task_results",
                "history_kept": kept,
                "results_per_setting": len(timings[0]),
                "cpu_ms_per_result_save_limit_kept_p50": p50(timings[kept]),
                "cpu_ms_per_result_save_limit_0_p50": p50(timings[0]),
            }
        )
    )


if __name__ == "__main__":
    main()
