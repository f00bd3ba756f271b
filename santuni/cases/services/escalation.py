"""Referrals past a target time: marked once each, and the district officers and the receiving
organisation told (the periodic job: `manage.py check_referral_deadlines`)."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from santuni.audit import trail
from santuni.audit.actions import Action

from .. import notify
from ..models import Referral, ReferralEvent

S = Referral.Status
# The audit row of each kind of lateness.
OVERDUE = {
    "acknowledge": Action.REFERRAL_OVERDUE_ACKNOWLEDGE,
    "complete": Action.REFERRAL_OVERDUE_COMPLETE,
}


def referrals_escalate(*, now: datetime | None = None) -> dict[str, int]:
    """Marks referrals past a target time, once each, and tells the district officers and the
    receiving organisation; returns how many of each kind."""
    now = now or timezone.now()
    counts = {"acknowledge": 0, "complete": 0}
    checks = {
        "acknowledge": Q(status=S.SENT, acknowledge_due__lt=now, acknowledge_escalated_at=None),
        "complete": Q(
            status__in=(S.ACCEPTED, S.IN_PROGRESS),
            complete_due__lt=now,
            complete_escalated_at=None,
        ),
    }
    for kind, late in checks.items():
        ids = list(
            Referral.objects.filter(late, mode=Referral.Mode.LIVE).values_list("pk", flat=True)
        )
        for referral_id in ids:
            with transaction.atomic():
                referral = (
                    Referral.objects.select_for_update(of=("self",))
                    .select_related("case")
                    .filter(late, pk=referral_id)
                    .first()
                )
                if referral is None:
                    continue  # answered meanwhile
                setattr(referral, f"{kind}_escalated_at", now)
                referral.save(update_fields=[f"{kind}_escalated_at"])
                ReferralEvent.objects.create(
                    referral=referral, status=referral.status, escalation=kind, at=now
                )
                trail.record(actor=None, action=OVERDUE[kind], obj=referral)
                notify.referral_event(
                    referral,
                    kind,
                    [*notify.district_officers(referral), *notify.receivers(referral)],
                )
            counts[kind] += 1
    return counts
