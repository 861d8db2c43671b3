"""django-csp's middleware with the policy built once per process, not twice per answer.

django-csp 4.0 builds the header on every answer from the settings (`csp.utils.build_policy`:
copying, merging and joining every directive) and then builds the report-only header the same
way, even when no report-only policy is set. Every answer of the till and the cashier screen
carries the same policy, so `CSPMiddleware` here keeps the two built strings and follows
django-csp's own `process_response` steps; an answer a view changed (`@csp_update`,
`@csp_replace`, `@csp`) or a request that used its nonce is built as django-csp builds it.
The kept strings are dropped when either setting changes (tests), and django-csp's
`build_policy` makes them, so the header is the same text it would be.
"""

from __future__ import annotations

from dataclasses import asdict

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
_SETTINGS_ONLY = csp_middleware.PolicyParts()
_built: dict[bool, str] = {}


@receiver(setting_changed)
def _forget_policy(*, setting: str, **kwargs) -> None:
    if setting in _SETTINGS:
        _built.clear()


def _policy(*, report_only: bool) -> str:
    """Return the policy of the settings (or the report-only one), built once."""
    try:
        return _built[report_only]
    except KeyError:
        policy = _built[report_only] = build_policy(report_only=report_only)
        return policy


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware; the policy of the settings built once (module docstring)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # django-csp 4.0's process_response; the kept policy where an answer has none of its own.
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # its debug pages
        for report_only, header, name in (
            (False, HEADER, "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            parts = self.get_policy_parts(
                request=request, response=response, report_only=report_only
            )
            if parts == _SETTINGS_ONLY:  # no view's own policy, no nonce
                policy = _policy(report_only=report_only)
            else:
                policy = build_policy(**asdict(parts), report_only=report_only)
            exempt = "_csp_exempt_ro" if report_only else "_csp_exempt"
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(
                    tuple((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
                )
            ):
                response[header] = policy
        # Past this point a nonce could no longer reach the header: django-csp's guard.
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
