"""Database backend: Django's PostgreSQL backend, pointed at the embedded server.

The server is started (if needed) when a connection is opened, not when settings are imported, so
`manage.py` commands that never touch the database start nothing, and a server that was stopped
while the app ran is started again on the next connection.
"""

import os
import subprocess
from pathlib import Path

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
            database=self.settings_dict["NAME"],
        )

    def get_connection_params(self):
        params = super().get_connection_params()
        params["host"] = self.embedded_server().socket_dir
        return params
