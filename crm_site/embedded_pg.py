"""An embedded PostgreSQL under var/ for machines with no database server.

Used only when DATABASE_URL is unset: the first process that needs the database starts
the server (pgserver ships the binaries), later processes reuse it, and the last one to
exit stops it.
"""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_NAME = "crm"

# Bulk imports and set-based analytics want more memory than PostgreSQL's defaults.
_TUNING = {
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "4GB",
    "synchronous_commit": "off",
}


def embedded_database_url(var_dir: Path) -> str:
    """Start (or reuse) the embedded server and return a URL for the project database."""
    runtime_dir = var_dir / "run"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    import pgserver  # imported lazily: only needed without DATABASE_URL

    server = pgserver.get_server(var_dir / "pgdata", cleanup_mode="stop")
    marker = var_dir / "pgdata" / ".crm-initialised"
    if not marker.exists():
        statements = [f"ALTER SYSTEM SET {key} = '{value}';" for key, value in _TUNING.items()]
        server.psql("\n".join(statements) + "\nSELECT pg_reload_conf();")
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        marker.touch()
    return server.get_uri(DATABASE_NAME)


def embedded_stop(var_dir: Path) -> None:
    """Stop the embedded server now (fast shutdown), e.g. when `make run` ends.

    pgserver stops the server when the last process that used it exits, but processes that
    end without running their exit handlers (Celery's pool) stay on its list, so the
    launcher stops it explicitly once everything it started has stopped.
    """
    import pgserver
    from pgserver._commands import pg_ctl

    server = pgserver.get_server(var_dir / "pgdata", cleanup_mode="stop")
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)
