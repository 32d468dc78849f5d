"""Offline evaluation of the local classifier on labeled data (a team's own history, or a public set).

The same two halves the local provider uses — the neighbours' vote (`local_model.vote`) and the trained
model (`label_model`) — over the same embeddings, run in memory, so the figures say how the product
will label, before a team switches the AI on.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from ai_enrichment import local_model
from ai_enrichment.label_model import (
    LabelDescriptions,
    label_descriptions_embed,
    label_model_fit_self_trained,
    label_votes,
)


@dataclass(frozen=True)
class EvaluationResult:
    examples: int
    accuracy: float
    macro_f1: float
    confusions: list[tuple[str, str, int]]  # (true label, predicted label, count), most frequent first
    mean_confidence: float

    def as_dict(self) -> dict:
        return {
            "examples": self.examples,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "mean_confidence": round(self.mean_confidence, 4),
            "top_confusions": [{"true": t, "predicted": p, "count": n} for t, p, n in self.confusions[:10]],
        }


def predict(
    *,
    train_texts: list[str],
    train_vectors: np.ndarray,
    train_labels: list[str],
    test_texts: list[str],
    test_vectors: np.ndarray,
    descriptions: LabelDescriptions | None = None,
    unlabeled_texts: list[str] | None = None,
    unlabeled_vectors: np.ndarray | None = None,
    label_vectors: LabelVectors | None = None,
) -> list[local_model.LabelVote]:
    """The local model's label for each test ticket, as the product computes it: the neighbours' vote
    over the training tickets and label descriptions (by label vectors, when the embedder gives them),
    averaged with a model fitted on them (and on the unlabeled tickets it is sure of, when there are
    any)."""
    label_vectors = label_vectors or LabelVectors()
    model = label_model_fit_self_trained(
        texts=train_texts,
        vectors=train_vectors,
        labels=train_labels,
        descriptions=descriptions,
        unlabeled_texts=unlabeled_texts or [],
        unlabeled_vectors=unlabeled_vectors if unlabeled_vectors is not None else np.zeros((0, 0)),
        label_vectors=label_vectors.train,
        unlabeled_label_vectors=label_vectors.unlabeled,
    )
    return label_votes(
        train_vectors=train_vectors,
        train_labels=train_labels,
        model=model,
        descriptions=descriptions,
        texts=test_texts,
        vectors=test_vectors,
        train_label_vectors=label_vectors.train,
        label_vectors=label_vectors.test,
    )


@dataclass(frozen=True)
class LabelVectors:
    """The label vectors of a split's rows (`Embedder.embed_with_label_vectors`); None: the embedder has
    none, and the vote compares the vectors."""

    train: np.ndarray | None = None
    test: np.ndarray | None = None
    unlabeled: np.ndarray | None = None


def _rows(vectors: np.ndarray | None, rows) -> np.ndarray | None:
    return None if vectors is None else vectors[rows]


def label_names(labels: list[str], *, known: dict[str, str] | None = None) -> LabelDescriptions:
    """Descriptions for labels that come with none (a CSV's label column): `known` texts (the taxonomy's
    name and description, for labels that are its categories), else the label's own words."""
    distinct = sorted(set(labels))
    known = known or {}
    texts = [known.get(label) or label.replace("_", " ").replace("-", " ") for label in distinct]
    return label_descriptions_embed(labels=distinct, texts=texts)


def score(true: list[str], votes: list[local_model.LabelVote]) -> EvaluationResult:
    predicted = [vote.label for vote in votes]
    confusions = Counter((t, p) for t, p in zip(true, predicted, strict=True) if t != p)
    return EvaluationResult(
        examples=len(true),
        accuracy=accuracy_score(true, predicted),
        macro_f1=f1_score(true, predicted, average="macro", zero_division=0),
        confusions=[(t, p, n) for (t, p), n in confusions.most_common()],
        mean_confidence=float(np.mean([vote.confidence for vote in votes])) if votes else 0.0,
    )


