"""The audit trail's table: one append-only, hash-chained row per write (see `trail`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only.")

    def delete(self):
        raise TypeError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One write: who, acting as what, when, on which object, and what changed.

    Rows are only ever added (santuni.audit.trail.record). Each carries an HMAC of its
    content, its id and the previous row's hash, so a row altered, renumbered or removed in
    the database breaks the chain that `manage.py verify_audit_chain` checks; rows cut from
    the end are found against a checkpoint kept outside the database.
    """

    at = models.DateTimeField(_("when"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    membership = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting as"),
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64)
    changes = models.JSONField(_("changes"), default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Which formula signed the row (santuni.audit.trail.VERSION); rows before it had one: 1.
    version = models.PositiveSmallIntegerField(_("chain version"), default=2, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        # The table it had when it was part of the accounts app.
        db_table = "accounts_auditentry"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="acc_audit_object")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        # (The id is set before the first save: the row's hash covers it.)
        if not self._state.adding:
            raise TypeError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only.")
