"""The README's run command: boots on an empty database, serves the login page, stops on Ctrl-C."""

from __future__ import annotations

import http.cookiejar
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psutil
import psycopg
import pytest
from django.conf import settings

from tests.live_worker import database_url

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scratch_database():
    """A fresh, empty database of its own, dropped afterwards."""
    name = f"crm_run_{uuid.uuid4().hex[:8]}"
    admin_url = database_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name, database_url(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reader(stream, lines: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)
    stream.close()


def _wait_for(lines: queue.Queue, output: list[str], pattern: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(re.search(pattern, line) for line in output):
            return True
        try:
            output.append(lines.get(timeout=0.5))
        except queue.Empty:
            continue
    return any(re.search(pattern, line) for line in output)


@pytest.fixture(params=["database_url", "embedded"])
def database_setting(request):
    """The run command against a DATABASE_URL, and with none (its own embedded server)."""
    if request.param == "embedded":
        yield None
        return
    yield request.getfixturevalue("scratch_database")[1]


def _embedded_servers(var_dir) -> list[psutil.Process]:
    return [
        process
        for process in psutil.process_iter(["name", "cmdline"])
        if process.info["name"] == "postgres"
        and str(var_dir) in " ".join(process.info["cmdline"] or [])
    ]


@pytest.fixture
def var_dir():
    """The run's var/ directory, outside pytest's own temp root.

    The embedded server runs as another user, which needs to reach its data directory;
    every pytest session resets its temp root (/tmp/pytest-of-<user>) to mode 0700, so a
    session starting alongside this test would lock the server out of its own files.
    """
    path = Path(tempfile.mkdtemp(prefix="crm-run-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.django_db
def test_run_command_boots_serves_and_stops_cleanly(database_setting, var_dir):
    url = database_setting
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url or "",
        "DEBUG": "1",
        "CRM_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CELERY_BROKER_URL", None)  # the default, server-less broker
    env.pop("SECRET_KEY", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_product",
            "--port",
            str(port),
            "--demo-members",
            "150",
            "--demo-weeks",
            "6",
        ],  # fmt: skip
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    output: list[str] = []
    threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
    try:
        # The banner comes last, once the worker is ready; start-up noise goes to the logs.
        assert _wait_for(lines, output, r"Press Ctrl-C to stop\.", 240), "".join(output)
        banner = "".join(output)
        assert "The Celery worker is ready." in banner
        assert "celery@" not in banner and "development server" not in banner, banner
        assert re.search(r"celery@\S+ ready", (var_dir / "log" / "worker.log").read_text())
        for role in ("admin", "marketing", "cashier", "manufacturer"):
            assert re.search(rf"^\s+{role}\s+\S+\s+\S+", banner, re.M), banner

        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/accounts/login/", timeout=10) as response:
            assert response.status == 200
            assert "Sign in" in response.read().decode()

        # The printed marketing login works and lands on the members of the demo data.
        username, password = re.search(r"^\s+marketing\s+(\S+)\s+(\S+)", banner, re.M).groups()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(base + "/accounts/login/", timeout=10).read()
        csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
        ).encode()
        request = urllib.request.Request(
            base + "/accounts/login/", data=form, headers={"Referer": base + "/accounts/login/"}
        )
        with opener.open(request, timeout=10) as response:
            assert response.status == 200
            assert response.url.rstrip("/").endswith("/members")
        content = opener.open(base + "/members/", timeout=10).read().decode()
        assert "150 members" in content

        # The printed till command works as printed: a till transaction, recorded once.
        target, secret, payload = re.search(
            r"^\s+curl -s -X POST (\S+) -H 'Authorization: Bearer (\S+)' "
            r"-H 'Content-Type: application/json' -d '(.+)'$",
            banner,
            re.M,
        ).groups()
        assert target == base + "/api/pos/checkout"
        till_request = urllib.request.Request(
            target,
            data=payload.encode(),
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
        answers = []
        for _ in range(2):
            with urllib.request.urlopen(till_request, timeout=10) as response:
                assert response.status == 200
                answers.append(response.read())
        assert answers[0] == answers[1]
        assert json.loads(answers[0])["transaction_id"] == json.loads(payload)["transaction_id"]
        if url is None:
            assert _embedded_servers(var_dir), "the embedded server runs under CRM_VAR_DIR"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    _wait_for(lines, output, r"Stopped\.", 5)
    assert process.returncode == 0, "".join(output[-40:])
    assert "Stopped." in "".join(output)
    assert _embedded_servers(var_dir) == []  # nothing left running
