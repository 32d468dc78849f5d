"""The trained half of the local model's labels: a linear classifier over a ticket's words (TF-IDF of
character and word n-grams) and its embedding, fitted from the confirmed labels and the taxonomy's
descriptions of its labels.

Why a second half beside the nearest-neighbour vote (`local_model.vote`): the vote learns from each
correction the moment it is saved, but it only sees the 15 nearest tickets. A linear model weighs every
example of every label at once, and the n-grams catch the exact words ("pending", "PIN", "top-up")
that the sentence embedding blurs. Averaged with the vote, accuracy on BANKING77 goes from 91.7 % (the
vote alone) to 93.3 %, and to 93.5 % since the vote compares label vectors (BENCHMARKS.md). It is
refitted in the background (`label_models_refit`), so between two fits new corrections reach the
suggestions through the vote, and near them the model's half steps back (`LabelModel.learned_until`). Each fit also learns the
source's unlabeled tickets whose label it is sure of (`label_model_fit_self_trained`).
"""

from __future__ import annotations

import logging
import pickle
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import sklearn
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Window
from django.db.models.functions import Greatest, RowNumber
from django.utils import timezone
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from ai_enrichment import local_model
from ai_enrichment.embeddings import embedder
from ai_enrichment.models import TrainedLabelModel
from ai_enrichment.selectors import taxonomy_current
from ai_enrichment.services import ticket_embedding_text
from feedback.selectors import confirmed_labels
from tickets.models import Ticket

logger = logging.getLogger(__name__)

EMBEDDING_WEIGHT = 2.0  # the embedding's share of the features, against the unit-length TF-IDF row
REGULARISATION = 0.5  # LinearSVC's C, chosen by cross-validation on BANKING77
TEMPERATURE = 0.2  # softmax over the decision scores: shares comparable to the vote's
MAX_TEXT_CHARS = 2000  # for evaluation's raw texts; a ticket's text is already cut (ticket_embedding_text)
# A stored model is refitted when this changes: a pickle is read back only by the code (and the library
# versions, and the embedding size) that wrote it.
FORMAT = f"tfidf-svm-v4/scikit-learn-{sklearn.__version__}/numpy-{np.__version__}/dims-{settings.EMBEDDING_DIMENSIONS}"
MAX_FEATURES = 50_000  # per n-gram kind: bounds a model's memory (features × labels × 4 bytes per process)
REFIT_LOCK = 7303  # pg_try_advisory_lock(REFIT_LOCK, source id): one refit of a source at a time
SELF_TRAINING_MIN_CONFIDENCE = 0.7  # an unlabeled ticket's label is learned when the model is this sure
SELF_TRAINING_MAX_TICKETS = 10_000  # the newest unlabeled tickets of a source a refit reads
# A fit reads at most this many tickets, so it ends well within the refit task's time however large the
# source: its cost grows with tickets × labels (77 labels: at most ~30 s a field within the bound, ~2 min
# for 40k labeled + 10k unlabeled, which with the second field passes the queue's 180 s timeout;
# bench/refit.py). Each category gets an equal share for its newest confirmed tickets; unlabeled
# tickets fill what the labeled ones leave.
MAX_TRAINING_TICKETS = 15_000


@dataclass(frozen=True)
class LabelModel:
    labels: tuple[str, ...]
    examples: dict[str, int]  # training examples per label (a label's description counts as one)
    vectorizers: tuple[TfidfVectorizer, ...]  # character n-grams, word n-grams
    # (TF-IDF features + embedding dimensions, labels), float32, in this order in memory: a sparse row
    # times it is 40 times faster than times the transpose of the (labels, features) array LinearSVC gives.
    weights: np.ndarray
    bias: np.ndarray  # (labels,)
    # The newest label (or vector) change among the tickets this fit learned: neighbours changed after
    # it are news to the model (`local_model.vote`'s newer_than_model). None for a fit not stored.
    learned_until: datetime | None = None
    # The fit's confirmed tickets per label, on average: whether the vote compares label vectors
    # (`local_model.compares_label_vectors`).
    confirmed_per_label: float = 0.0

    def shares(self, *, texts: list[str], vectors: np.ndarray) -> list[dict[str, float]]:
        """Each text's probability-like share per label (they sum to 1)."""
        scores = _features(self.vectorizers, texts, vectors) @ self.weights + self.bias
        scores = np.asarray(scores) / TEMPERATURE
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        exp /= exp.sum(axis=1, keepdims=True)
        return [dict(zip(self.labels, row.tolist(), strict=True)) for row in exp]


