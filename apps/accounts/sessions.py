"""Sessions in the database, as Django's own store keeps them, read with one written-out query.

Every signed-in request reads its session first; on the cashier's scan screen, the ORM's
building of that one `SELECT` cost more CPU than PostgreSQL's running it
(docs/performance.md). Same table, same rows, same rule (a session past its expiry date is
no session); writes, keys and expiry are Django's (`SESSION_ENGINE`).
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from apps.core import rows


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The live session row of this key, else None (and the key forgotten, as Django's)."""
        model = self.model
        table = model._meta.db_table
        with connections[router.db_for_read(model)].cursor() as cursor:
            cursor.execute(
                f"SELECT {rows.columns(model)} FROM {table} "
                f"WHERE {table}.session_key = %s AND {table}.expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return rows.instance(model, row)
