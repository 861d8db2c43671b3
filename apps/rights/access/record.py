"""Reads of a member's complete record: find the member, count, fetch and format it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext

from apps.lists.models import ShoppingList
from apps.members.models import Channel, ConsentChange, Member
from apps.rights.access.headings import column_heading
from apps.rights.access.registry import SECTIONS

FORMAT_VERSION = 1


def member_find(number: str) -> Member | None:
    """Return the member whose card number, or one of whose lists' barcode, is `number`."""
    member = Member.objects.filter(card_number=number).first()
    if member is None:
        shopping_list = ShoppingList.objects.filter(barcode=number).select_related("member").first()
        member = shopping_list.member if shopping_list is not None else None
    return member


def record_counts(member: Member) -> list[dict]:
    """Per section, its tables' row counts (one COUNT per table)."""
    return [
        {
            "key": section.key,
            "title": section.title,
            "why": section.why,
            "tables": [
                {"model": table.key, "title": table.title, "count": table.count(member)}
                for table in section.tables
            ],
        }
        for section in SECTIONS
    ]


def consent_now(member: Member) -> list[dict]:
    """Each channel's consent now, with the change that set it (if history has one)."""
    latest = {
        change.channel: change
        for change in ConsentChange.objects.filter(member=member)
        .order_by("channel", "-at", "-id")
        .distinct("channel")
    }
    return [
        {
            "channel": channel.label,
            "given": getattr(member, f"consent_{channel.value}"),
            "change": latest.get(channel.value),
        }
        for channel in Channel
    ]


def member_record(member: Member) -> dict:
    """The member's complete record: every section's tables with all their rows.

    One query per table; each row keeps every field of its model (ids included, so that
    a row can be found again) and the names of what its ids point at.
    """
    sections = []
    for section in SECTIONS:
        tables = []
        for table in section.tables:
            rows = table.fetch(member)
            tables.append(
                {
                    "model": table.key,
                    "title": table.title,
                    "fields": table.fields,
                    "count": len(rows),
                    "rows": rows,
                }
            )
        sections.append(
            {"key": section.key, "title": section.title, "why": section.why, "tables": tables}
        )
    return {
        "format": "loyalty-club member record",
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "member_id": member.pk,
        "status": member.status,
        "sections": sections,
    }


def record_row_counts(record: dict) -> dict[str, int]:
    """{model: rows} of a record, for the audit trail."""
    return {
        table["model"]: table["count"]
        for section in record["sections"]
        for table in section["tables"]
    }


class RecordEncoder(DjangoJSONEncoder):
    """ISO dates and times, decimals as strings (exact), everything else as JSON has it."""

    def default(self, o):
        if isinstance(o, dt.datetime):
            return o.isoformat()  # microseconds kept: DjangoJSONEncoder would cut them
        return super().default(o)


def record_json(record: dict) -> str:
    return json.dumps(record, cls=RecordEncoder, indent=1, ensure_ascii=False)


def _cell(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, cls=RecordEncoder, ensure_ascii=False)
    return str(value)


def record_for_html(record: dict) -> list[dict]:
    """The record's sections with each table's cells as text, for the printable page.

    The member's id is left out of every table but the profile: it is the same on each row.
    A table of one row comes as (field, value) pairs too, shown as a list.
    """
    sections = []
    for section in record["sections"]:
        tables = []
        for table in section["tables"]:
            columns = [
                name
                for name in table["fields"]
                if section["key"] == "profile" or name != "member_id"
            ]
            headings = [column_heading(name) for name in columns]
            cells = [[_cell(row.get(name)) for name in columns] for row in table["rows"]]
            # A single row (the profile, the balance, a tier) reads best as field: value.
            pairs = list(zip(headings, cells[0], strict=True)) if len(cells) == 1 else []
            tables.append({**table, "columns": headings, "cells": cells, "pairs": pairs})
        sections.append({**section, "tables": tables})
    return sections
