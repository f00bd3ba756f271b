"""Reports' own data: JKM aid statistics (imported figures) and the printed booklets built."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santuni.aid.models import Scheme
from santuni.geo.models import District, State


class AidStatistic(models.Model):
    """Welfare aid JKM paid in a year: nationally or in one state, all schemes or one."""

    year = models.PositiveSmallIntegerField(_("year"))
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("state"),
        help_text=_("Empty for the whole of Malaysia."),
    )
    scheme = models.ForeignKey(
        Scheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheme"),
        help_text=_("Empty for all schemes together."),
    )
    recipients = models.PositiveIntegerField(_("recipients"))
    # Ringgit in sen: RM2.53 billion is 253,000,000,000 sen, beyond a 32-bit integer.
    amount_sen = models.PositiveBigIntegerField(_("amount paid (sen)"), null=True, blank=True)
    as_of = models.DateField(_("figures as of"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source link"), blank=True)

    class Meta:
        verbose_name = _("JKM aid statistic")
        verbose_name_plural = _("JKM aid statistics")
        ordering = ["-year", "state__name", "scheme__order"]
        # One row per year, place and scheme; NULL means "all", so each mix gets its own rule.
        constraints = [
            models.UniqueConstraint(
                fields=["year", "state", "scheme"],
                condition=Q(state__isnull=False, scheme__isnull=False),
                name="rep_aidstat_state_scheme",
            ),
            models.UniqueConstraint(
                fields=["year", "state"],
                condition=Q(state__isnull=False, scheme__isnull=True),
                name="rep_aidstat_state",
            ),
            models.UniqueConstraint(
                fields=["year", "scheme"],
                condition=Q(state__isnull=True, scheme__isnull=False),
                name="rep_aidstat_scheme",
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(state__isnull=True, scheme__isnull=True),
                name="rep_aidstat_national",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.state or 'Malaysia'} · {self.scheme or '*'}"


def _booklet_path(instance, filename: str) -> str:
    return f"booklets/{instance.district_id}-{instance.language}-{instance.fingerprint[:16]}.pdf"


class Booklet(models.Model):
    """One build of a district's printed directory; a finished one serves until the data changes."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=5)
    # A hash of everything the booklet prints: the same data gives the same booklet.
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to=_booklet_path, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Touched by every progress write: a running build that stops touching it has died.
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["district", "language", "fingerprint"], name="rep_booklet_key")
        ]
        # One build at a time of the same content: a second request joins the first.
        constraints = [
            models.UniqueConstraint(
                fields=["district", "language", "fingerprint"],
                condition=Q(status__in=["queued", "running"]),
                name="rep_booklet_one_build",
            )
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.language} {self.status}"
