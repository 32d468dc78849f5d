"""Ingest benchmark: concurrent authenticated POSTs to the real app under gunicorn on 127.0.0.1.

Prints one JSON line: accepted tickets/s, p50/p99 latency, errors, and whether every accepted ticket
is in the database. Uses its own database (`bench_ingest`, recreated each run) so it never touches
the demo data.

    .venv/bin/python bench/ingest.py [--requests 6000] [--concurrency 32] [--seconds 60] [--workers 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_database  # noqa: E402

DATABASE = "bench_ingest"


def setup_database() -> str:
    """Recreate the bench database, migrate it and return a fresh source API key."""
    bench_database(DATABASE)
    from tickets.services import source_create

    return source_create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}").api_key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def post(port: int, body: bytes, api_key: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {api_key}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # the server closes the connection after the response
    writer.close()
    return int(status_line.split()[1])


async def drive(
    *, port: int, api_key: str, total: int, concurrency: int, seconds: float, prefix: str = "B"
) -> dict:
    latencies: list[float] = []
    accepted_ids: list[str] = []
    errors: dict[str, int] = {}
    next_index = 0
    deadline = time.monotonic() + seconds

    async def client() -> None:
        nonlocal next_index
        while next_index < total and time.monotonic() < deadline:
            index = next_index
            next_index += 1
            external_id = f"{prefix}-{index}"
            body = json.dumps(
                {
                    "external_id": external_id,
                    "subject": f"Invoice {index} was charged twice",
                    "body": "Hello, my card was charged twice for last month's invoice. Please refund one. "
                    * 4,
                    "customer": {"external_id": f"cus_{index % 500}", "email": f"c{index % 500}@example.com"},
                    "channel": "email",
                }
            ).encode()
            started = time.perf_counter()
            try:
                status = await post(port, body, api_key)
            except OSError as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                continue
            latencies.append(time.perf_counter() - started)
            if status == 201:
                accepted_ids.append(external_id)
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "elapsed_s": round(elapsed, 2),
        "accepted": len(accepted_ids),
        "accepted_per_s": round(len(accepted_ids) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
        "errors": errors,
        "accepted_ids": accepted_ids,
    }


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    args = parser.parse_args()

    api_key = setup_database()
    port = free_port()
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "EMBEDDED_DATABASE_NAME": DATABASE},
    )
    try:
        wait_for_port(port)
        # Warm up: every worker opens its database connection and imports its code.
        asyncio.run(
            drive(
                port=port, api_key=api_key, total=50, concurrency=args.workers, seconds=30, prefix="warm-up"
            )
        )
        result = asyncio.run(
            drive(
                port=port,
                api_key=api_key,
                total=args.requests,
                concurrency=args.concurrency,
                seconds=args.seconds,
            )
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    from tickets.models import Ticket

    accepted_ids = result.pop("accepted_ids")
    stored = Ticket.objects.filter(external_id__in=accepted_ids).count()
    result.update(
        benchmark="ingest",
        web_workers=args.workers,
        concurrency=args.concurrency,
        all_accepted_stored=stored == len(accepted_ids),
        lost=len(accepted_ids) - stored,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
