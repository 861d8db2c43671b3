"""PostgreSQL goes away while the app serves: 503s, recovery by itself, no answered till lost.

The live test runs the real thing: a PostgreSQL cluster of its own, gunicorn serving the
app from it, tills posting checkouts throughout; the cluster is crashed (immediate stop,
no checkpoint) and started again, and the app is never restarted.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import RequestFactory

from apps.accounts.errors import is_database_outage, server_error
from tests.security.own_postgres import OwnPostgres, free_port

# -- The handler, in-process ---------------------------------------------------------------


def refused_connection_error() -> psycopg.OperationalError:
    """A real error of a client that reaches no server (nothing listens on the port)."""
    try:
        psycopg.connect(f"postgres://postgres@127.0.0.1:{free_port()}/x", connect_timeout=5)
    except psycopg.OperationalError as exc:
        return exc
    raise AssertionError("a server answered on a free port")


def handle(path: str, exc: BaseException):
    request = RequestFactory().get(path)
    try:
        raise exc
    except BaseException:  # noqa: BLE001 - handler500 runs inside Django's except block
        return server_error(request)


def test_outage_errors_are_told_from_other_database_errors():
    refused = refused_connection_error()
    wrapped = OperationalError(str(refused))
    wrapped.__cause__ = refused
    assert is_database_outage(refused)
    assert is_database_outage(wrapped)  # as Django raises it
    assert is_database_outage(psycopg.errors.AdminShutdown("terminating connection"))
    assert not is_database_outage(psycopg.errors.DeadlockDetected("deadlock detected"))
    assert not is_database_outage(psycopg.errors.QueryCanceled("statement timeout"))
    assert not is_database_outage(ValueError("not the database"))


def test_pages_get_the_503_page_and_the_api_json():
    page = handle("/members/", refused_connection_error())
    assert page.status_code == 503
    assert page["Retry-After"] == str(settings.DATABASE_OUTAGE_RETRY_AFTER)
    assert b"temporarily unavailable" in page.content
    api = handle("/api/pos/checkout", refused_connection_error())
    assert (api.status_code, api["Content-Type"]) == (503, "application/json")
    assert "same transaction id" in json.loads(api.content)["error"]
    other = handle("/members/", ValueError("a bug"))
    assert other.status_code == 500


# -- The live outage -----------------------------------------------------------------------

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from apps.accounts.models import Role, User
from apps.baskets.models import Store
from apps.checkout.services import till_token_create
store = Store.objects.create(code="S01", name="Store 1")
_, secret = till_token_create(store=store, name="Lane 1")
user = User.objects.create_user("cashier", password="a-long-cashier-password", role=Role.CASHIER)
client = Client()
client.force_login(user)
print(secret, client.cookies["sessionid"].value)
"""


def http(base: str, method: str, path: str, *, body=None, headers=None):
    """Return (status, headers, body); status None when no HTTP answer came at all."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, {}, b""


def wait_until(condition, *, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail saying `what` did not happen within `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.05)


class Till:
    """Posts checkouts, each with a new transaction id, and keeps every answer."""

    def __init__(self, base: str, secret: str):
        self.base = base
        self.headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        self.answers: dict[str, list[tuple[int | None, bytes]]] = {}
        self.count = 0
        self.lock = threading.Lock()  # the seller thread records while the test reads

    def first_answers(self) -> list[int | None]:
        """The status of each transaction's first try, in the order they were sent."""
        with self.lock:
            return [tries[0][0] for tries in self.answers.values()]

    def count_first(self, *, answered: bool) -> int:
        """How many transactions were answered 200 (or refused) on their first try."""
        return sum((status == 200) == answered for status in self.first_answers())

    def checkout(self, transaction_id: str | None = None):
        if transaction_id is None:
            self.count += 1
            transaction_id = f"L-{self.count:05d}"
        body = {
            "transaction_id": transaction_id,
            "store": "S01",
            "scanned": "",
            "purchased_at": "2026-03-05T10:00:00-06:00",
            "lines": [{"upc": "000000000011", "quantity": 1, "unit_price": "1.00"}],
        }
        status, headers, content = http(
            self.base, "POST", "/api/pos/checkout", body=body, headers=self.headers
        )
        with self.lock:
            self.answers.setdefault(transaction_id, []).append((status, content))
        return status, headers, content


@pytest.fixture
def own_postgres():
    server = OwnPostgres().init()
    yield server
    server.destroy()


