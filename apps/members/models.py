"""Club members: one card, one household."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F, Func, Value
from django.db.models.functions import Now, Upper
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    # Personal data removed for good (apps.rights.erasure): the row stays as the anonymous
    # owner of its baskets, so the chain's figures do not change.
    ERASED = "erased", _("Erased")


class Member(models.Model):
    """A loyalty-card holder (a household). Cards may exist before the form is filed."""

    card_number = models.CharField(max_length=32, unique=True, verbose_name=_("card number"))
    first_name = models.CharField(max_length=80, blank=True, verbose_name=_("first name"))
    last_name = models.CharField(max_length=80, blank=True, verbose_name=_("last name"))
    email = models.EmailField(blank=True, verbose_name=_("email"))
    phone = models.CharField(max_length=32, blank=True, verbose_name=_("phone"))
    # Digits only, so that a cashier may type a phone number any way it is written.
    # A generated column, so bulk COPY loads keep it right too.
    phone_digits = models.GeneratedField(
        expression=Func(
            F("phone"), Value("[^0-9]"), Value(""), Value("g"), function="regexp_replace"
        ),
        output_field=models.CharField(max_length=32),
        db_persist=True,
        verbose_name=_("phone digits"),
    )
    postal_code = models.CharField(max_length=16, blank=True, verbose_name=_("postal code"))
    joined_on = models.DateField(null=True, blank=True, verbose_name=_("joined on"))
    household_size = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("household size")
    )
    children = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("children"))
    # The member's current consent by channel; `ConsentChange` holds the
    # history (when, how, by whom). Opt-in: no consent until given.
    # A database default too, so set-based inserts that name no consent give none.
    consent_list = models.BooleanField(
        db_default=False,
        help_text=_("Printed or mailed shopping list and its offers."),
        verbose_name=_("consent list"),
    )
    consent_email = models.BooleanField(db_default=False, verbose_name=_("consent email"))
    consent_sms = models.BooleanField(db_default=False, verbose_name=_("consent sms"))
    # Optional, and kept only with the member's consent to a birthday reward (an import
    # without that consent leaves it empty): the list of the period holding it carries a gift.
    birth_date = models.DateField(null=True, blank=True, verbose_name=_("birth date"))
    status = models.CharField(
        max_length=8,
        choices=MemberStatus.choices,
        default=MemberStatus.ACTIVE,
        verbose_name=_("status"),
    )
    # The language of the member's printed list (and its PDF). A database default too, so
    # set-based inserts that name no language (imports, COPY loads) give English.
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        db_default=settings.LANGUAGE_CODE,
        help_text=_("The language of the member's shopping list."),
        verbose_name=_("language"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["card_number"]
        indexes = [
            # Cashier lookup: exact card, phone (any formatting), or name prefix.
            models.Index(
                OpClass(Upper("last_name"), name="text_pattern_ops"),
                name="member_last_name_prefix",
            ),
            models.Index(
                OpClass(Upper("first_name"), name="text_pattern_ops"),
                name="member_first_name_prefix",
            ),
            models.Index(fields=["phone_digits"], name="member_phone_digits"),
            models.Index(fields=["status"], name="member_status"),
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.card_number])

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or gettext("Card %(card)s") % {"card": self.card_number}


class Channel(models.TextChoices):
    """A way the chain reaches a member; each has its own consent (`Member.consent_<value>`)."""

    LIST = "list", _("Printed or mailed list")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class ConsentSource(models.TextChoices):
    """How a consent was given or withdrawn."""

    TILL = "till", _("At the till")
    FORM = "form", _("Sign-up form")
    IMPORT = "import", _("Import")
    STAFF = "staff", _("Staff, on the member's request")
    ERASURE = "erasure", _("Erasure")
    EARLIER = "earlier", _("Before consent history was kept")


class ConsentChange(models.Model):
    """One consent given or withdrawn, for one channel: the history behind `Member.consent_*`.

    Append-only. Kept after an erasure (the member row is anonymous by then): it shows the
    chain stopped contacting the member, and names no one but the staff user.
    """

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="consent_changes"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    given = models.BooleanField(help_text=_("True: consent given; False: withdrawn."))
    at = models.DateTimeField(db_default=Now())
    source = models.CharField(max_length=8, choices=ConsentSource.choices)
    # No foreign-key constraint: the history outlives the users it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["member", "at"], name="consent_member_at")]

    def __str__(self) -> str:
        verb = "given" if self.given else "withdrawn"
        return f"{self.get_channel_display()} consent {verb} ({self.get_source_display()})"
