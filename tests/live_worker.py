"""A real Celery worker process for integration tests.

The worker runs against the test database (tests using it must be `transaction=True`, so
that what they write is committed and visible to it) and the configured broker — Redis in
CI, the filesystem transport otherwise — on a queue of its own, so it never takes another
run's messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

from crm_site.celery import app


def database_url(name: str | None = None) -> str:
    """Return a URL for a database on the tests' server (default: the test database)."""
    params = connection.settings_dict
    name = name or params["NAME"]
    # The embedded server's URL names its socket directory as a query parameter, which
    # dj-database-url puts in OPTIONS, not HOST.
    host = params["HOST"] or params.get("OPTIONS", {}).get("host") or ""
    user = urllib.parse.quote(params["USER"] or "", safe="")
    if host.startswith("/"):  # a Unix socket directory (the embedded PostgreSQL)
        return f"postgresql://{user}@/{name}?host={urllib.parse.quote(host, safe='')}"
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgresql://{user}@{host}{port}/{name}"


class LiveWorker:
    def __init__(
        self,
        log_path: Path,
        concurrency: int = 2,
        *,
        queue: str | None = None,
        env: dict[str, str] | None = None,
    ):
        self.queue = queue or f"test-{uuid.uuid4().hex[:10]}"
        self.log_path = log_path
        self.concurrency = concurrency
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self._saved_queue = app.conf.task_default_queue

    def start(self) -> LiveWorker:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CRM_VAR_DIR": str(settings.VAR_DIR),
            **self.extra_env,
        }
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "crm_site",
                "worker",
                "--loglevel",
                "info",
                "--concurrency",
                str(self.concurrency),
                "--queues",
                self.queue,
                "--hostname",
                f"{self.queue}@%h",
                "--without-gossip",
                "--without-mingle",
            ],  # fmt: skip
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so kill() takes the children too
        )
        app.conf.task_default_queue = self.queue
        app.conf.task_always_eager = False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.log_path.read_text()}")
            if " ready." in self.log_path.read_text():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        app.conf.task_default_queue = self._saved_queue
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def kill(self) -> None:
        """Kill the worker and its pool processes at once (SIGKILL): no shutdown, no acks."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text()
