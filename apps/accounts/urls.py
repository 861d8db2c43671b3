from django.contrib.auth import views as auth_views
from django.urls import path

from apps.accounts import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    # The messages of the scripts in static/js (gettext, ngettext, interpolate).
    path("jsi18n/", views.javascript_catalog, name="javascript_catalog"),
]
