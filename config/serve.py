"""`make run`: prepare the database, then run the web app and the queue worker in the foreground.

Ctrl-C (or SIGTERM) stops both, and the embedded database too if this command started it.
"""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stop-database", action="store_true", help="Stop the embedded database and exit.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from config import embedded_postgres

    embedded_pgdata = _embedded_pgdata(settings)
    if args.stop_database:
        if embedded_pgdata:
            embedded_postgres.stop(pgdata=embedded_pgdata)
            print("Embedded database stopped.")
        return 0

    database_was_running = embedded_pgdata is None or embedded_postgres.is_running(pgdata=embedded_pgdata)
    call_command("collectstatic", interactive=False, verbosity=0)  # fast when nothing changed
    call_command("migrate", interactive=False, verbosity=0)
    call_command("setup_demo")

    # Every gunicorn worker counts its own requests: prometheus-client's multiprocess mode adds them up
    # from files in this folder, emptied at start (counters begin at 0 with the new processes).
    metrics_dir = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or BASE_DIR / "var" / "prometheus")
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()
    web_env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}

    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    python = sys.executable
    children = [
        subprocess.Popen(
            [
                str(Path(python).parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                os.environ.get("WEB_CONCURRENCY", "3"),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
            cwd=BASE_DIR,
            env=web_env,
        ),
        subprocess.Popen([python, "manage.py", "qcluster"], cwd=BASE_DIR),
    ]
    print(f"\nSupport AI is running at http://{host}:{port}/  (API docs: /api/docs/, admin: /admin/)")
    print("Agents work the queue at /queue/; leads read the AI dashboard at /dashboard/.")
    print("Press Ctrl-C to stop.\n", flush=True)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)  # set explicitly: a background job starts with SIGINT ignored
    interrupted = False
    try:
        os.wait()  # returns when either child exits; Ctrl-C or SIGTERM interrupts it
        print("A child process exited; stopping the others.", file=sys.stderr)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded_pgdata and not database_was_running:
            embedded_postgres.stop(pgdata=embedded_pgdata)
        print("Stopped.")
    return 0 if interrupted else 1


def _embedded_pgdata(settings) -> Path | None:
    options = settings.DATABASES["default"].get("OPTIONS_EMBEDDED")
    return Path(options["PGDATA"]) if options else None


if __name__ == "__main__":
    sys.exit(main())
