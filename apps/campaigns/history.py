"""Readable change history of a campaign and its offers (django-simple-history records)."""

from __future__ import annotations

from dataclasses import dataclass

from apps.campaigns.models import Campaign, Offer


@dataclass
class Change:
    when: object
    who: str
    what: str
    changes: list[str]


def _describe(record, label: str) -> Change:
    kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
    changes: list[str] = []
    previous = record.prev_record if record.history_type == "~" else None
    if previous is not None:
        delta = record.diff_against(previous, excluded_fields=["updated_at"])
        for change in delta.changes:
            changes.append(f"{change.field}: {change.old!s} → {change.new!s}")
    user = record.history_user
    return Change(record.history_date, str(user) if user else "system", f"{label} {kind}", changes)


def campaign_history(*, campaign: Campaign) -> list[Change]:
    """Return every change to the campaign and its offers, newest first."""
    entries = [
        _describe(record, "Campaign")
        for record in campaign.history.select_related("history_user").all()
    ]
    for record in Offer.history.filter(campaign_id=campaign.pk).select_related("history_user"):
        entries.append(_describe(record, f"Offer for tier {record.usage_tier}"))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return [entry for entry in entries if entry.changes or "changed" not in entry.what]
