import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from ai_enrichment.embeddings import embedder
from ai_enrichment.evaluation import cross_validate, holdout, label_names, parse_shots, score
from ai_enrichment.label_model import label_description_text
from ai_enrichment.local_model import LabelVote
from ai_enrichment.models import Category
from ai_enrichment.providers.local import LocalProvider
from feedback.history import read_rows


class Command(BaseCommand):
    help = (
        "Measure the local classifier on labeled tickets (CSV or JSONL): accuracy, macro-F1 and the most "
        "frequent confusions, by cross-validation or against a separate training file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Labeled tickets to predict.")
        parser.add_argument("--text", required=True, help="Column with the ticket text.")
        parser.add_argument("--label", required=True, help="Column with the true label.")
        parser.add_argument("--train", type=Path, help="Train on this file instead of cross-validating.")
        parser.add_argument("--folds", type=int, default=5, help="Cross-validation folds (default 5).")
        parser.add_argument(
            "--shots",
            default="all",
            help="Training examples per label: a number, 'all', or a list for a learning curve (1,5,10,all).",
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--labeled-only",
            action="store_true",
            help="With --shots, learn from the picked examples alone. By default the training rows not "
            "picked are used as unlabeled tickets (their labels unread), as the product uses a desk's "
            "unconfirmed tickets.",
        )
        parser.add_argument("--json", type=Path, help="Also write the figures as JSON to this file.")
        parser.add_argument(
            "--predicted",
            help="Also score the labels recorded in this column against the true ones, e.g. ai_category in "
            "the dashboard's feedback export: what the AI said then, beside what the local model says now.",
        )

    def handle(self, *args, file, text, label, train, folds, shots, seed, **options):
        json_path: Path | None = options["json"]
        predicted_column: str | None = options["predicted"]
        shot_counts = self._shots(shots)
        texts, labels, recorded = self._load(file, text, label, predicted_column)
        vectors, label_vectors = self._embed(texts)
        if train is not None:
            train_texts, train_labels, _ = self._load(train, text, label)
            train_vectors, train_label_vectors = self._embed(train_texts)
        elif folds < 2 or folds > min(_label_counts(labels)):
            raise CommandError(
                f"--folds must be between 2 and the size of the smallest label ({min(_label_counts(labels))})."
            )

        # Each label's name and description count as one example, as in the product (label_model).
        descriptions = label_names(
            labels + (train_labels if train is not None else []), known=_taxonomy_texts()
        )
        report = {
            "file": str(file),
            "examples": len(texts),
            "labels": len(set(labels)),
            "method": LocalProvider.model,
            "unlabeled_tickets_used": not options["labeled_only"],
            "runs": [],
        }
        self.stdout.write(f"{'shots/label':>12} {'accuracy':>9} {'macro-F1':>9} {'confidence':>11}")
        for count in shot_counts:
            if train is not None:
                result = holdout(
                    train_texts=train_texts,
                    train_vectors=train_vectors,
                    train_labels=train_labels,
                    test_texts=texts,
                    test_vectors=vectors,
                    test_labels=labels,
                    shots=count,
                    seed=seed,
                    descriptions=descriptions,
                    use_unlabeled=not options["labeled_only"],
                    train_label_vectors=train_label_vectors,
                    test_label_vectors=label_vectors,
                )
            else:
                result = cross_validate(
                    texts=texts,
                    vectors=vectors,
                    labels=labels,
                    folds=folds,
                    shots=count,
                    seed=seed,
                    descriptions=descriptions,
                    use_unlabeled=not options["labeled_only"],
                    label_vectors=label_vectors,
                )
            report["runs"].append({"shots": count or "all", **result.as_dict()})
            self.stdout.write(
                f"{count or 'all':>12} {result.accuracy:>9.2%} {result.macro_f1:>9.2%} {result.mean_confidence:>11.2f}"
            )
        if predicted_column:
            result = score(labels, [LabelVote(label=value, confidence=0.0) for value in recorded])
            report["recorded"] = {"column": predicted_column, **result.as_dict()}
            report["recorded"].pop("mean_confidence")
            self.stdout.write(
                f"Recorded in {predicted_column!r}: accuracy {result.accuracy:.2%}, macro-F1 {result.macro_f1:.2%}"
            )
        worst = report["runs"][-1]["top_confusions"][:5]
        if worst:
            self.stdout.write("Most frequent confusions (true → predicted):")
            for item in worst:
                self.stdout.write(f"  {item['true']} → {item['predicted']}: {item['count']}")
        if json_path:
            json_path.write_text(json.dumps(report, indent=2))
        self.stdout.write(json.dumps(report))

    def _shots(self, value: str) -> list[int | None]:
        try:
            return parse_shots(value)
        except ValueError as error:
            raise CommandError(str(error)) from None

    def _load(
        self, path: Path, text: str, label: str, predicted: str | None = None
    ) -> tuple[list[str], list[str], list[str]]:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            rows = [row for row in read_rows(path) if "__error__" not in row]
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        if not rows:
            raise CommandError(f"{path} has no rows")
        missing = [column for column in (text, label, predicted) if column and column not in rows[0]]
        if missing:
            raise CommandError(
                f"{path.name} has no column {', '.join(map(repr, missing))} (columns: {', '.join(rows[0])})."
            )
        kept = [row for row in rows if str(row[text]).strip() and str(row[label]).strip()]
        return (
            [str(row[text]).strip() for row in kept],
            [str(row[label]).strip() for row in kept],
            [str(row[predicted] or "").strip() for row in kept] if predicted else [],
        )

    def _embed(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """The vectors and, when the embedder gives them, the label vectors the vote compares."""
        vectors, label_vectors = embedder().embed_with_label_vectors(texts)
        return (
            np.asarray(vectors, dtype=np.float32),
            None if label_vectors is None else np.asarray(label_vectors, dtype=np.float32),
        )


def _label_counts(labels: list[str]) -> list[int]:
    from collections import Counter

    return list(Counter(labels).values())


def _taxonomy_texts() -> dict[str, str]:
    return {
        slug: label_description_text(name=name, description=description)
        for slug, name, description in Category.objects.values_list("slug", "name", "description")
    }
