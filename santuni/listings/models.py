"""CBO heads' edits of their listings, waiting for a district officer's check."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santuni.directory.models import Organization, Service
from santuni.geo.models import District


class ListingChange(models.Model):
    """A CBO head's edit of what the public sees, waiting for a district officer's check."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        APPROVED = "approved", _("Verified and published")
        REJECTED = "rejected", _("Returned")
        REPLACED = "replaced", _("Replaced by a newer edit")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="listing_changes",
        verbose_name=_("organization"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="listing_changes",
        verbose_name=_("service"),
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    previous = models.JSONField(_("before"), default=dict)
    proposed = models.JSONField(_("after"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("note to the CBO"), blank=True)

    class Meta:
        # The table it had when it was part of the directory app.
        db_table = "directory_listingchange"
        verbose_name = _("listing change")
        verbose_name_plural = _("listing changes")
        ordering = ["submitted_at"]
        constraints = [
            # One pending change per listing: a new edit replaces the waiting one.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status="pending", service__isnull=True),
                name="dir_change_one_pending_profile",
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(status="pending"),
                name="dir_change_one_pending_service",
            ),
        ]
        indexes = [models.Index(fields=["district", "status"], name="dir_change_queue")]

    def __str__(self) -> str:
        return str(self.service or self.organization)
