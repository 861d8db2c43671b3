"""Writes of a member's consent: one channel given or withdrawn, with its history and audit.

The member's current consent is a column per channel (`Member.consent_<channel>`), read by
every list and export; `ConsentChange` is its history (when, how, by whom) and the audit trail
says a staff user changed it. All three are written together, under a lock on the member's
row, so that two clerks pressing the same button at once record one change, not two.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.functions import Now

from apps.audit.models import AuditKind
from apps.audit.services import audit_record
from apps.members.models import Channel, ConsentChange, ConsentSource, Member
from apps.members.trail import request_without_card

NOTE_MAX = ConsentChange._meta.get_field("note").max_length


def consent_field(channel: str) -> str:
    """Return the Member field holding the channel's current consent; refuse an unknown one."""
    if channel not in Channel.values:
        raise ValueError(f"unknown consent channel {channel!r}")
    return f"consent_{channel}"


@transaction.atomic
def consent_set(
    member: Member,
    channel: str,
    given: bool,
    *,
    source: str,
    actor=None,
    note: str = "",
    request=None,
) -> ConsentChange | None:
    """Give or withdraw the member's consent to one channel; return the change, or None.

    Nothing is written when the consent already is `given` (a repeated click, a second clerk,
    a form saying what the chain already holds): the history keeps changes only. The member's
    row is locked first, so concurrent calls see each other's change. `request`, when the
    change comes from a page, gives the audit event its address and path.
    """
    field = consent_field(channel)
    if source not in ConsentSource.values:
        raise ValueError(f"unknown consent source {source!r}")
    if actor is not None and not actor.is_authenticated:
        actor = None
    locked = Member.objects.select_for_update().only("id", field).get(pk=member.pk)
    if getattr(locked, field) == given:
        setattr(member, field, given)
        return None
    Member.objects.filter(pk=member.pk).update(**{field: given, "updated_at": Now()})
    setattr(member, field, given)
    change = ConsentChange.objects.create(
        member_id=member.pk,
        channel=channel,
        given=given,
        source=source,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        note=note[:NOTE_MAX],
    )
    # The member by id only (an erasure replaces the card; the path's card too); no name,
    # address or note.
    if request is not None:
        request = request_without_card(request=request, member=member)
    audit_record(
        kind=AuditKind.CONSENT,
        request=request,
        actor=actor,
        object_type="member",
        object_id=str(member.pk),
        detail={"channel": channel, "given": given, "source": source, "change": change.pk},
    )
    return change
