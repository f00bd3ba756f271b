"""Target times: a number of hours, or of working days (Monday to Friday, Malaysian time)."""

from datetime import datetime, timedelta

from django.utils import timezone

from .models import ServiceLevel, Urgency

# Used when an urgency has no row (the admin deleted it): the defaults of the migration.
DEFAULTS = {
    Urgency.IMMEDIATE: (1, "hours", 24, "hours"),
    Urgency.HIGH: (24, "hours", 5, "working_days"),
    Urgency.NORMAL: (3, "working_days", 14, "working_days"),
}


def add(start: datetime, amount: int, unit: str) -> datetime:
    if unit == ServiceLevel.Unit.HOURS:
        return start + timedelta(hours=amount)
    local = timezone.localtime(start)
    # Sent at a weekend, the count starts on Monday at the same time.
    while local.weekday() >= 5:
        local += timedelta(days=1)
    while amount > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            amount -= 1
    return local


def due_times(urgency: str, start: datetime) -> tuple[datetime, datetime]:
    """(acknowledge by, complete by) for a referral of this urgency sent at `start`."""
    level = ServiceLevel.objects.filter(urgency=urgency).first()
    if level is None:
        ack, ack_unit, done, done_unit = DEFAULTS[urgency]
    else:
        ack, ack_unit = level.acknowledge_within, level.acknowledge_unit
        done, done_unit = level.complete_within, level.complete_unit
    return add(start, ack, ack_unit), add(start, done, done_unit)
