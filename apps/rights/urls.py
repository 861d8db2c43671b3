"""Members' data rights: each view module lists its own URL patterns."""

from apps.rights.views import access, erasure, home

app_name = "privacy"
urlpatterns = [*home.urlpatterns, *access.urlpatterns, *erasure.urlpatterns]
