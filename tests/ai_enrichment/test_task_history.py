"""The queue keeps the newest successful task results (TASK_HISTORY_KEPT) and every failure."""

from datetime import timedelta

from django.utils import timezone
from django_q.models import Failure, Schedule, Success, Task

from ai_enrichment.services import task_history_prune


def record(n: int, *, success: bool) -> Task:
    stopped = timezone.now() - timedelta(minutes=100 - n)
    return Task.objects.create(
        id=f"task-{n}-{success}",
        name=f"enrich-ticket-{n}",
        func="ai_enrichment.tasks.enrich_ticket",
        started=stopped - timedelta(seconds=2),
        stopped=stopped,
        success=success,
    )


def test_only_the_newest_successful_results_are_kept_and_failures_stay(db):
    for n in range(6):
        record(n, success=True)
    for n in range(2):
        record(n, success=False)
    assert task_history_prune(keep=3) == 3
    assert sorted(Success.objects.values_list("name", flat=True)) == [
        "enrich-ticket-3",
        "enrich-ticket-4",
        "enrich-ticket-5",
    ]
    assert Failure.objects.count() == 2
    assert task_history_prune(keep=3) == 0


def test_the_cluster_prunes_the_history_every_hour(db):
    prune = Schedule.objects.get(func="ai_enrichment.tasks.prune_task_history")
    assert prune.schedule_type == Schedule.HOURLY and prune.repeats == -1
