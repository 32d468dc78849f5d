"""Embedding benchmark: the local MiniLM as the product runs it (ONNX Runtime) against the reference
implementation (sentence-transformers on torch), in one process, one after the other.

Each runs in a process of its own: the time to load (imports included), the memory that loading and
running added (max RSS), a lone ticket's embedding (p50 over --lone calls, one model thread, as in the
worker), and the CPU per ticket when 32 threads each embed one ticket through the worker's
EmbeddingBatcher. Also the largest difference between the two sets of vectors. Ticket texts are made
up here, in the shape of the enrichment benchmark's.

    .venv/bin/python bench/embeddings.py [--tickets 960] [--lone 200]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from ai_enrichment.embeddings import EmbeddingBatcher, LocalEmbedder, minilm_model_dir  # noqa: E402


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(encode, texts: list[str], lone: int) -> dict:
    encode(["warm up"])
    lone_ms = []
    for text in texts[:lone]:
        started = time.perf_counter()
        encode([text])
        lone_ms.append((time.perf_counter() - started) * 1000)
    batcher = EmbeddingBatcher(encode)
    cpu, wall = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        vectors = list(pool.map(lambda text: batcher.embed([text])[0], texts))
    return {
        "lone_p50_ms": round(statistics.median(lone_ms), 2),
        "threads32_cpu_ms_per_ticket": round((time.process_time() - cpu) * 1000 / len(texts), 2),
        "threads32_wall_ms_per_ticket": round((time.perf_counter() - wall) * 1000 / len(texts), 2),
        "vectors": np.asarray(vectors),
    }


def run_one(implementation: str, texts: list[str], lone: int, vectors_path: str) -> dict:
    """Load and measure one implementation in this (fresh) process."""
    rss_before, started = max_rss_mb(), time.perf_counter()
    if implementation == "onnx":
        product = LocalEmbedder(dimensions=384)
        product.prepare_for_threads()  # one model thread, as in the worker
        encode = product._encode
    else:
        import torch
        from sentence_transformers import SentenceTransformer

        reference = SentenceTransformer(str(minilm_model_dir()), device="cpu")
        torch.set_num_threads(1)

        def encode(batch: list[str]) -> list[list[float]]:
            return reference.encode(batch, normalize_embeddings=True, show_progress_bar=False).tolist()

    load_s = time.perf_counter() - started
    figures = measure(encode, texts, lone)
    np.save(vectors_path, figures.pop("vectors"))
    return {"load_s": round(load_s, 2), "rss_added_mb": round(max_rss_mb() - rss_before), **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=960)
    parser.add_argument("--lone", type=int, default=200)
    parser.add_argument("--only", choices=["onnx", "torch"], help=argparse.SUPPRESS)  # the child runs
    parser.add_argument("--vectors", help=argparse.SUPPRESS)
    args = parser.parse_args()
    texts = [
        f"Invoice {number} was charged twice. Hello, my card was charged twice for invoice INV-{number}. "
        f"Please refund one of the charges; the bank statement is attached. Order reference {number * 7}."
        for number in range(args.tickets)
    ]
    if args.only:
        print(json.dumps(run_one(args.only, texts, args.lone, args.vectors)))
        return

    figures: dict = {"benchmark": "embeddings", "tickets": args.tickets}
    vectors = {}
    with tempfile.TemporaryDirectory() as folder:
        for implementation in ("onnx", "torch"):  # each in a process of its own: clean load and memory
            path = f"{folder}/{implementation}.npy"
            child = subprocess.run(
                [sys.executable, __file__, "--only", implementation, "--vectors", path]
                + ["--tickets", str(args.tickets), "--lone", str(args.lone)],
                capture_output=True,
                text=True,
                check=True,
            )
            for key, value in json.loads(child.stdout.strip().splitlines()[-1]).items():
                figures[f"{implementation}_{key}"] = value
            vectors[implementation] = np.load(path)
    figures["lone_speed_up"] = round(figures["torch_lone_p50_ms"] / figures["onnx_lone_p50_ms"], 2)
    figures["threads32_cpu_ratio"] = round(
        figures["torch_threads32_cpu_ms_per_ticket"] / figures["onnx_threads32_cpu_ms_per_ticket"], 2
    )
    figures["max_abs_difference"] = float(np.abs(vectors["onnx"] - vectors["torch"]).max())
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
