"""List pages for marketing: periods with generation progress, a list's print page and PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.lists import selectors
from apps.lists.barcodes import barcode_svg
from apps.lists.certificates import birthday_text, certificate_rows
from apps.lists.forms import GenerateForm
from apps.lists.models import ShoppingList
from apps.lists.pdf import KIND_TITLES, list_pdf, points_text, tier_text
from apps.lists.services import ListRules, lists_generate


@role_required(Role.MARKETING)
def list_index(request):
    form = GenerateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = lists_generate(
                period_start=data["period_start"],
                rules=ListRules(min_spend=data["min_spend"], weeks=data["weeks"]),
                started_by=request.user,
            )
        except ValidationError as error:  # the period ended between the form and now
            form.add_error("period_start", error)
        else:
            messages.success(
                request,
                _("List generation queued for %(day)s.") % {"day": data["period_start"]},
            )
            return redirect(f"{request.path}?period={data['period_start']}#period-{job.pk}")
    periods = selectors.list_periods()
    return render(request, "lists/list_index.html", {"form": form, "periods": periods})


def _get_list(barcode: str) -> ShoppingList:
    try:
        return selectors.list_with_items(barcode=barcode)
    except ShoppingList.DoesNotExist:
        raise Http404("No such list") from None


@role_required(Role.MARKETING)
def list_detail(request, barcode: str):
    shopping_list = _get_list(barcode)
    sections: dict[str, list] = {}
    for item in shopping_list.sorted_items:
        sections.setdefault(item.kind, []).append(item)
    context = {
        "list": shopping_list,
        "sections": [(KIND_TITLES[kind], kind, items) for kind, items in sections.items()],
        # python-barcode's own SVG markup of our digits-only value; nothing user-typed.
        "barcode_svg": mark_safe(barcode_svg(shopping_list.barcode)),  # noqa: S308
    }
    # The printed list is in the member's language (the template's {% language %} block),
    # the page around it in the staff user's: its sentences are made in the member's.
    with translation.override(shopping_list.member.language):
        points = selectors.list_points(shopping_list)
        context["points_text"] = points_text(shopping_list, points)
        context["tier_text"] = tier_text(shopping_list, points)
        context["birthday_text"] = birthday_text(selectors.list_birthday_points(shopping_list))
    # Barcode SVGs of digits-only codes the database made; nothing user-typed.
    context["certificates"] = [
        (certificate, mark_safe(svg))  # noqa: S308
        for certificate, svg in certificate_rows(selectors.list_certificates(shopping_list))
    ]
    return render(request, "lists/list_detail.html", context)


@role_required(Role.MARKETING)
def list_pdf_view(request, barcode: str):
    shopping_list = _get_list(barcode)
    points = selectors.list_points(shopping_list)
    pdf = list_pdf(
        shopping_list,
        points=points,
        certificates=selectors.list_certificates(shopping_list),
        birthday=selectors.list_birthday_points(shopping_list),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="list-{shopping_list.barcode}.pdf"'
    return response
