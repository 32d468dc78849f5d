"""Refit benchmark: how long one fit of the local model's trained half takes, by how many labeled and
unlabeled tickets it reads (`ai_enrichment.label_model.label_model_fit_self_trained`, the category
field, BANKING77's 77 intents as labels and their names as descriptions).

Why: a refit runs as a queue task (180 s timeout, a 90 s budget per run), and a source's fit grows
with tickets × labels; `label_model.MAX_TRAINING_TICKETS` bounds what one fit reads. Each size is
drawn (seeded) from the BANKING77 train split, read from `../shared/datasets/` and never copied into
the project; a drawn row gets a reference number appended, so repeats are not identical texts.
Embeddings are cached in /tmp/bench_cache (shared with bench/classify.py). No database.

Prints one JSON line: seconds per size, `labeled+unlabeled`.

    .venv/bin/python bench/refit.py [--sizes 15000+0,13000+2000,5000+10000,40000+10000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import cached_embeddings, cached_label_vectors  # noqa: E402

DATASET = ROOT.parent / "shared" / "datasets" / "banking77" / "train.csv"
SEED = 20261123


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="15000+0,13000+2000,5000+10000,40000+10000")
    args = parser.parse_args()
    sizes = [tuple(int(part) for part in size.split("+")) for size in args.sizes.split(",")]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import numpy as np

    from ai_enrichment.evaluation import label_names
    from ai_enrichment.label_model import MAX_TRAINING_TICKETS, label_model_fit_self_trained

    with DATASET.open(newline="") as file:
        rows = list(csv.DictReader(file))
    texts = [row["text"] for row in rows]
    labels = [row["category"] for row in rows]
    vectors = np.asarray(cached_embeddings(texts), dtype=np.float32)
    label_vectors = cached_label_vectors(texts)  # the self-training vote compares these, as the refit does
    descriptions = label_names(labels)  # BANKING77's intent names, as `evaluate` reads them
    rng = random.Random(SEED)

    def draw(count: int, tag: str) -> tuple[list[str], np.ndarray, np.ndarray | None, list[str]]:
        picked = [rng.randrange(len(texts)) for _ in range(count)]
        drawn = [f"{texts[i]} {tag}{n % 997}" for n, i in enumerate(picked)]
        drawn_label_vectors = None if label_vectors is None else label_vectors[picked]
        return (
            drawn,
            vectors[picked].reshape(count, vectors.shape[1]),
            drawn_label_vectors,
            [labels[i] for i in picked],
        )

    seconds = {}
    for labeled, unlabeled in sizes:
        train_texts, train_vectors, train_label_vectors, train_labels = draw(labeled, "ref")
        unlabeled_texts, unlabeled_vectors, unlabeled_label_vectors, _ = draw(unlabeled, "unl")
        started = time.perf_counter()
        label_model_fit_self_trained(
            texts=train_texts,
            vectors=train_vectors,
            labels=train_labels,
            descriptions=descriptions,
            unlabeled_texts=unlabeled_texts,
            unlabeled_vectors=unlabeled_vectors,
            label_vectors=train_label_vectors,
            unlabeled_label_vectors=unlabeled_label_vectors,
        )
        seconds[f"{labeled}+{unlabeled}"] = round(time.perf_counter() - started, 1)
        print(f"{labeled}+{unlabeled}: {seconds[f'{labeled}+{unlabeled}']} s", file=sys.stderr, flush=True)
    print(
        json.dumps(
            {
                "benchmark": "refit",
                "labels": len(descriptions.labels),
                "max_training_tickets": MAX_TRAINING_TICKETS,
                "fit_seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
