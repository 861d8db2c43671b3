"""Import pages (placeholder until built)."""

from django.http import HttpResponse

from apps.accounts.models import Role
from apps.accounts.permissions import role_required


@role_required(Role.MARKETING)
def import_list(request):
    return HttpResponse("imports")
