"""Loaded with `-p` before Django's settings: the test suite's environment defaults.

Tests run with DEBUG off, as production does; they only need a throw-away secret key.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
