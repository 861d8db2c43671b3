"""Top-level URL configuration: one include per app."""

from django.contrib import admin
from django.urls import include, path

from apps.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("members/", include("apps.desk.urls")),  # the member pages and the scan screen
    path("imports/", include("apps.baskets.urls")),
    path("jobs/", include("apps.jobs.urls")),
    path("segments/", include("apps.segments.urls")),
    path("campaigns/", include("apps.campaigns.urls")),
    path("lists/", include("apps.lists.urls")),
    path("points/", include("apps.rewards.urls")),
    path("privacy/", include("apps.rights.urls")),
    path("", include("apps.checkout.urls")),
    path("reports/", include("apps.reports.urls")),
    path("portal/", include("apps.portal.urls")),
    path("settlement/", include("apps.agreements.urls")),
    path("admin/", admin.site.urls),
]

# A lost database answers 503 with Retry-After instead of a bare 500 (apps/accounts/errors.py).
handler500 = "apps.accounts.errors.server_error"