def label_model_fit(*, texts: list[str], vectors: np.ndarray, labels: list[str]) -> LabelModel | None:
    """Fit on labeled tickets; None when there are fewer than two labels (nothing to tell apart)."""
    examples = Counter(labels)
    if len(examples) < 2:
        return None
    # An n-gram seen once is noise (and memory), except in a tiny history.
    options = dict(
        sublinear_tf=True, min_df=2 if len(texts) >= 200 else 1, max_features=MAX_FEATURES, dtype=np.float32
    )
    vectorizers = (
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), **options),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), **options),
    )
    for vectorizer in vectorizers:
        vectorizer.fit([_clip(text) for text in texts])
    classifier = LinearSVC(C=REGULARISATION).fit(_features(vectorizers, texts, vectors), labels)
    weights, bias = classifier.coef_, classifier.intercept_
    if weights.shape[0] == 1:  # two labels: one decision function, positive for classes_[1]
        weights, bias = np.vstack([-weights, weights]), np.array([-bias[0], bias[0]])
    return LabelModel(
        labels=tuple(str(label) for label in classifier.classes_),
        examples=dict(examples),
        vectorizers=vectorizers,
        weights=np.ascontiguousarray(weights.T, dtype=np.float32),
        bias=bias.astype(np.float32),
    )


def _features(vectorizers: tuple[TfidfVectorizer, ...], texts: list[str], vectors: np.ndarray) -> csr_matrix:
    """Each TF-IDF part is a unit-length row; the embedding (unit length too) weighs EMBEDDING_WEIGHT."""
    clipped = [_clip(text) for text in texts]
    parts = [vectorizer.transform(clipped) for vectorizer in vectorizers]
    parts.append(csr_matrix(np.asarray(vectors, dtype=np.float32) * EMBEDDING_WEIGHT))
    return hstack(parts, format="csr", dtype=np.float32)


def _clip(text: str) -> str:
    return text[:MAX_TEXT_CHARS]


# --- The taxonomy's own words: one example of each label ------------------------------------------------


@dataclass(frozen=True)
class LabelDescriptions:
    """Each active label's name and description, as one example of it: an admin's definition of a label
    is the first thing known about it. A new desk gets labels from them before any ticket is labeled; on
    BANKING77 (label names only) they lift 1 example per intent from 52 % to 67 % (BENCHMARKS.md)."""

    labels: list[str]
    texts: list[str]
    vectors: np.ndarray  # unit length, one row per label
    label_vectors: np.ndarray | None = None  # when the embedder gives them (ticket_label_vector)

    def neighbours(self, *, vector, label_vector=None) -> list[tuple[str, float]]:
        """(label, cosine similarity) of each description to a ticket's label vector (when both have
        one: the vote compares those), else to its vector."""
        by_labels = label_vector is not None and self.label_vectors is not None
        mine, theirs = (self.label_vectors, label_vector) if by_labels else (self.vectors, vector)
        similarities = mine @ np.asarray(theirs, dtype=np.float32) if self.labels else []
        return [
            (label, float(similarity)) for label, similarity in zip(self.labels, similarities, strict=True)
        ]


def label_description_text(*, name: str, description: str) -> str:
    return f"{name}. {description}" if description else name


def label_descriptions_embed(*, labels: list[str], texts: list[str]) -> LabelDescriptions:
    if not texts:
        return LabelDescriptions(labels=labels, texts=texts, vectors=np.zeros((0, 0), np.float32))
    vectors, label_vectors = embedder().embed_with_label_vectors(texts)
    return LabelDescriptions(
        labels=labels,
        texts=texts,
        vectors=np.asarray(vectors, dtype=np.float32),
        label_vectors=None if label_vectors is None else np.asarray(label_vectors, dtype=np.float32),
    )


