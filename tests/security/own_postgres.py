"""A throwaway PostgreSQL cluster of a test's own, to stop and start at will.

Built from the binaries the pgserver package ships (a project dependency), so it needs no
system PostgreSQL; run as the unprivileged `pgserver` user when the tests run as root, as
pgserver does. It listens on 127.0.0.1 on a free port; the machine's shared server is
never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnPostgres:
    def __init__(self) -> None:
        with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR; unused here
            warnings.simplefilter("ignore")
            from pgserver._commands import POSTGRES_BIN_PATH

        self.bin = Path(POSTGRES_BIN_PATH)
        self.directory = Path(tempfile.mkdtemp(prefix="crm-own-pg-"))
        self.pgdata = self.directory / "pgdata"
        self.log = self.directory / "server.log"
        self.port = free_port()
        self.user: str | None = None
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            from pgserver.utils import ensure_folder_permissions, ensure_user_exists

            self.user = "pgserver"
            entry = ensure_user_exists(self.user)
            ensure_folder_permissions(self.bin, 0o055)  # read and execute for others
            ensure_folder_permissions(self.bin.parent / "lib", 0o044)
            self.directory.chmod(0o755)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)

    def url(self, database: str = "crm") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
            user=self.user,
        )

    def init(self) -> OwnPostgres:
        self._run("initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust",
                  "--encoding=utf8", "--no-sync")  # fmt: skip
        self.start()
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE crm")
        return self

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.directory} -c fsync=on"
        self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-w", "-t", "60",
                  "-o", options, "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; `immediate` is a crash: no checkpoint, recovery from WAL."""
        self._run("pg_ctl", "-D", str(self.pgdata), "-w", "-m", mode, "stop")

    def is_running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.is_running():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def wait_accepting(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError("own PostgreSQL did not come back")
