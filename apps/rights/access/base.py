"""The shape of a member's record: sections of tables, each table one model's rows.

A `Table` names its model and how to find the member's rows of it in one query (never one
query per row: a member may have thousands of basket lines). A `Section` groups the tables
that answer one question a member may ask ("what did I buy?") and says why the chain holds
them. `apps.rights.access.registry` lists the sections; a test fails when a model that
refers to a member is in none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet

from apps.members.models import Member


@dataclass(frozen=True)
class Table:
    """One model's rows about a member: every concrete field, plus names of what ids mean."""

    model: type[Model]
    title: str
    rows: Callable[[Member], QuerySet]
    # Lookups beside the fields, so that a reader need not know what store 7 is.
    extra: tuple[str, ...] = ()
    # Fields left out, each for a reason given in the table's module (never the member's own).
    omit: tuple[str, ...] = ()
    # Applied to each fetched row: removes what is about other people (see trail.py).
    clean: Callable[[dict, Member], dict] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def key(self) -> str:
        """The JSON key of the table: the model's label in lower case, e.g. "baskets.basket"."""
        return self.model._meta.label_lower

    @property
    def fields(self) -> list[str]:
        own = [f.attname for f in self.model._meta.concrete_fields if f.attname not in self.omit]
        return [*own, *self.extra]

    def fetch(self, member: Member) -> list[dict]:
        """Return the member's rows, ordered, in one query."""
        rows = list(self.rows(member).values(*self.fields))
        if self.clean is not None:
            rows = [self.clean(row, member) for row in rows]
        return rows

    def count(self, member: Member) -> int:
        return self.rows(member).count()


@dataclass(frozen=True)
class Section:
    """Tables that answer one question, with why the chain holds them."""

    key: str
    title: str
    why: str
    tables: tuple[Table, ...]
