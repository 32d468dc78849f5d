"""The embedded PostgreSQL: started on demand, shared by processes that start at once, with pgvector."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import psycopg
import pytest

from config import embedded_postgres

ROOT = Path(__file__).resolve().parents[2]

START_AND_PRINT_SOCKET = """
import sys
from pathlib import Path
from config import embedded_postgres
server = embedded_postgres.ensure_running(pgdata=Path(sys.argv[1]), database="shared")
print(server.socket_dir)
"""


def postmasters_for(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and str(pgdata) in cmdline:
            found.append(process)
    return found


@pytest.fixture
def pgdata(tmp_path):
    path = tmp_path / "pgdata"
    yield path
    embedded_postgres.stop(pgdata=path)


def test_two_processes_starting_at_once_share_one_server(pgdata):
    def start():
        return subprocess.run(
            [sys.executable, "-c", START_AND_PRINT_SOCKET, str(pgdata)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: start(), range(2)))

    for result in results:
        assert result.returncode == 0, result.stderr
    sockets = {result.stdout.strip() for result in results}
    assert len(sockets) == 1
    assert len(postmasters_for(pgdata.resolve())) == 1

    server = embedded_postgres.ensure_running(pgdata=pgdata, database="shared")
    with psycopg.connect(f"host={server.socket_dir} user=postgres dbname=shared") as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        distance = conn.execute("SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector").fetchone()[0]
    assert distance == pytest.approx(1.0)


def test_a_stopped_server_is_started_again_on_the_next_connection(pgdata):
    embedded_postgres.ensure_running(pgdata=pgdata, database="app")
    embedded_postgres.stop(pgdata=pgdata)
    assert not embedded_postgres.is_running(pgdata=pgdata)

    server = embedded_postgres.ensure_running(pgdata=pgdata, database="app")
    with psycopg.connect(f"host={server.socket_dir} user=postgres dbname=app") as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