def parse_shots(value: str) -> list[int | None]:
    """Training examples per label for a learning curve: "1,5,all" gives [1, 5, None] (None: all).
    ValueError names the part that is neither a positive number nor "all"."""
    counts: list[int | None] = []
    for part in value.split(","):
        part = part.strip().lower()
        if part == "all":
            counts.append(None)
        elif part.isdigit() and int(part) > 0:
            counts.append(int(part))
        else:
            raise ValueError(f"--shots takes positive numbers or 'all', not {part!r}")
    return counts


def take_shots(labels: list[str], indices: list[int], shots: int | None, seed: int) -> list[int]:
    """At most `shots` training examples per label (all when None), chosen reproducibly."""
    if shots is None:
        return indices
    by_label: dict[str, list[int]] = defaultdict(list)
    for index in indices:
        by_label[labels[index]].append(index)
    rng = random.Random(seed)
    chosen = []
    for label in sorted(by_label):
        members = by_label[label]
        chosen += rng.sample(members, min(shots, len(members)))
    return chosen


def cross_validate(
    *,
    texts: list[str],
    vectors: np.ndarray,
    labels: list[str],
    folds: int,
    shots: int | None = None,
    seed: int = 7,
    descriptions: LabelDescriptions | None = None,
    use_unlabeled: bool = True,
    label_vectors: np.ndarray | None = None,
) -> EvaluationResult:
    """Stratified K-fold: every example is predicted once by a model that never saw its label (the
    label descriptions are known to every fold, as a taxonomy is). With `shots`, the fold's training rows
    not picked as examples are its unlabeled tickets (their labels unread), as a desk's unconfirmed
    tickets are, unless `use_unlabeled` is off; the held-out rows never are."""
    true: list[str] = []
    votes: list[local_model.LabelVote] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train_index, test_index) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        train = take_shots(labels, list(train_index), shots, seed + fold)
        unlabeled = sorted(set(train_index) - set(train)) if use_unlabeled else []
        votes += predict(
            train_texts=[texts[i] for i in train],
            train_vectors=vectors[train],
            train_labels=[labels[i] for i in train],
            test_texts=[texts[i] for i in test_index],
            test_vectors=vectors[test_index],
            descriptions=descriptions,
            unlabeled_texts=[texts[i] for i in unlabeled],
            unlabeled_vectors=vectors[unlabeled],
            label_vectors=LabelVectors(
                train=_rows(label_vectors, train),
                test=_rows(label_vectors, test_index),
                unlabeled=_rows(label_vectors, unlabeled),
            ),
        )
        true += [labels[i] for i in test_index]
    return score(true, votes)


def holdout(
    *,
    train_texts: list[str],
    train_vectors: np.ndarray,
    train_labels: list[str],
    test_texts: list[str],
    test_vectors: np.ndarray,
    test_labels: list[str],
    shots: int | None = None,
    seed: int = 7,
    descriptions: LabelDescriptions | None = None,
    use_unlabeled: bool = True,
    train_label_vectors: np.ndarray | None = None,
    test_label_vectors: np.ndarray | None = None,
) -> EvaluationResult:
    """Train on one file, predict another; with `shots`, the training rows not picked are unlabeled
    tickets, as in `cross_validate`."""
    train = take_shots(train_labels, list(range(len(train_labels))), shots, seed)
    unlabeled = sorted(set(range(len(train_labels))) - set(train)) if use_unlabeled else []
    votes = predict(
        train_texts=[train_texts[i] for i in train],
        train_vectors=train_vectors[train],
        train_labels=[train_labels[i] for i in train],
        test_texts=test_texts,
        test_vectors=test_vectors,
        descriptions=descriptions,
        unlabeled_texts=[train_texts[i] for i in unlabeled],
        unlabeled_vectors=train_vectors[unlabeled],
        label_vectors=LabelVectors(
            train=_rows(train_label_vectors, train),
            test=test_label_vectors,
            unlabeled=_rows(train_label_vectors, unlabeled),
        ),
    )
    return score(test_labels, votes)