# taxonomy version -> descriptions by field, for this process (the taxonomy changes rarely).
_described: dict[str, dict[str, LabelDescriptions]] = {}


def label_descriptions(*, taxonomy) -> dict[str, LabelDescriptions]:
    """The taxonomy's descriptions by field ("category", "priority"), embedded once per taxonomy version."""
    described = _described.get(taxonomy.version)
    if described is None:
        described = {
            field: label_descriptions_embed(
                labels=[label.slug for label in labels],
                texts=[
                    label_description_text(name=label.name, description=label.description) for label in labels
                ],
            )
            for field, labels in (("category", taxonomy.categories), ("priority", taxonomy.priorities))
        }
        _described.clear()
        _described[taxonomy.version] = described
    return described


def with_descriptions(
    *, texts: list[str], vectors: np.ndarray, labels: list[str], descriptions: LabelDescriptions | None
) -> tuple[list[str], np.ndarray, list[str]]:
    """Training examples with the label descriptions added (one each)."""
    if descriptions is None or not descriptions.labels:
        return texts, vectors, labels
    return (
        texts + descriptions.texts,
        np.vstack([vectors.reshape(-1, descriptions.vectors.shape[1]), descriptions.vectors]),
        labels + descriptions.labels,
    )


# --- Unlabeled tickets: the labels the model is sure of, learned as examples ------------------------------


def label_votes(
    *,
    train_vectors: np.ndarray,
    train_labels: list[str],
    model: LabelModel | None,
    descriptions: LabelDescriptions | None,
    texts: list[str],
    vectors: np.ndarray,
    train_label_vectors: np.ndarray | None = None,
    label_vectors: np.ndarray | None = None,
    k: int = local_model.NEIGHBOURS,
) -> list[local_model.LabelVote]:
    """The local model's label for each ticket, in memory: the vote of its k nearest training tickets
    (vectors are unit length: dot product = cosine) and the label descriptions, averaged with `model`,
    as the provider computes it over the database. With label vectors for both sides, the vote compares
    those, as the provider does (`ticket_label_vector`); the model reads `vectors`."""
    by_labels = (
        train_label_vectors is not None
        and label_vectors is not None
        and local_model.compares_label_vectors(confirmed_per_label=_per_label(train_labels))
    )
    train_compared, compared = (train_label_vectors, label_vectors) if by_labels else (train_vectors, vectors)
    allowed = sorted(set(train_labels))
    votes = []
    for start in range(0, len(vectors), 1024):
        chunk = slice(start, start + 1024)
        similarities = compared[chunk] @ train_compared.T
        k_eff = min(k, similarities.shape[1])
        nearest = np.argpartition(-similarities, k_eff - 1, axis=1)[:, :k_eff]
        shares = model.shares(texts=texts[chunk], vectors=vectors[chunk]) if model else [None] * len(nearest)
        for row, indices in enumerate(nearest):
            votes.append(
                local_model.vote(
                    neighbours=[(train_labels[i], float(similarities[row, i])) for i in indices],
                    allowed=allowed,
                    fallback=allowed[0],
                    model_shares=shares[row],
                    descriptions=descriptions.neighbours(
                        vector=vectors[start + row],
                        label_vector=label_vectors[start + row] if by_labels else None,
                    )
                    if descriptions
                    else (),
                )
            )
    return votes


