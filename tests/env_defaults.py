"""Loaded with `-p` before Django's settings: the test suite's environment defaults.

Tests run with DEBUG off, as production does; they only need a throw-away secret key.
"""

import os

# Before local.env (written by `make` for development, DEBUG on) is read: it never wins over
# what is already set.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
