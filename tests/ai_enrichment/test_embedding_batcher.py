"""The worker's threads share one embedding model call at a time: requests that arrive while it is busy
go together in the next call, each caller gets its own vectors back, and an error reaches every caller."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from ai_enrichment.embeddings import EmbeddingBatcher, LocalEmbedder
from tests.conftest import wait_until


class HeldEncoder:
    """Encodes a text as [its length]; the first call waits until the test lets it go."""

    def __init__(self):
        self.calls: list[list[str]] = []
        self.first_call_started = threading.Event()
        self.release = threading.Event()

    def __call__(self, texts):
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            self.first_call_started.set()
            assert self.release.wait(timeout=10)
        if "boom" in texts:
            raise RuntimeError("model failed")
        return [[float(len(text))] for text in texts]


def test_requests_that_arrive_while_the_model_is_busy_go_together_and_each_gets_its_own_vectors():
    encoder = HeldEncoder()
    batcher = EmbeddingBatcher(encoder)
    with ThreadPoolExecutor(max_workers=6) as pool:
        first = pool.submit(batcher.embed, ["a"])
        assert encoder.first_call_started.wait(timeout=10)
        waiting = [pool.submit(batcher.embed, ["x" * n, "y" * (n + 10)]) for n in range(1, 6)]
        wait_until(lambda: batcher._requests.qsize() == 5, interval=0.005, message="five queued requests")
        encoder.release.set()

        assert first.result(timeout=10) == [[1.0]]
        assert [future.result(timeout=10) for future in waiting] == [
            [[float(n)], [float(n + 10)]] for n in range(1, 6)
        ]
    assert len(encoder.calls) == 2, "the five queued requests made one model call"
    assert sorted(encoder.calls[1]) == sorted(
        ["x" * n for n in range(1, 6)] + ["y" * (n + 10) for n in range(1, 6)]
    )


def test_a_model_error_reaches_every_caller_of_that_batch_and_the_batcher_lives_on():
    encoder = HeldEncoder()
    encoder.release.set()
    batcher = EmbeddingBatcher(encoder)

    with pytest.raises(RuntimeError, match="model failed"):
        batcher.embed(["boom"])
    assert batcher.embed(["ok"]) == [[2.0]]


def test_the_local_embedder_gives_the_same_vectors_through_the_batcher():
    model = LocalEmbedder(dimensions=384)
    direct = model.embed(["Charged twice for March", "Cannot log in"])
    model.prepare_for_threads()
    with ThreadPoolExecutor(max_workers=2) as pool:
        batched = list(
            pool.map(lambda text: model.embed([text])[0], ["Charged twice for March", "Cannot log in"])
        )
    assert np.allclose(batched, direct, atol=1e-5)


def test_a_worker_process_loads_the_embedding_model_when_it_starts(settings):
    """django-q2 sends post_spawn in each new worker process: the model is loaded and the batcher
    serving, before the first task (whose tickets would otherwise wait for MiniLM to load)."""
    from django_q.signals import post_spawn

    from ai_enrichment.embeddings import embedder

    settings.EMBEDDING_BACKEND = "local"
    settings.AI_PROVIDER_CHAIN = ["local"]
    post_spawn.send(sender="django_q", proc_name="Process-1:1")
    local = embedder()
    assert isinstance(local, LocalEmbedder)
    assert local._model is not None
    assert local._batcher is not None and local._batcher.serves_this_process()


def test_a_cluster_with_ai_off_does_not_load_the_model(settings, monkeypatch):
    from django_q.signals import post_spawn

    import ai_enrichment.pipeline

    warmed = []
    monkeypatch.setattr(ai_enrichment.pipeline, "worker_warm_up", lambda: warmed.append(True))
    settings.AI_PROVIDER_CHAIN = ["local"]
    settings.AI_ENABLED = False
    post_spawn.send(sender="django_q", proc_name="Process-1:1")
    settings.AI_ENABLED = True
    post_spawn.send(sender="django_q", proc_name="Process-1:2")
    assert warmed == [True]
