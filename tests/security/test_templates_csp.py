"""Templates and our JavaScript stay within the CSP: no inline script, handler or eval."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("apps/*/templates/**/*.html")])
SCRIPTS = sorted(ROOT.glob("static/js/**/*.js"))
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
EVAL = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|set(Timeout|Interval)\s*\(\s*['\"]")


def test_there_is_something_to_check():
    assert len(TEMPLATES) > 20 and len(SCRIPTS) >= 3


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_script(path):
    text = path.read_text()
    for attributes in SCRIPT_TAG.findall(text):
        # A script from a file, or JSON data (json_script writes the latter at run time).
        assert "src=" in attributes or "application/json" in attributes, (
            f"{path}: inline <script{attributes}>: move it to static/js/"
        )
    assert not HANDLER.search(text), f"{path}: inline event handler (onclick=…)"
    assert not JS_URL.search(text), f"{path}: javascript: URL"


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_script_needs_no_eval(path):
    assert not EVAL.search(path.read_text()), f"{path}: needs 'unsafe-eval'"
