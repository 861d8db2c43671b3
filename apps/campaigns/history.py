"""Readable change history of a campaign and its offers (django-simple-history records).

The records hold raw values ("approved_by: None → 2", "usage_tier: 1"); the page says
them as people do: names, labels, local times, dollars and tier names. The holdout seed is
left to the admin: it means nothing to the people who read the campaign page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.campaigns.models import CELL_LABELS, TIER_NAMES, Campaign, Offer

# Internal or folded into the headline ("Approved by marketing, 4 Dec 2026 15:12").
HIDDEN_FIELDS = ["updated_at", "created_at", "holdout_seed", "approved_at", "approved_by"]
MONEY_FIELDS = {"budget", "discount_value"}
PERCENT_FIELDS = {"holdout_pct", "redemption_rate_pct"}
HEADLINES = {"approved": _("Approved"), "active": _("Activated"), "ended": _("Ended")}
# "Campaign created", "Offer for low usage changed": one sentence each, for word order.
CAMPAIGN_EVENTS = {
    "created": _("Campaign created"),
    "changed": _("Campaign changed"),
    "deleted": _("Campaign deleted"),
}
OFFER_EVENTS = {
    "created": _("Offer for %(tier)s usage created"),
    "changed": _("Offer for %(tier)s usage changed"),
    "deleted": _("Offer for %(tier)s usage deleted"),
}


@dataclass
class Change:
    when: object
    who: str
    what: str
    changes: list[str] = field(default_factory=list)
    kind: str = ""  # created, changed or deleted


def user_name(user) -> str:
    """Return how a user is shown: their full name, else their user name."""
    if user is None:
        return gettext("system")
    return user.get_full_name() or user.get_username()


def local_time(moment: dt.datetime) -> str:
    """Return "4 Dec 2026 15:12" (DATETIME_FORMAT of the active language) in the chain's
    time zone."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


class _Names:
    """Look up the names behind the ids in history rows, once per id."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, int], str] = {}

    def get(self, kind: str, pk) -> str:
        if pk is None:
            return "—"
        key = (kind, pk)
        if key not in self.cache:
            self.cache[key] = self._load(kind, pk)
        return self.cache[key]

    def _load(self, kind: str, pk) -> str:
        from apps.agreements.models import ManufacturerAgreement
        from apps.catalog.models import Category

        model = {
            "category": Category,
            "agreement": ManufacturerAgreement,
            "user": get_user_model(),
        }[kind]
        found = model.objects.filter(pk=pk).first()
        if found is None:
            return gettext("#%(id)s (deleted)") % {"id": pk}
        return user_name(found) if kind == "user" else str(found)


def _value(model, name: str, value, names: _Names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name in {"category", "agreement"}:
        return names.get(name, value)
    if name in {"created_by", "approved_by"}:
        return names.get("user", value)
    if name == "target_cells":
        return "; ".join(str(CELL_LABELS.get(cell, cell)) for cell in value)
    if name == "usage_tier":
        return gettext("%(tier)s usage") % {"tier": TIER_NAMES.get(value, value)}
    if name == "upcs":
        return ", ".join(value)
    if name in MONEY_FIELDS and isinstance(value, Decimal):
        return f"${value:,.2f}"
    if name in PERCENT_FIELDS and isinstance(value, Decimal):
        return f"{value.normalize():f}%"
    if isinstance(value, dt.datetime):
        return local_time(value)
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    choices = dict(model._meta.get_field(name).flatchoices)
    if choices:
        return str(choices.get(value, value))
    if name == "shopper_text":
        return f"“{value}”"
    return str(value)


def _label(model, name: str) -> str:
    verbose = str(model._meta.get_field(name).verbose_name)
    return verbose[:1].upper() + verbose[1:]


def _describe(record, model, events: dict, tier, names: _Names) -> Change:
    kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
    who = user_name(record.history_user)
    what = str(events[kind]) % {"tier": tier} if tier is not None else str(events[kind])
    changes: list[str] = []
    previous = record.prev_record if record.history_type == "~" else None
    if previous is not None:
        delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS)
        for change in delta.changes:
            if change.field == "status" and change.new in HEADLINES:
                what = str(HEADLINES[change.new])
                if change.new == "approved" and getattr(record, "approved_at", None):
                    what = gettext("Approved by %(who)s, %(when)s") % {
                        "who": names.get("user", record.approved_by_id),
                        "when": local_time(record.approved_at),
                    }
            old = _value(model, change.field, change.old, names)
            new = _value(model, change.field, change.new, names)
            changes.append(
                gettext("%(field)s: %(old)s → %(new)s")
                % {"field": _label(model, change.field), "old": old, "new": new}
            )
    if record.history_change_reason:
        changes.append(record.history_change_reason)
    return Change(record.history_date, who, what, changes, kind)


def campaign_history(*, campaign: Campaign) -> list[Change]:
    """Return every change to the campaign and its offers, newest first, in plain words."""
    names = _Names()
    entries = [
        _describe(record, Campaign, CAMPAIGN_EVENTS, None, names)
        for record in campaign.history.select_related("history_user").all()
    ]
    for record in Offer.history.filter(campaign_id=campaign.pk).select_related("history_user"):
        tier = TIER_NAMES.get(record.usage_tier, record.usage_tier)
        entries.append(_describe(record, Offer, OFFER_EVENTS, tier, names))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return [entry for entry in entries if entry.changes or entry.kind != "changed"]
