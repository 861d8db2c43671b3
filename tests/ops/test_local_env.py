"""local.env: what `make` writes for development, and how settings read it.

After `make run` or `make test`, `.venv/bin/python manage.py …` must work with nothing
typed in front (DEBUG on, a generated secret key); the environment still wins, and a host
without the file (production) still refuses to start without a SECRET_KEY.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

PRINT_SETTINGS = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"


def manage_shell(*, local_env: str, **env: str) -> subprocess.CompletedProcess:
    """Print DEBUG and SECRET_KEY as a fresh `manage.py` process sees them."""
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    # Settings only parse the URL here; nothing connects to it.
    base |= {"LOCAL_ENV_FILE": local_env, "DATABASE_URL": "postgres://127.0.0.1/unused"}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRINT_SETTINGS],
        cwd=settings.BASE_DIR,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def written_by_make(tmp_path):
    target = tmp_path / "local.env"
    done = subprocess.run(
        ["make", "--no-print-directory", f"LOCAL_ENV={target}", str(target)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return target


def test_make_writes_debug_and_a_generated_secret_readable_only_by_its_owner(written_by_make):
    lines = dict(
        line.split("=", 1)
        for line in written_by_make.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert lines["DEBUG"] == "1"
    assert len(lines["SECRET_KEY"]) >= 50
    assert written_by_make.stat().st_mode & 0o077 == 0


def test_manage_py_runs_with_nothing_typed_in_front(written_by_make):
    secret = dict(
        line.split("=", 1) for line in written_by_make.read_text().splitlines() if "=" in line
    )["SECRET_KEY"]
    done = manage_shell(local_env=str(written_by_make))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", secret]


def test_the_environment_wins_over_the_file(written_by_make):
    done = manage_shell(local_env=str(written_by_make), DEBUG="0", SECRET_KEY="from-the-env")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "from-the-env"]


def test_without_the_file_production_refuses_to_start_without_a_secret_key(tmp_path):
    for local_env in ("", str(tmp_path / "absent.env")):
        done = manage_shell(local_env=local_env)
        assert done.returncode != 0
        assert "SECRET_KEY must be set when DEBUG is off" in done.stderr
