"""Capacity building: programmes, events and the CBO members who attended."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santuni.directory.models import Organization, Taxonomy, TaxonomyTerm, en
from santuni.geo.models import District
from santuni.lib.i18n import TranslatedMixin

SAMPLE_HELP = _("Fictional demonstration record, shown with a 'Sample' label.")
# An attendee's name is kept in at most this many characters (the services refuse more).
NAME_MAX = 200


class Programme(TranslatedMixin, models.Model):
    """A capacity-building programme (for example for CBO heads) that events belong to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(en(_("name")), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(en(_("description")), blank=True)
    organiser = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_programmes",
        verbose_name=_("organiser"),
        help_text=_("For example KPWKM, JKM or JPW, if it is in the directory."),
    )
    target_groups = models.ManyToManyField(
        TaxonomyTerm,
        related_name="programmes",
        blank=True,
        limit_choices_to={"taxonomy__code": Taxonomy.TARGET_GROUPS},
        verbose_name=_("target groups"),
    )
    is_sample = models.BooleanField(_("sample data"), default=False, help_text=SAMPLE_HELP)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(TranslatedMixin, models.Model):
    """One gathering of a programme: a launch, a course, a workshop."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="events", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(en(_("name")), max_length=300, blank=True)
    date = models.DateField(_("date (first day)"))
    end_date = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("Leave empty for a one-day event.")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    place_en = models.CharField(en(_("place")), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(en(_("description")), blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False, help_text=SAMPLE_HELP)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("date")),
                name="train_event_ends_after_start",
                violation_error_message=_("The last day is before the first day."),
            )
        ]
        indexes = [models.Index(fields=["district", "date"], name="train_event_district")]

    def __str__(self) -> str:
        return self.name


class AttendeeRole(models.TextChoices):
    HEAD = "head", _("CBO head")
    MEMBER = "member", _("CBO member")
    VOLUNTEER = "volunteer", _("Volunteer")


class Attendance(models.Model):
    """One person of a CBO at one event. The name is a volunteer's personal data: only the
    CBO's head and officers over the CBO see it (santuni.training.access.sees_names)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("event")
    )
    # PROTECT: a CBO's training history outlives a careless delete of the organisation.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="training_attendances",
        limit_choices_to={"cbo__isnull": False},
        verbose_name=_("CBO"),
    )
    name = models.CharField(_("full name"), max_length=NAME_MAX)
    role = models.CharField(_("role at the CBO"), max_length=10, choices=AttendeeRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Santuni account"),
    )
    recorded_by = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["organization__name", "name"]
        constraints = [
            # The same person twice for one CBO at one event is a slip, whatever the case.
            models.UniqueConstraint(
                Lower("name"), "event", "organization", name="train_attendance_once"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "event"], name="train_attendance_cbo"),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.organization}"