def label_model_fit_self_trained(
    *,
    texts: list[str],
    vectors: np.ndarray,
    labels: list[str],
    descriptions: LabelDescriptions | None,
    unlabeled_texts: list[str],
    unlabeled_vectors: np.ndarray,
    label_vectors: np.ndarray | None = None,
    unlabeled_label_vectors: np.ndarray | None = None,
) -> LabelModel | None:
    """Fit on the labeled tickets and the descriptions; then let the local model label the unlabeled
    tickets, and fit again with those it is sure of (confidence >= SELF_TRAINING_MIN_CONFIDENCE) as more
    examples.

    A desk has far more tickets than confirmed labels. With 10 confirmed tickets per BANKING77 intent and
    the other ~7,200 unlabeled, the labels it is sure of are ~97 % right, and the model learns the
    wording of each intent from them: 84.4 % → 86.1 % (BENCHMARKS.md). Only the trained half learns
    from them: the vote, and so a label's confidence, stays with confirmed tickets.
    """
    examples = with_descriptions(texts=texts, vectors=vectors, labels=labels, descriptions=descriptions)
    model = label_model_fit(texts=examples[0], vectors=examples[1], labels=examples[2])
    if model is None or not unlabeled_texts:
        return model and replace(model, confirmed_per_label=_per_label(labels))
    votes = label_votes(
        train_vectors=vectors,
        train_labels=labels,
        model=model,
        descriptions=descriptions,
        texts=unlabeled_texts,
        vectors=unlabeled_vectors,
        train_label_vectors=label_vectors,
        label_vectors=unlabeled_label_vectors,
    )
    sure = [index for index, vote in enumerate(votes) if vote.confidence >= SELF_TRAINING_MIN_CONFIDENCE]
    if not sure:
        return replace(model, confirmed_per_label=_per_label(labels))
    model = label_model_fit(
        texts=examples[0] + [unlabeled_texts[index] for index in sure],
        vectors=np.vstack([examples[1], unlabeled_vectors[sure]]),
        labels=examples[2] + [votes[index].label for index in sure],
    )
    return model and replace(model, confirmed_per_label=_per_label(labels))


def _per_label(labels: list[str]) -> float:
    return len(labels) / len(set(labels)) if labels else 0.0


# --- Stored per source, refitted in the background ------------------------------------------------------


@dataclass(frozen=True)
class _Fingerprint:
    """What a fit saw of a source: its labeled tickets (with a vector) and the newest change among them."""

    labeled_tickets: int
    changed_at: datetime


def label_models_refit(
    *, time_budget_seconds: float | None = None, source_ids: list[int] | None = None
) -> list[int]:
    """Refit the trained half of every source (or of `source_ids`) whose confirmed labels changed, or
    whose labeled tickets got a new vector (a changed text, once re-embedded), since its last fit.
    Returns the ids of the sources refitted. Called by a scheduled task.

    With a time budget, a fit starts only if the budget leaves room for it, judged by that source's
    last fit (~9 s at 8k labels): the sources left wait for the next run. Never-fitted sources go first,
    then the longest-waiting. A source whose fit fails is logged and skipped; the others go on.
    """
    started = time.monotonic()
    labels = _labeled_with_vectors(confirmed_labels())
    if source_ids is not None:
        labels = labels.filter(ticket__source_id__in=source_ids)
    seen = _fingerprints(labels)
    fits = _fits(source_ids=list(seen))
    current = _format(taxonomy_current())
    due = [
        source_id
        for source_id, fingerprint in seen.items()
        if _stale(fits.get(source_id), fingerprint, current)
    ]
    never = [source_id for source_id in due if source_id not in fits]
    due = never + sorted(set(due) - set(never), key=lambda source_id: fits[source_id]["fitted_at"])
    refitted = []
    for source_id in due:
        if time_budget_seconds is not None and refitted:  # the first fit always runs: each run progresses
            expected = fits[source_id]["fit_seconds"] if source_id in fits else 0.0
            if time.monotonic() - started + expected > time_budget_seconds:
                continue
        try:
            if _source_refit(source_id=source_id):
                refitted.append(source_id)
        except Exception:  # one source's bad data must not keep the others from learning
            logger.exception("Refitting the local label models of source %s failed", source_id)
    if source_ids is None:
        # Sources whose labeled tickets are all gone (purged) keep no model. Asked now, not from `seen`:
        # another worker may have fitted a newly labeled source meanwhile.
        TrainedLabelModel.objects.exclude(
            source_id__in=_labeled_with_vectors(confirmed_labels()).values("ticket__source_id")
        ).delete()
    return refitted


def _fingerprints(labels) -> dict[int, _Fingerprint]:
    """By source: what a fit of these labeled tickets (all of them, not only those a fit reads) saw."""
    return {
        row["ticket__source_id"]: _Fingerprint(row["tickets"], row["changed"])
        for row in labels.values("ticket__source_id")
        .annotate(tickets=Count("pk"), changed=Max(Greatest("updated_at", "ticket__embedding__updated_at")))
        .order_by("ticket__source_id")
    }


