import psycopg
from django.db.backends.postgresql import base

from apps.core.postgres.schema import DatabaseSchemaEditor


def _is_script(query) -> bool:
    """Whether the SQL text holds more than one statement (a `;` before its end)."""
    return isinstance(query, str) and ";" in query.strip().rstrip(";")


class ServerBindingCursor(base.ServerBindingCursor):
    """Django's server-side binding cursor, but a script with parameters is bound on the
    client, as before server-side binding: PostgreSQL's extended protocol takes one
    statement per parameterized query ("cannot insert multiple commands into a prepared
    statement"), and the erasure and retention steps send several at once. A script has
    no parameters left, goes by the simple protocol, and psycopg never prepares it.
    """

    def execute(self, query, params=None, **kwargs):
        if params is not None and _is_script(query):
            query, params = psycopg.ClientCursor(self.connection).mogrify(query, params), None
        return super().execute(query, params, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if connection.cursor_factory is base.ServerBindingCursor:
            connection.cursor_factory = ServerBindingCursor
        return connection
