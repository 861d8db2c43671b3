"""A small import forced onto the bulk path, with the SQL it sent that begins a given way."""

from __future__ import annotations

from django.db import connection

from apps.baskets.importing import bulk_indexes, pos_import_dir
from tests.baskets.test_import import BASKETS, MEMBERS, PRODUCTS, write


def bulk_import_sent(tmp_path, monkeypatch, *, prefix: str) -> list[str]:
    """Import tests/baskets' three files as a bulk load (MIN_ROWS 0); return the statements
    it executed that begin with `prefix`."""
    sent: list[str] = []
    real_execute = connection.cursor().__class__.execute

    def spy(self, sql, params=None):
        if sql.startswith(prefix):
            sent.append(sql)
        return real_execute(self, sql, params)

    monkeypatch.setattr(bulk_indexes, "MIN_ROWS", 0)
    monkeypatch.setattr(connection.cursor().__class__, "execute", spy)
    for name, text in (("products.csv", PRODUCTS), ("members.csv", MEMBERS)):
        write(tmp_path, name, text)
    write(tmp_path, "baskets.csv", BASKETS)
    pos_import_dir(directory=tmp_path)
    return sent
