"""Django's model backend, the signed-in user read with one written-out query.

Every signed-in request reads its user after its session (apps/accounts/sessions.py); on
the cashier's scan screen the ORM's building of that `SELECT` cost about three times
PostgreSQL's answer to it (docs/performance.md). Same table, same row, same rule (an
inactive user is no user); sign-in, passwords and permissions are Django's.
"""

from __future__ import annotations

from django.contrib.auth import backends

from apps.accounts.models import User
from apps.core import rows

_USER_SQL = f"SELECT {rows.columns(User)} FROM accounts_user WHERE accounts_user.id = %s"


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        """The active user of this id, else None, as Django's backend answers."""
        # The session keeps the id as text; the ORM would make it the key's type first.
        user_id = User._meta.pk.to_python(user_id)
        user = next(iter(rows.Rows(User, _USER_SQL, [user_id])), None)
        return user if user is not None and self.user_can_authenticate(user) else None
