"""The desk's pages: the marketing member table, the member page and the cashier's scan screen.

The member page and the scan screen compose sections of many apps: each view gathers every
section's data through its app's selectors (apps/desk/sections.py for those that combine
apps) and its template includes each app's section template.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.audit.exports import csv_writer
from apps.baskets import selectors as basket_selectors
from apps.baskets.tables import BasketTable
from apps.desk import sections, selectors, services
from apps.desk.charts import weekly_spend_figure
from apps.desk.consent import ConsentForm, consent_section
from apps.desk.filters import MemberFilter
from apps.desk.limits import lookup_wait_seconds
from apps.desk.screen import member_screen
from apps.desk.tables import MemberTable
from apps.members.consent import consent_set
from apps.members.models import Channel, Member
from apps.members.trail import member_view_record
from apps.rewards.certificates import open_certificates_listed
from apps.rewards.forms import AdjustForm
from apps.rewards.selectors import points_summary
from apps.segments import selectors as segment_selectors

MEMBERS_PER_PAGE = 25
BASKETS_PER_PAGE = 15


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV output."""

    def write(self, value: str) -> str:
        return value


def _csv_rows(queryset):
    yield ["card_number", "first_name", "last_name", "postal_code", "joined_on", "status",
           "consent_list", "consent_email", "consent_sms", "last_visit", "spend_52w"]  # fmt: skip
    for m in queryset.iterator(chunk_size=2000):
        last_visit = timezone.localtime(m.last_visit).date().isoformat() if m.last_visit else ""
        yield [m.card_number, m.first_name, m.last_name, m.postal_code,
               m.joined_on.isoformat() if m.joined_on else "", m.status,
               *("yes" if given else "no" for given in (m.consent_list, m.consent_email,
                                                       m.consent_sms)),
               last_visit, m.spend_52w]  # fmt: skip


@role_required(Role.MARKETING)
def member_list(request: HttpRequest) -> HttpResponse:
    """Filterable, sortable member table; `?export=csv` streams the filtered rows."""
    member_filter = MemberFilter(request.GET, queryset=selectors.member_table_queryset())
    table = MemberTable(member_filter.qs)
    if request.GET.get("export") == "csv":
        writer = csv_writer(_Echo())
        rows = (writer.writerow(row) for row in _csv_rows(member_filter.qs))
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="members.csv"'
        return response
    RequestConfig(request, paginate={"per_page": MEMBERS_PER_PAGE}).configure(table)
    export_params = request.GET.copy()
    export_params.pop("page", None)
    export_params["export"] = "csv"
    return render(
        request,
        "desk/member_list.html",
        {"filter": member_filter, "table": table, "export_query": export_params.urlencode()},
    )


@role_required(Role.MARKETING, Role.CASHIER)
def member_lookup(request: HttpRequest) -> HttpResponse:
    """The till's scan screen: card or list barcode (scanner + Enter), phone or name prefix.

    A name needs LOOKUP_NAME_MIN_LETTERS letters; every lookup counts against the user's
    limits (apps.desk.limits) and is audited, and one over a limit answers 429.
    """
    query = selectors.lookup_normalize(request.GET.get("q", ""))
    kind = selectors.lookup_kind(query)
    context = {
        "query": query,
        "result": None,
        "summary": None,
        "can_open_detail": request.user.has_role(Role.MARKETING),
        "min_letters": settings.LOOKUP_NAME_MIN_LETTERS,
    }
    if kind == "name" and selectors.name_letters(query) < settings.LOOKUP_NAME_MIN_LETTERS:
        # Refused before any count or read: two letters list too many members to be a search.
        context["too_short"] = True
        return render(request, "desk/member_lookup.html", context)
    if kind != "none":
        wait = lookup_wait_seconds(request=request, kind=kind)
        if wait is not None:
            services.member_lookup_refusal_record(request=request, kind=kind, wait_seconds=wait)
            context["wait_seconds"] = wait
            response = render(request, "desk/member_lookup.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
    result = selectors.member_lookup(query=query)
    if kind != "none":
        services.member_lookup_record(request=request, result=result)
    context["result"] = result
    member = result.single
    if member is not None:
        # The sections in four statements at most (apps/desk/screen.py); the points line
        # shows no movements.
        screen = member_screen(member=member, user=request.user, list_id=result.list_id)
        context.update(
            summary=screen.summary,
            value_tier=screen.value_tier,
            list_section=screen.list_section,
            points=screen.points,
            certificates=screen.certificates,
        )
    return render(request, "desk/member_lookup.html", context)


@role_required(Role.MARKETING)
def member_detail(request: HttpRequest, card_number: str) -> HttpResponse:
    """A member's profile, figures, spend, categories, value, cells, list and basket history.

    Every view of the full record is in the audit trail, by member id (not card number:
    an erasure replaces the card, and the id keeps naming the same anonymous row).
    """
    member = get_object_or_404(Member, card_number=card_number)
    member_view_record(request=request, member=member)
    baskets = BasketTable(basket_selectors.member_baskets(member=member), prefix="b-")
    RequestConfig(request, paginate={"per_page": BASKETS_PER_PAGE}).configure(baskets)
    weekly = basket_selectors.member_weekly_spend(member=member)
    return render(
        request,
        "desk/member_detail.html",
        {
            "member": member,
            "figures": basket_selectors.member_figures(member=member),
            "baskets": baskets,
            "spend_figure": weekly_spend_figure(weekly),
            "has_recent_spend": any(total for _, total in weekly),
            "top_categories": basket_selectors.member_top_categories(member=member),
            "score": segment_selectors.member_score(member=member),
            "segment_rows": segment_selectors.member_segments(member=member),
            "list_section": sections.list_section(member=member, user=request.user),
            "points": points_summary(member_id=member.pk),
            "certificates": open_certificates_listed(member_id=member.pk, on=timezone.localdate()),
            "adjust_form": AdjustForm() if request.user.has_role(Role.MARKETING) else None,
            "consent": consent_section(member=member),
            "consent_form": ConsentForm(),
        },
    )


@role_required(Role.MARKETING)
@require_POST
def member_consent(request: HttpRequest, card_number: str) -> HttpResponse:
    """Record a consent given or withdrawn on the member's word; back to the member page.

    A repeat (a double click, a second clerk) finds the consent already as asked and
    records nothing.
    """
    member = get_object_or_404(Member, card_number=card_number)
    form = ConsentForm(request.POST)
    back = redirect(f"{member.get_absolute_url()}#consent")
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        messages.error(request, _("Consent not changed: %(problems)s") % {"problems": problems})
        return back
    data = form.cleaned_data
    label = Channel(data["channel"]).label
    change = consent_set(
        member,
        data["channel"],
        data["given"],
        source=data["source"],
        actor=request.user,
        note=data["note"],
        request=request,
    )
    if change is None:
        if data["given"]:
            text = _("%(channel)s consent was already given: nothing changed.")
        else:
            text = _("%(channel)s consent was already withdrawn: nothing changed.")
        messages.info(request, text % {"channel": label})
    elif data["given"]:
        messages.success(request, _("%(channel)s consent given.") % {"channel": label})
    else:
        messages.success(request, _("%(channel)s consent withdrawn.") % {"channel": label})
    return back
