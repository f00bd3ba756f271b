"""Emails about listing changes; they name the listing, never a person's data beyond it."""

from django.conf import settings
from django.urls import reverse

from santuni.lib.mail import send_bilingual


def _url(name: str, *args) -> str:
    return settings.SANTUNI["BASE_URL"].rstrip("/") + reverse(name, args=args)


def change_submitted(change) -> None:
    from santuni.accounts.models import Membership, Role

    officers = Membership.objects.filter(
        role=Role.DISTRICT_OFFICER,
        district=change.district_id,
        revoked_at__isnull=True,
        user__is_active=True,
    ).values_list("user__email", flat=True)
    send_bilingual(
        "listings/email/change_submitted",
        {"listing": str(change), "link": _url("listings:review", change.pk)},
        sorted(set(officers)),
    )


def change_reviewed(change) -> None:
    send_bilingual(
        "listings/email/change_reviewed",
        {
            "listing": str(change),
            "approved": change.status == change.Status.APPROVED,
            "note": change.review_note,
            "link": _url("listings:my_cbo"),
        },
        [change.submitted_by.user.email],
    )
