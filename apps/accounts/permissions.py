"""Role checks for views: a signed-in user outside the role gets 403, never a redirect loop."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from apps.accounts.models import Role, role_check


def role_required(*roles: Role):
    """Allow the view only to users with one of the roles (admins always).

    The roles are `Role` members, checked when the view is decorated: a string fails at
    import, not on the first request.
    """
    role_check(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


class RoleRequiredMixin:
    """Class-based twin of role_required: set `allowed_roles` to `Role` members."""

    allowed_roles: tuple[Role, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_role(*self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
