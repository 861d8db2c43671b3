"""Fault tests: a broker of the test's own, killed workers, restarted servers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.live_worker import database_url

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of the test's own, persisting every write (AOF, fsync always).

    The faults tested here are the broker's: it must be ours to restart, and the machine's
    Redis keeps nothing on disk (`--appendonly no`), so a restart of it loses its queues.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.alive():
                return self
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def alive(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=2).ping()
        except redis.exceptions.ConnectionError:
            return False

    def cli(self, *args: str) -> str:
        import redis

        try:
            reply = redis.Redis(port=self.port, socket_timeout=2).execute_command(*args)
        except redis.exceptions.ConnectionError:
            return ""
        return reply.decode() if isinstance(reply, bytes) else str(reply)


@pytest.fixture
def own_redis(tmp_path):
    if not Path(REDIS_SERVER).exists():
        pytest.fail("redis-server is needed for the broker fault tests (apt install redis-server)")
    server = OwnRedis(tmp_path).start()
    yield server
    server.stop()


def django_run(code: str, *, broker_url: str, queue: str) -> str:
    """Run Python code in a new Django process on the test database, broker and queue."""
    script = "import django; django.setup()\n" + code
    env = {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_SETTINGS_MODULE": "crm_site.settings",
        "CRM_VAR_DIR": str(settings.VAR_DIR),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