def _fits(*, source_ids: list[int]) -> dict[int, dict]:
    """The stored fits of these sources, one per source (both fields' rows carry the same fingerprint)."""
    return {
        row["source_id"]: row
        for row in TrainedLabelModel.objects.filter(source_id__in=source_ids).values(
            "source_id", "labeled_tickets", "labels_changed_at", "format", "fitted_at", "fit_seconds"
        )
    }


def _format(taxonomy) -> str:
    """The code that fits, and the taxonomy whose descriptions it learned: an admin's edit means a refit."""
    return f"{FORMAT}/taxonomy-{taxonomy.version}"


def _stale(fit: dict | None, fingerprint: _Fingerprint, format: str) -> bool:
    return fit is None or (fit["labeled_tickets"], fit["labels_changed_at"], fit["format"]) != (
        fingerprint.labeled_tickets,
        fingerprint.changed_at,
        format,
    )


def _source_refit(*, source_id: int) -> bool:
    """Fit both fields of one source; False when another worker holds it or there is nothing to write.

    A session lock, not a transaction: the fit takes seconds, and a transaction open that long would
    hold back VACUUM for the whole database. Only the writes are one transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [REFIT_LOCK, source_id])
        if not cursor.fetchone()[0]:
            return False  # another worker is refitting this source right now
    try:
        return _source_refit_locked(source_id=source_id)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [REFIT_LOCK, source_id])


def _source_refit_locked(*, source_id: int) -> bool:
    started = time.monotonic()
    labels = _labeled_with_vectors(confirmed_labels(source_id=source_id))
    fingerprint = _fingerprints(labels).get(source_id)
    if fingerprint is None:
        return False
    taxonomy = taxonomy_current()
    format = _format(taxonomy)
    if not _stale(_fits(source_ids=[source_id]).get(source_id), fingerprint, format):
        return False  # another worker fitted these very labels a moment ago
    rows = _training_rows(labels)
    descriptions = label_descriptions(taxonomy=taxonomy)
    texts = [ticket_embedding_text(Ticket(subject=subject, body=body)) for subject, body, *_ in rows]
    vectors = np.asarray([row[4] for row in rows], dtype=np.float32)
    unlabeled_texts, unlabeled_vectors, unlabeled_label_vectors = _unlabeled_tickets(
        source_id=source_id, limit=min(SELF_TRAINING_MAX_TICKETS, MAX_TRAINING_TICKETS - len(rows))
    )
    label_vectors = _label_vectors([row[5] for row in rows])
    fitted = {}
    for field, column in ((TrainedLabelModel.Field.CATEGORY, 2), (TrainedLabelModel.Field.PRIORITY, 3)):
        labeled = [index for index, row in enumerate(rows) if row[column]]  # priority may be blank
        if not labeled:
            fitted[field] = (0, None)  # the descriptions alone are no model: the vote has them too
            continue
        model = label_model_fit_self_trained(
            texts=[texts[index] for index in labeled],
            vectors=vectors[labeled],
            labels=[rows[index][column] for index in labeled],
            descriptions=descriptions[field],
            unlabeled_texts=unlabeled_texts,
            unlabeled_vectors=unlabeled_vectors,
            label_vectors=None if label_vectors is None else label_vectors[labeled],
            unlabeled_label_vectors=unlabeled_label_vectors,
        )
        fitted[field] = (len(labeled), model and replace(model, learned_until=fingerprint.changed_at))
    if all(model is None for _, model in fitted.values()):
        return False  # fewer than two labels: the vote alone serves (re-read each run; a few rows)
    fit_seconds = round(time.monotonic() - started, 3)
    with transaction.atomic():
        for field, (examples, model) in fitted.items():
            if model is None:
                TrainedLabelModel.objects.filter(source_id=source_id, field=field).delete()
                continue
            TrainedLabelModel.objects.update_or_create(
                source_id=source_id,
                field=field,
                defaults={
                    "examples": examples,
                    "labeled_tickets": fingerprint.labeled_tickets,
                    "labels_changed_at": fingerprint.changed_at,
                    "format": format,
                    "artifact": pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL),
                    "fit_seconds": fit_seconds,
                    "fitted_at": timezone.now(),
                },
            )
    logger.info(
        "Refitted the local label models of source %s on %s tickets in %.1f s",
        source_id,
        len(rows),
        fit_seconds,
    )
    return True


def _training_rows(labels) -> list[tuple]:
    """(subject, body, category, priority, vector, label vector) of the labeled tickets a fit reads:
    each category's newest, up to an equal share of MAX_TRAINING_TICKETS (the newest corrections say
    most about today)."""
    categories = labels.values("category").distinct().count()
    newest_first = Window(
        RowNumber(), partition_by=F("category"), order_by=[F("updated_at").desc(), F("pk").desc()]
    )
    return list(
        labels.annotate(newest=newest_first)
        .filter(newest__lte=max(MAX_TRAINING_TICKETS // max(categories, 1), 1))
        .values_list(
            "ticket__subject",
            "ticket__body",
            "category",
            "priority",
            "ticket__embedding__embedding",
            "ticket__embedding__label_embedding",
        )
    )


def _unlabeled_tickets(*, source_id: int, limit: int) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """Texts, vectors and label vectors of the source's newest `limit` embedded tickets that no agent or
    import labeled."""
    rows = (
        list(
            Ticket.objects.filter(source_id=source_id, embedding__isnull=False)
            .exclude(pk__in=confirmed_labels(source_id=source_id).values("ticket_id"))
            .order_by("-pk")
            .values_list("subject", "body", "embedding__embedding", "embedding__label_embedding")[:limit]
        )
        if limit > 0
        else []
    )
    texts = [ticket_embedding_text(Ticket(subject=subject, body=body)) for subject, body, *_ in rows]
    vectors = np.asarray([row[2] for row in rows], dtype=np.float32).reshape(
        len(rows), settings.EMBEDDING_DIMENSIONS
    )
    return texts, vectors, _label_vectors([row[3] for row in rows])


def _label_vectors(stored: list) -> np.ndarray | None:
    """The rows' label vectors; None unless every row has one (the vote never mixes the two kinds)."""
    if any(vector is None for vector in stored):
        return None
    return np.asarray(stored, dtype=np.float32).reshape(len(stored), settings.EMBEDDING_DIMENSIONS)


