"""Model instances from rows of hand-written SQL, for the reads on a till's hot path.

Building a query costs the ORM far more CPU than running it: on the cashier's scan screen
it was a third of the request's CPU (docs/performance.md). The reads there keep the SQL the
ORM wrote, written out once, and turn each row back into the same instances the ORM would
give: the model's concrete fields in their order, through `Model.from_db`, with the same
converters (a JSONField's text parsed, say), and `select_related` objects cached on them.
"""

from __future__ import annotations

from functools import cache

from django.db import connection


@cache
def columns(model, alias: str | None = None) -> str:
    """The select list of `model`'s concrete fields in model order, `alias`."column", …"""
    alias = alias or f'"{model._meta.db_table}"'
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


@cache
def _converters(model) -> tuple[tuple[int, tuple, object], ...]:
    """(position, converters, expression) of the fields whose values the ORM converts."""
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        col = field.get_col(model._meta.db_table)
        converters = (*connection.ops.get_db_converters(col), *field.get_db_converters(connection))
        if converters:
            found.append((position, converters, col))
    return tuple(found)


def instance(model, row, start: int = 0):
    """The `model` instance of the row's columns from `start` (as listed by `columns`)."""
    width = len(model._meta.concrete_fields)
    values = list(row[start : start + width])
    for position, converters, col in _converters(model):
        for convert in converters:
            values[position] = convert(values[position], col, connection)
    return model.from_db(connection.alias, None, values)


def width(model) -> int:
    """How many columns `columns(model)` selects."""
    return len(model._meta.concrete_fields)


@cache
def _insert_sql(model, names: tuple[str, ...]) -> str:
    table = model._meta.db_table
    targets = ", ".join(f'"{model._meta.get_field(name).column}"' for name in names)
    marks = ", ".join(["%s"] * len(names))
    return f'INSERT INTO "{table}" ({targets}) VALUES ({marks}) RETURNING {columns(model)}'


def insert(model, **values):
    """Insert one row of `model` and return the instance the ORM's `create` would (its
    database defaults read back by RETURNING), in one written-out statement.

    Each value goes through its field's `get_db_prep_save`, as the ORM's insert does (a
    dict to jsonb, an address to inet); fields not named take their database default, so
    every field without one must be named. No `save()` and no model signals: for tables
    whose rows nothing listens to (the audit trail's).
    """
    names = tuple(values)
    params = [
        model._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, names), params)
        row = cursor.fetchone()
    return instance(model, row)


class Rows:
    """The rows of one hand-written statement as `model` instances (`columns(model)` first),
    the columns after those set on each as the attributes `extra` names.

    Iterating runs the statement; `explain()` answers as a QuerySet's does, so a test can
    check the plan of the SQL that actually runs.
    """

    def __init__(self, model, sql: str, params, extra: tuple[str, ...] = ()) -> None:
        self.model, self.sql, self.params, self.extra = model, sql, params, extra

    def __iter__(self):
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            fetched = cursor.fetchall()
        own = width(self.model)
        for row in fetched:
            found = instance(self.model, row)
            for name, value in zip(self.extra, row[own:], strict=True):
                setattr(found, name, value)
            yield found

    def explain(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {self.sql}", self.params)
            return "\n".join(row[0] for row in cursor.fetchall())
