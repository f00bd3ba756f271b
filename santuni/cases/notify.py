"""Telling the other side: in-app notifications, email, and text messages when it is urgent.

Every message names the referral by its reference and links to it; what happened is said in
the reader's words, never who the person is.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from santuni.accounts.models import Membership, Role
from santuni.lib.mail import render_bilingual

from . import messaging
from .models import Notification, Referral, Urgency

logger = logging.getLogger(__name__)

MESSAGES = {
    "sent": _("New referral %(reference)s is waiting for your answer."),
    "accepted": _("Referral %(reference)s was accepted."),
    "declined": _("Referral %(reference)s was declined. Please refer the person again."),
    "redirected": _("Referral %(reference)s was redirected to another service."),
    "in_progress": _("Work on referral %(reference)s has started."),
    "completed": _("Referral %(reference)s is completed. See the outcome."),
    "closed": _("Referral %(reference)s was closed."),
    "cancelled": _("Referral %(reference)s was cancelled by the sender."),
    "acknowledge": _("Referral %(reference)s has not been answered in time."),
    "complete": _("Referral %(reference)s is past its target completion time."),
}


def message(kind: str, reference: str) -> str:
    """The message in the active language."""
    return str(MESSAGES[kind]) % {"reference": reference}


class _Message:
    """Renders in whichever language a template is rendered in (for bilingual emails)."""

    def __init__(self, kind: str, reference: str):
        self.kind, self.reference = kind, reference

    def __str__(self) -> str:
        return message(self.kind, self.reference)


def _active(memberships):
    return memberships.filter(revoked_at__isnull=True, user__is_active=True)


def receivers(referral: Referral) -> list[int]:
    """User ids of the receiving organisation's focal points for the referral's district (or
    its state); the district officers if it has none there, so that no referral waits where
    nobody reads."""
    users = list(
        _active(
            Membership.objects.filter(
                Membership.acting_in(referral.district_id),
                role=Role.AGENCY_FOCAL_POINT,
                organization=referral.organization_id,
            )
        ).values_list("user_id", flat=True)
    )
    return users or district_officers(referral)


def senders(referral: Referral) -> list[int]:
    """The CBO's heads and whoever opened the case (while they still hold that role)."""
    case = referral.case
    return list(
        _active(
            Membership.objects.filter(
                Q(role=Role.CBO_HEAD, organization=case.organization_id) | Q(pk=case.opened_by_id)
            )
        ).values_list("user_id", flat=True)
    )


def district_officers(referral: Referral) -> list[int]:
    return list(
        _active(
            Membership.objects.filter(role=Role.DISTRICT_OFFICER, district=referral.district_id)
        ).values_list("user_id", flat=True)
    )


def referral_event(referral: Referral, kind: str, user_ids, *, exclude: int | None = None):
    """In-app notifications now (in the caller's transaction); email and, when urgent, a text
    message once it commits."""
    recipients = sorted(set(user_ids) - {exclude})
    if not recipients:
        return
    Notification.objects.bulk_create(
        Notification(recipient_id=user_id, referral=referral, kind=kind) for user_id in recipients
    )
    urgent = referral.case.urgency == Urgency.IMMEDIATE or kind in ("acknowledge", "complete")
    transaction.on_commit(
        lambda: _deliver(referral.pk, referral.reference, kind, recipients, urgent), robust=True
    )


def _deliver(referral_id, reference: str, kind: str, recipients: list[int], urgent: bool):
    link = settings.SANTUNI["BASE_URL"].rstrip("/") + reverse("cases:referral", args=[referral_id])
    subject, body = render_bilingual(
        "cases/email/referral", {"message": _Message(kind, reference), "link": link}
    )
    users = get_user_model().objects.filter(pk__in=recipients, is_active=True)
    # One email each: colleagues in other organisations do not see each other's address. A
    # failure is logged and the others still go; the in-app notification is already saved.
    with get_connection() as connection:
        for user in users:
            if user.email:
                _attempt(
                    "email",
                    reference,
                    user,
                    send_mail,
                    subject,
                    body,
                    None,
                    [user.email],
                    connection=connection,
                )
    if urgent:
        sender = messaging.backend()
        with translation.override("ms"):
            text = f"Santuni: {message(kind, reference)} {link}"
        for user in users:
            _attempt("text message", reference, user, sender.send, user, text)


def _attempt(what: str, reference: str, user, send, *args, **kwargs) -> None:
    try:
        send(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 (any provider's failure; the rest must still go)
        logger.warning(
            "%s about referral %s to user #%s failed: %s",
            what,
            reference,
            user.pk,
            type(error).__name__,
        )
