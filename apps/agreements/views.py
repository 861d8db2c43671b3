"""Settlement pages: statements for marketing to manage, and for a manufacturer to read its own.

A manufacturer user sees only sent or paid statements of its own manufacturer's agreements:
another maker's statement, its own draft (not issued yet) and a missing one all answer the
same 404, so the answer never tells a maker which statements exist. A manufacturer reads its
lines per week and store (`apps.agreements.billing`); marketing keeps one line a redemption.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.agreements import billing, selectors, services
from apps.agreements.filters import StatementFilter
from apps.agreements.forms import NoteForm, StatementForm, last_month
from apps.agreements.models import SettlementStatement
from apps.agreements.tables import StatementTable, status_badge
from apps.audit.exports import EXPORT_FORMAT, csv_response, csv_writer, table_csv_response

CSV_COLUMNS = [
    "statement",
    "section",
    "redemption",
    "purchased_on",
    "reversed_on",
    "store",
    "campaign",
    "upc",
    "brand",
    "product",
    "quantity",
    "discount",
    "manufacturer_share",
    "charged",
    "amount",
]


def _manages(user) -> bool:
    return user.has_role(Role.MARKETING)


NO_SUCH_STATEMENT = "No such statement"


def _statement_for(request, pk: int) -> SettlementStatement:
    """Return the statement if the user may read it; 404 otherwise, alike for every reason."""
    statement = (
        SettlementStatement.objects.select_related(
            "agreement__manufacturer", "created_by", "sent_by", "paid_by"
        )
        .filter(pk=pk)
        .first()
    )
    user = request.user
    if statement is not None and _manages(user):
        return statement
    if user.role != Role.MANUFACTURER:
        raise PermissionDenied
    if (
        statement is None
        or statement.agreement.manufacturer_id != user.manufacturer_id
        or statement.is_draft
    ):
        raise Http404(NO_SUCH_STATEMENT)
    return statement


@role_required(Role.MARKETING, Role.MANUFACTURER)
def statement_list(request):
    manages = _manages(request.user)
    statements = selectors.statements_with_amount_due(selectors.statements_visible_to(request.user))
    statement_filter = StatementFilter(
        request.GET, queryset=statements, manufacturer_filter=manages
    )
    table = StatementTable(statement_filter.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    export_format = request.GET.get("_export")
    if export_format == EXPORT_FORMAT:
        return table_csv_response(table, "statements.csv")
    export_params = request.GET.copy()
    export_params.pop("page", None)
    export_params["_export"] = "csv"
    return render(
        request,
        "agreements/statement_list.html",
        {
            "filter": statement_filter,
            "table": table,
            "manages": manages,
            "export_query": export_params.urlencode(),
        },
    )


def _edit(request, statement: SettlementStatement | None):
    if statement is None:
        start, end = last_month(timezone.localdate())
        initial = {"period_start": start, "period_end": end}
        if request.GET.get("agreement", "").isdigit():
            initial["agreement"] = int(request.GET["agreement"])
    else:
        initial = {
            "agreement": statement.agreement_id,
            "period_start": statement.period_start,
            "period_end": statement.period_end,
            "note": statement.note,
        }
    form = StatementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if statement is None:
                saved = services.statement_create(**form.cleaned_data, user=request.user)
            else:
                saved = services.statement_update(
                    statement_id=statement.pk, **form.cleaned_data, user=request.user
                )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                gettext("Statement %(number)s saved as a draft.") % {"number": saved.number},
            )
            return redirect(saved)
    return render(request, "agreements/statement_form.html", {"form": form, "statement": statement})


@role_required(Role.MARKETING)
def statement_create(request):
    return _edit(request, None)


@role_required(Role.MARKETING)
def statement_edit(request, pk: int):
    statement = get_object_or_404(SettlementStatement, pk=pk)
    if not statement.is_draft:
        messages.error(
            request,
            gettext("%(number)s is %(status)s: it cannot be edited.")
            % {"number": statement.number, "status": statement.get_status_display().lower()},
        )
        return redirect(statement)
    return _edit(request, statement)


@role_required(Role.MARKETING, Role.MANUFACTURER)
def statement_detail(request, pk: int):
    statement = _statement_for(request, pk)
    manages = _manages(request.user)
    overview = selectors.statement_overview(statement=statement)
    context = {
        "statement": statement,
        "agreement": statement.agreement,
        "overview": overview,
        "claim": overview.claim,
        "sections": [
            (name, selectors.SECTION_TITLES[name], overview.claim.rows[name])
            for name in selectors.SECTIONS
        ],
        "status_badge": status_badge(statement),
        "labels": selectors.BUDGET_LABELS,
        "manages": manages,
    }
    reversed_since = selectors.statement_reversed_since_sent(statement=statement)
    if manages:
        context["reversed_since"] = reversed_since
    else:
        context["reversed_by_week"] = billing.reversed_since_by_week(reversed_since)
    if manages:
        events = list(statement.events.select_related("user"))
        for event in events:
            event.change_rows = [
                (_field_name(field), _change_text(field, old), _change_text(field, new))
                for field, (old, new) in event.changes.items()
            ]
        context["events"] = events
        context["note_form"] = NoteForm(
            placeholder=gettext("e.g. how and to whom it was sent")
            if statement.is_draft
            else gettext("e.g. payment reference")
        )
    return render(request, "agreements/statement_detail.html", context)


CHANGED_FIELDS = {
    "agreement": gettext_lazy("agreement"),
    "period_start": gettext_lazy("period start"),
    "period_end": gettext_lazy("period end"),
    "note": gettext_lazy("note"),
    "amount_due": gettext_lazy("amount due"),
}


def _field_name(field: str) -> str:
    """Return the name of a changed field as the audit trail writes it."""
    return str(CHANGED_FIELDS.get(field, field.replace("_", " ")))


def _change_text(field: str, value: str) -> str:
    """Write an audit trail value as the page writes it: a period's ISO day in the site format."""
    if field not in ("period_start", "period_end"):
        return value
    try:
        return date_format(dt.date.fromisoformat(value))
    except (TypeError, ValueError):
        return value