def _labeled_with_vectors(labels):
    return labels.filter(ticket__embedding__isnull=False)


# source id -> (checked at, {field: (fitted_at, model)}) of this process; see label_models_for.
_loaded: dict[int, tuple[float, dict[str, tuple[object, LabelModel]]]] = {}


def label_models_for(*, source_id: int) -> dict[str, LabelModel]:
    """The source's trained models by field ("category", "priority"), as this process last loaded them.

    Every local enrichment needs them and they change at most once a refit, so a process looks for a
    newer fit every LABEL_MODEL_CHECK_SECONDS and unpickles only what changed. A fit that cannot be read
    back is logged and left out: the vote alone serves until the next refit replaces it.
    """
    now = time.monotonic()
    cached = _loaded.get(source_id)
    if cached is not None and now - cached[0] < settings.LABEL_MODEL_CHECK_SECONDS:
        return {field: model for field, (_, model) in cached[1].items()}
    known = cached[1] if cached else {}
    current = {}
    for field, fitted_at, format in TrainedLabelModel.objects.filter(source_id=source_id).values_list(
        "field", "fitted_at", "format"
    ):
        if field in known and known[field][0] == fitted_at:
            current[field] = known[field]
        elif format.startswith(f"{FORMAT}/"):  # the taxonomy part may be older: the labels still stand
            artifact = TrainedLabelModel.objects.values_list("artifact", flat=True).get(
                source_id=source_id, field=field
            )
            try:
                current[field] = (fitted_at, pickle.loads(artifact))  # noqa: S301 (written by label_models_refit)
            except Exception:
                logger.exception("The %s model of source %s cannot be read back", field, source_id)
    _loaded[source_id] = (now, current)
    return {field: model for field, (_, model) in current.items()}
