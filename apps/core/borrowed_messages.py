"""Messages of Django's admin and of django-axes that their own catalogs lack in 简体中文.

Django 5.2's admin added a few strings its Simplified Chinese catalog has not caught up
with ("Model name" heads the admin's index), and django-axes ships no Chinese at all. A
catalog under LOCALE_PATHS comes first, so translating the same message ids in ours fills
the gaps. Listing them here, marked, is what keeps them in that catalog: `makemessages`
reads only our sources, and would drop a message no source of ours names
(tests/i18n/test_catalog_is_current.py). Nothing imports this module.
"""

from django.utils.translation import gettext_noop as _

DJANGO_ADMIN = (
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
    _("After you’ve created a user, you’ll be able to edit more user options."),
    _("Error:"),
    _("Forgotten your login credentials?"),
    _("In case you’ve forgotten, you are:"),
)

# django-axes (its app's name, "Axes", is not a message: a name): its models and fields as the
# admin shows them, and its lockout message.
DJANGO_AXES = (
    _("Access Attempt"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("Attempt Remaining"),
    _("Clean up expired attempts"),
    _("Expires At"),
    _("Locked Out"),
    _("Not set"),
    _("Session key hash (sha256)"),
    _("The time when access attempt expires and is no longer valid."),
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
    _("User Agent"),
    _("IP Address"),
    _("Username"),
    _("HTTP Accept"),
    _("Path"),
    _("Attempt Time"),
    _("Logout Time"),
    _("Failed Logins"),
    _("GET Data"),
    _("POST Data"),
    _("Form Data"),
    _("Meta Data"),
    _("Access lock out"),
    _("Account locked: too many login attempts. Please try again later."),
)
