"""The committed catalogs are current: `makemessages` on a clean checkout adds nothing to translate.

A string marked for translation but not in the catalog shows in English on a Chinese page;
the completeness test (tests/accounts/test_language.py) cannot see it, because it reads the
catalog as committed. This test copies the files git tracks (a clean checkout, whatever else
lies in the working tree) to a temporary directory, runs the documented `makemessages`
command there (docs/i18n.md) for each catalog, and asks gettext's own `msgattrib` for any
message left untranslated or fuzzy, and for any committed message no source uses any more.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
LOCALE = "zh_Hans"


def _clean_checkout(into: Path) -> Path:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=BASE, check=True, capture_output=True
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        source = BASE / os.fsdecode(name)
        if source.is_file():  # a file deleted in the working tree but not yet in git
            target = into / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


def _catalogs() -> list[str]:
    return sorted(p.stem for p in (BASE / "locale" / LOCALE / "LC_MESSAGES").glob("*.po"))


def _msgattrib(po: Path, *flags: str) -> str:
    return subprocess.run(
        ["msgattrib", *flags, str(po)], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    root = _clean_checkout(tmp_path_factory.mktemp("checkout"))
    env = {**os.environ, "DEBUG": "1"}
    for domain in _catalogs():
        done = subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", LOCALE, "-d", domain,
             "--ignore=.venv", "--ignore=node_modules", "--no-location"],
            cwd=root, env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, f"makemessages -d {domain} failed:\n{done.stderr}"
    return root


def test_there_are_catalogs():
    assert "django" in _catalogs()


@pytest.mark.parametrize("domain", _catalogs())
def test_makemessages_adds_nothing_to_translate(checkout, domain):
    po = checkout / "locale" / LOCALE / "LC_MESSAGES" / f"{domain}.po"
    left = _msgattrib(po, "--untranslated", "--no-obsolete") + _msgattrib(po, "--only-fuzzy")
    assert not left, f"{domain}.po: run makemessages and translate these (docs/i18n.md):\n{left}"


@pytest.mark.parametrize("domain", _catalogs())
def test_no_message_is_left_that_nothing_uses(checkout, domain):
    po = checkout / "locale" / LOCALE / "LC_MESSAGES" / f"{domain}.po"
    stale = _msgattrib(po, "--only-obsolete")
    assert not stale, f"{domain}.po keeps messages no source uses; drop them:\n{stale}"
