"""Database backend: Django's PostgreSQL backend, pointed at the embedded server.

The server is started (if needed) when a connection is opened, not when settings are imported, so
`manage.py` commands that never touch the database start nothing, and a server that was stopped
while the app ran is started again on the next connection.
"""

import os
import subprocess
from pathlib import Path

import psycopg
from django.db.backends.postgresql import base, client

from config import embedded_postgres


class DatabaseClient(client.DatabaseClient):
    """`manage.py dbshell` with the embedded server's own psql, on its socket."""

    def runshell(self, parameters):
        server = self.connection.embedded_server()
        settings_dict = {**self.connection.settings_dict, "HOST": server.socket_dir}
        args, env = self.settings_to_cmd_args_env(settings_dict, parameters)
        args[0] = str(server.psql_path)
        subprocess.run(args, env={**os.environ, **(env or {})}, check=True)


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def embedded_server(self) -> embedded_postgres.EmbeddedServer:
        return embedded_postgres.ensure_running(
            pgdata=Path(self.settings_dict["OPTIONS_EMBEDDED"]["PGDATA"]),
            # NAME is None for Django's connection to the maintenance database ("postgres").
            database=self.settings_dict["NAME"] or "postgres",
        )

    def get_connection_params(self):
        params = super().get_connection_params()
        try:
            params["host"] = self.embedded_server().socket_dir
        except embedded_postgres.EmbeddedServerUnavailable as error:
            # As a driver error, Django raises it as django.db.OperationalError like any unreachable
            # database: the API answers 503 and the worker retries, instead of crashing with a 500.
            raise psycopg.OperationalError(str(error)) from error
        return params
