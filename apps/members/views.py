"""Member pages (placeholder until built)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.members.models import Member


@role_required(Role.MARKETING)
def member_list(request):
    return HttpResponse("members")


@role_required(Role.MARKETING, Role.CASHIER)
def member_lookup(request):
    return HttpResponse("lookup")


@role_required(Role.MARKETING)
def member_detail(request, card_number: str):
    member = get_object_or_404(Member, card_number=card_number)
    return HttpResponse(str(member))