@role_required(Role.MARKETING, Role.MANUFACTURER)
def statement_csv(request, pk: int):
    statement = _statement_for(request, pk)
    name = (
        f"{statement.number}-{statement.agreement.manufacturer.code}-"
        f"{statement.period_start:%Y%m%d}-{statement.period_end:%Y%m%d}.csv"
    )
    response = csv_response(name)
    writer = csv_writer(response)
    if not _manages(request.user):
        _week_store_csv(writer, statement)
        return response
    writer.writerow(CSV_COLUMNS)
    for row in selectors.statement_lines(statement=statement):
        credit = row["section"] == "credit"
        writer.writerow(
            [
                statement.number,
                row["section"],
                row["redemption_id"],
                timezone.localdate(row["purchased_at"]).isoformat(),
                timezone.localdate(row["reversed_at"]).isoformat() if credit else "",
                row["store"],
                row["campaign"],
                row["upc"],
                row["brand"],
                row["product"],
                row["quantity"].normalize(),
                row["discount"],
                row["share"],
                "credit" if credit else ("yes" if row["share"] > 0 else "no: beyond the cap"),
                -row["share"] if credit else row["share"],
            ]
        )
    return response


def _week_store_csv(writer, statement: SettlementStatement) -> None:
    """Write a manufacturer's CSV: one line per section, week and store, credits negative."""
    writer.writerow(billing.WEEK_STORE_COLUMNS)
    for row in billing.statement_week_store_lines(statement=statement):
        credit = row["section"] == "credit"
        writer.writerow(
            [
                statement.number,
                row["section"],
                row["week"].isoformat(),
                row["store"],
                row["redemptions"],
                row["units"].normalize(),
                row["discount"],
                row["share"],
                row["not_charged"],
                -row["share"] if credit else row["share"],
            ]
        )


def _transition_view(service, done: str):
    @role_required(Role.MARKETING)
    @require_POST
    def view(request, pk: int):
        statement = get_object_or_404(SettlementStatement, pk=pk)
        form = NoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            saved = service(statement_id=statement.pk, user=request.user, note=note)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, str(done) % {"number": saved.number})
        return redirect(statement)

    return view


statement_send = _transition_view(
    services.statement_send, gettext_lazy("Statement %(number)s marked sent.")
)
statement_mark_paid = _transition_view(
    services.statement_mark_paid, gettext_lazy("Statement %(number)s marked paid.")
)
