"""The member's points: the ledger, its lots, the balance, tiers, certificates and their uses."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.members.models import Member
from apps.rewards.models import (
    CertificateUse,
    LotUse,
    MemberTier,
    PointsBalance,
    PointsEntry,
    RebateCertificate,
    TierChange,
)
from apps.rights.access.base import Section, Table
from apps.rights.access.shopping import member_basket_ids


def _lot_uses(member: Member):
    # Lists, not subqueries, so that both index scans are used (see member_basket_ids).
    entries = list(PointsEntry.objects.filter(member=member).values_list("id", flat=True))
    return LotUse.objects.filter(Q(consumer_id__in=entries) | Q(lot_id__in=entries)).order_by(
        "consumer_id", "lot_id"
    )


def _certificate_uses(member: Member):
    certificates = list(
        RebateCertificate.objects.filter(member=member).values_list("id", flat=True)
    )
    baskets = member_basket_ids(member)
    return CertificateUse.objects.filter(
        Q(certificate_id__in=certificates)
        | Q(basket_id__in=baskets)
        | Q(returned_in_id__in=baskets)
    ).order_by("created_at", "id")


SECTION = Section(
    key="points",
    title=_("Points, tiers and rebate certificates"),
    why=_(
        "The points the member earned, spent, lost to expiry or had converted, each movement "
        "with its reason; the balance; the status tier their spend reached and its history; "
        "the year-end certificates and where they were used. Kept as a ledger so that every "
        "point can be accounted for."
    ),
    tables=(
        Table(
            PointsEntry,
            _("Points ledger"),
            lambda m: PointsEntry.objects.filter(member=m).order_by("created_at", "id"),
        ),
        Table(LotUse, _("Points taken from earlier lots"), _lot_uses),
        Table(PointsBalance, _("Points balance"), lambda m: PointsBalance.objects.filter(member=m)),
        Table(
            MemberTier,
            _("Tier now"),
            lambda m: MemberTier.objects.filter(member=m),
            extra=("tier__name",),
        ),
        Table(
            TierChange,
            _("Tier changes"),
            lambda m: TierChange.objects.filter(member=m).order_by("day", "id"),
            extra=("tier__name", "previous__name"),
        ),
        Table(
            RebateCertificate,
            _("Rebate certificates"),
            lambda m: RebateCertificate.objects.filter(member=m).order_by("issued_on", "id"),
        ),
        Table(CertificateUse, _("Certificate uses"), _certificate_uses),
    ),
)