@pytest.fixture
def app_on_own_postgres(own_postgres):
    """gunicorn serving the app from the own cluster, with the production settings and
    gunicorn configuration (gthread; 2 workers × 4 threads, each thread its own connection)."""
    var_dir = Path(tempfile.mkdtemp(prefix="crm-outage-var-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "STATIC_MANIFEST")}
    env |= {
        "DATABASE_URL": own_postgres.url(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOCAL_ENV_FILE": "",  # production: no development local.env
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback
        "STATIC_MANIFEST": "0",
        "CRM_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "crm_site.settings",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "4",
    }
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    secret, session = setup.stdout.split()
    port = free_port()
    log = open(var_dir / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "crm_site/gunicorn_conf.py",
         "-b", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while http(base, "GET", "/accounts/login/")[0] != 200:
        assert server.poll() is None, (var_dir / "gunicorn.log").read_text()
        assert time.monotonic() < deadline, "gunicorn did not start"
        time.sleep(0.3)
    yield {
        "base": base, "secret": secret, "server": server, "log": var_dir / "gunicorn.log",
        "cookie": {"Cookie": f"sessionid={session}"}, "db": own_postgres,
    }  # fmt: skip
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    log.close()
    shutil.rmtree(var_dir, ignore_errors=True)


@pytest.mark.slow
def test_database_outage_503_recovery_and_no_lost_checkout(app_on_own_postgres):
    app = app_on_own_postgres
    base, cookie, db = app["base"], app["cookie"], app["db"]
    page = "/members/lookup/"  # a cashier's page: the session and user come from the database
    till = Till(base, app["secret"])
    for _ in range(5):
        assert till.checkout()[0] == 200
    assert http(base, "GET", page, headers=cookie)[0] == 200

    # A till keeps selling through the outage.
    stop_selling = threading.Event()

    def sell():
        while not stop_selling.is_set():
            till.checkout()
            time.sleep(0.05)

    seller = threading.Thread(target=sell)
    seller.start()
    try:
        # Conditions, not sleeps: a loaded machine only takes longer to meet them.
        before = till.count_first(answered=True)
        wait_until(
            lambda: till.count_first(answered=True) >= before + 3,
            timeout=60, what="the till selling 3 more checkouts before the outage",
        )  # fmt: skip
        db.stop(mode="immediate")  # a crash: committed work must come back from the WAL

        # Every request is answered, with a 503: the page for people, JSON for the API.
        for _ in range(4):  # enough to reach both workers
            status, headers, content = http(base, "GET", page, headers=cookie)
            assert status == 503, content[:500]
            assert headers.get("Retry-After") == "30"
            assert b"The CRM is temporarily unavailable" in content
            status, headers, content = Till(base, app["secret"]).checkout("PROBE")
            assert status == 503, content[:500]
            assert headers.get("Content-Type") == "application/json"
            assert headers.get("Retry-After") == "30"
            assert "database is unavailable" in json.loads(content)["error"]
        wait_until(
            lambda: till.count_first(answered=False) >= 3,
            timeout=60, what="the till being refused 3 checkouts during the outage",
        )  # fmt: skip

        db.start()
        db.wait_accepting()
        # Back by itself: no restart of the app, the next requests are answered again.
        wait_until(
            lambda: http(base, "GET", page, headers=cookie)[0] == 200,
            timeout=60, what="the app answering 200 again after the database came back",
        )  # fmt: skip
        for _ in range(6):
            assert http(base, "GET", page, headers=cookie)[0] == 200
        after = till.count_first(answered=True)
        wait_until(
            lambda: till.count_first(answered=True) >= after + 3,
            timeout=60, what="the till selling 3 more checkouts after the recovery",
        )  # fmt: skip
    finally:
        stop_selling.set()
        seller.join(timeout=60)
    assert app["server"].poll() is None
    assert app["log"].read_text().count("Booting worker") == 2  # no worker was replaced

    answered = {tid for tid, tries in till.answers.items() if tries[0][0] == 200}
    refused = {tid for tid, tries in till.answers.items() if tries[0][0] != 200}
    assert {status for tid in refused for status, _ in till.answers[tid]} <= {503, None}
    assert len(refused) >= 3, "the outage did not reach the till"
    assert len(answered) >= 8
    print(f"answered {len(answered)}, refused {len(refused)} during the outage")

    # Every checkout that was answered 200 is in the database, with the answer given.
    with psycopg.connect(db.url()) as conn:
        stored = dict(
            conn.execute(
                "SELECT transaction_id, response FROM checkout_postransaction"
                " WHERE transaction_id LIKE 'L-%%'"
            ).fetchall()
        )
    missing = answered - set(stored)
    assert not missing, f"answered 200 but lost: {sorted(missing)}"
    for tid in answered:
        first = json.loads(till.answers[tid][0][1])
        assert stored[tid] == first

    # The till sends the refused ones again (same ids): each is recorded exactly once.
    for tid in sorted(refused):
        assert till.checkout(tid)[0] == 200
    with psycopg.connect(db.url()) as conn:
        rows = conn.execute(
            "SELECT count(*), count(DISTINCT transaction_id) FROM checkout_postransaction"
            " WHERE transaction_id LIKE 'L-%%'"
        ).fetchone()
    assert rows == (len(till.answers), len(till.answers))
