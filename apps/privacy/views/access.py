"""Privacy pages: access."""

from __future__ import annotations

urlpatterns: list = []
