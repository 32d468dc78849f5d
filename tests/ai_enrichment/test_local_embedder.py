"""The local embedder runs MiniLM through ONNX Runtime: the same vectors as sentence-transformers (the
reference implementation), a graph exported once per machine, and a clear error on a size mismatch."""

import threading

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from sentence_transformers import SentenceTransformer

from ai_enrichment import embeddings
from ai_enrichment.embeddings import BATCH_SIZE, LocalEmbedder, minilm_model_dir, minilm_onnx_path

TEXTS = [
    "Charged twice for March",
    "",
    "Cannot log in since the update: the reset email never arrives. " * 40,  # past 256 tokens: cut
    "¿Dónde está mi pedido? Lleva cuatro días sin moverse.",
    *(f"Parcel {number} has not arrived, tracking stuck for {number % 9} days" for number in range(70)),
]


def test_the_vectors_are_sentence_transformers_own():
    assert len(TEXTS) > BATCH_SIZE  # more than one model call, texts of mixed lengths in each
    reference = SentenceTransformer(str(minilm_model_dir()), device="cpu").encode(
        TEXTS, normalize_embeddings=True, show_progress_bar=False
    )

    vectors = np.asarray(LocalEmbedder(dimensions=384).embed(TEXTS))

    assert vectors.shape == (len(TEXTS), 384)
    assert np.abs(vectors - reference).max() < 1e-5
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_worker_embedder_runs_one_model_thread_and_gives_the_same_vectors():
    model = LocalEmbedder(dimensions=384)
    before = model.embed(TEXTS[:4])
    model.prepare_for_threads()
    assert model._loaded().threads == 1
    assert np.allclose(model.embed(TEXTS[:4]), before, atol=1e-6)


def test_a_dimension_setting_that_does_not_match_the_model_is_a_clear_error():
    with pytest.raises(
        ImproperlyConfigured, match="EMBEDDING_DIMENSIONS is 768 but all-MiniLM-L6-v2 produces 384"
    ):
        LocalEmbedder(dimensions=768).embed(["hello"])


def test_the_graph_is_exported_once_into_the_cache_folder_and_then_reused(settings, tmp_path):
    settings.EMBEDDING_MODEL_CACHE_DIR = tmp_path
    path = minilm_onnx_path()
    assert path.parent == tmp_path and path.stat().st_size > 1_000_000
    exported_at = path.stat().st_mtime_ns

    assert minilm_onnx_path() == path
    assert path.stat().st_mtime_ns == exported_at
    assert not list(tmp_path.glob("*.partial"))


def test_processes_starting_together_export_once(settings, tmp_path, monkeypatch):
    """Worker processes load the model at the same moment after a deploy; the file lock makes one
    export while the others wait for it (threads open the lock file separately, as processes do)."""
    settings.EMBEDDING_MODEL_CACHE_DIR = tmp_path
    exports, at_the_lock = [], threading.Semaphore(0)
    real_flock = embeddings.fcntl.flock

    def counted_flock(file, operation):
        at_the_lock.release()
        real_flock(file, operation)

    def slow_export(*, target):
        exports.append(target)
        for _ in range(3):  # all three have come to the lock (this one included) before it finishes
            assert at_the_lock.acquire(timeout=10)
        target.write_bytes(b"graph")

    monkeypatch.setattr(embeddings.fcntl, "flock", counted_flock)
    monkeypatch.setattr(embeddings, "minilm_onnx_export", slow_export)
    paths = []
    threads = [threading.Thread(target=lambda: paths.append(minilm_onnx_path())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert len(exports) == 1
    assert len(paths) == 3 and len(set(paths)) == 1 and paths[0].read_bytes() == b"graph"


def test_an_export_that_died_halfway_leaves_no_graph_behind(settings, tmp_path, monkeypatch):
    settings.EMBEDDING_MODEL_CACHE_DIR = tmp_path

    def dying_export(*, target):
        target.write_bytes(b"half a gr")
        raise MemoryError("killed")

    monkeypatch.setattr(embeddings, "minilm_onnx_export", dying_export)
    with pytest.raises(MemoryError):
        minilm_onnx_path()
    assert not list(tmp_path.glob("*.onnx"))

    monkeypatch.setattr(embeddings, "minilm_onnx_export", lambda *, target: target.write_bytes(b"graph"))
    assert minilm_onnx_path().read_bytes() == b"graph"


def test_a_label_vector_is_the_sentence_vector_beside_the_mean_of_every_layer():
    """The vote compares label vectors: the sentence vector plus the mean of every layer's mean token
    state, unit length; the reference computed here from the transformer itself."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    texts = TEXTS[:6]
    vectors, label_vectors = LocalEmbedder(dimensions=384).embed_with_label_vectors(texts)
    vectors, label_vectors = np.asarray(vectors), np.asarray(label_vectors)

    tokenizer = AutoTokenizer.from_pretrained(str(minilm_model_dir()))
    model = AutoModel.from_pretrained(str(minilm_model_dir())).eval()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        layers = model(**batch, output_hidden_states=True).hidden_states
    mask = batch["attention_mask"].unsqueeze(-1).float()

    def unit(rows):
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    every_layer = unit(sum(unit(((states * mask).sum(1) / mask.sum(1)).numpy()) for states in layers[1:]))

    assert label_vectors.shape == (len(texts), 384)
    assert np.abs(label_vectors - unit(vectors + every_layer)).max() < 1e-5
