"""What the benchmarks share: a database of their own, recreated each run, and cached embeddings of
public data sets (so a rerun does not spend minutes embedding the same texts again)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path("/tmp/bench_cache")


def bench_database(name: str) -> None:
    """Point Django at database `name`, drop it if it exists (embedded server only), and migrate it.

    With DATABASE_URL set the benchmark uses that database as it is: it never drops one it did not make.
    """
    os.environ["EMBEDDED_DATABASE_NAME"] = name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"].get("OPTIONS_EMBEDDED"):
        import psycopg

        from config import embedded_postgres

        server = embedded_postgres.ensure_running(
            pgdata=Path(settings.DATABASES["default"]["OPTIONS_EMBEDDED"]["PGDATA"]), database="postgres"
        )
        with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    call_command("migrate", verbosity=0)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # stdout is for the one JSON line


def cached_embeddings(texts: list[str], *, log=_log):
    """Unit vectors for `texts` from the project's embedder, cached in CACHE_DIR by content."""
    from django.conf import settings

    from ai_enrichment.embeddings import embedder

    model = embedder()
    return _cached(
        kind="embeddings",
        identity=f"{type(model).__name__}|{settings.EMBEDDING_MODEL}|{model.dimensions}",
        texts=texts,
        dimensions=model.dimensions,
        compute=model.embed,
        log=log,
    )


def cached_label_vectors(texts: list[str], *, log=_log):
    """The label vectors for `texts` (`Embedder.embed_with_label_vectors`), cached like the vectors;
    None when the embedder gives none."""
    from ai_enrichment.embeddings import ONNX_EXPORT_FORMAT, embedder

    model = embedder()
    if model.label_dimensions is None:
        return None
    return _cached(
        kind="label-vectors",
        identity=f"{type(model).__name__}|{ONNX_EXPORT_FORMAT}|{model.label_dimensions}",
        texts=texts,
        dimensions=model.label_dimensions,
        compute=lambda batch: model.embed_with_label_vectors(batch)[1],
        log=log,
    )


def _cached(*, kind: str, identity: str, texts: list[str], dimensions: int, compute, log):
    """One row per text from `compute`, saved in CACHE_DIR under a hash of `identity` and the texts."""
    import numpy as np

    key = hashlib.sha256("\x1e".join([identity, *texts]).encode()).hexdigest()[:24]
    path = CACHE_DIR / f"{kind}-{key}.npy"
    if path.is_file():
        rows = np.load(path)
        if rows.shape == (len(texts), dimensions):
            return rows
    log(f"{kind}: embedding {len(texts)} texts (cached afterwards in {path})")
    started = time.perf_counter()
    rows = np.asarray(compute(texts), dtype=np.float32)
    log(f"{kind}: embedded {len(texts)} texts in {time.perf_counter() - started:.0f} s")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(partial, rows)
    os.replace(partial, path)
    return rows


def watchdog(seconds: float, benchmark: str) -> None:
    """The last resort if something hangs: never outlive the bound."""

    def expire() -> None:
        print(json.dumps({"benchmark": benchmark, "error": "watchdog: run exceeded --timeout-seconds"}))
        sys.stdout.flush()
        os._exit(2)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)
