"""Schema changes that a Citus coordinator accepts as well as plain PostgreSQL.

Citus refuses `ALTER TABLE … ADD COLUMN … CHECK (…)`: every constraint of a table it
manages must have an explicit name. Django writes a positive integer field's check inline
when it adds the column; on Citus the column is added without it and the check follows as a
named constraint. On plain PostgreSQL nothing differs.
"""

from __future__ import annotations

from django.db.backends.postgresql import schema

from apps.core.citus import is_citus


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def add_field(self, model, field):
        check = field.db_parameters(connection=self.connection)["check"]
        if not check or not is_citus(self.connection):
            return super().add_field(model, field)
        inline_check = self.sql_check_constraint
        self.sql_check_constraint = ""  # the column alone …
        try:
            super().add_field(model, field)
        finally:
            self.sql_check_constraint = inline_check
        name = self._create_index_name(model._meta.db_table, [field.column], suffix="_check")
        self.execute(self._create_check_sql(model, name, check))  # … then its named check
