"""Rows that repeat their owner's key, so that a cluster can place them beside it.

On a Citus cluster (docs/scale.md) every per-member table is distributed by its member and
a row lives on the same shard as its parent: a basket's lines, a list's items, a ledger
entry's lot uses, a certificate's uses. Each such child therefore repeats the parent's key.
The bulk writers (the import, the list run, the ledger's statements) write it in their SQL;
`Placed` fills it for every row written through the ORM (the till, the admin, the demo,
the tests' factories), in `save()` and in `bulk_create()` alike, so no caller has to know.
"""

from __future__ import annotations

from django.db import models


class PlacedQuerySet(models.QuerySet):
    """`bulk_create` that fills each new row's placement key first, as `save()` does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.fill_placement()
        return super().bulk_create(objs, *args, **kwargs)


class Placed(models.Model):
    """A model whose rows carry a placement key; subclasses say how to fill it."""

    objects = PlacedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_placement()
        super().save(*args, **kwargs)

    def fill_placement(self) -> None:
        """Set the key from the row or its parent when it is not set yet."""
        raise NotImplementedError


def copied_from_parent(obj: models.Model, *, field: str, parent: str, parent_field: str) -> None:
    """Copy `parent.parent_field` into `obj.field` when it is not set yet."""
    if getattr(obj, field) is None:
        setattr(obj, field, getattr(getattr(obj, parent), parent_field))
