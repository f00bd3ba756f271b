"""Target times: a number of hours, or of working days (not the state's weekend, nor public
holidays; Malaysian time)."""

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from santuni.geo.models import State

from .models import PublicHoliday, ServiceLevel, Urgency

WEEKEND = frozenset({5, 6})

# Used when an urgency has no row (the admin deleted it): the defaults of the migration.
DEFAULTS: dict[str, tuple[int, str, int, str]] = {
    Urgency.IMMEDIATE: (1, "hours", 24, "hours"),
    Urgency.HIGH: (24, "hours", 5, "working_days"),
    Urgency.NORMAL: (3, "working_days", 14, "working_days"),
}


def add(
    start: datetime,
    amount: int,
    unit: str,
    holidays: frozenset[date] = frozenset(),
    weekend: frozenset[int] = WEEKEND,
) -> datetime:
    if unit == ServiceLevel.Unit.HOURS:
        return start + timedelta(hours=amount)
    local = timezone.localtime(start)

    def working(day: datetime) -> bool:
        return day.weekday() not in weekend and day.date() not in holidays

    # Sent on a day off, the count starts on the next working day at the same time.
    while not working(local):
        local += timedelta(days=1)
    while amount > 0:
        local += timedelta(days=1)
        if working(local):
            amount -= 1
    return local


def holidays_from(start: datetime, state_id: int | None) -> frozenset[date]:
    """National holidays and the state's, from the start for long enough to count over."""
    first = timezone.localdate(start)
    return frozenset(
        PublicHoliday.objects.filter(Q(state=None) | Q(state=state_id))
        .filter(date__gte=first, date__lte=first + timedelta(days=366))
        .values_list("date", flat=True)
    )


def due_times(urgency: str, start: datetime, state_id: int | None = None):
    """(acknowledge by, complete by) for a referral of this urgency sent at `start` in a
    district of the state."""
    level = ServiceLevel.objects.filter(urgency=urgency).first()
    if level is None:
        ack, ack_unit, done, done_unit = DEFAULTS[urgency]
    else:
        ack, ack_unit = level.acknowledge_within, level.acknowledge_unit
        done, done_unit = level.complete_within, level.complete_unit
    days_off: frozenset[date] = frozenset()
    weekend = WEEKEND
    if ServiceLevel.Unit.WORKING_DAYS in (ack_unit, done_unit):
        days_off = holidays_from(start, state_id)
        state = State.objects.filter(pk=state_id).first() if state_id else None
        weekend = state.weekend_days if state else WEEKEND
    return (
        add(start, ack, ack_unit, days_off, weekend),
        add(start, done, done_unit, days_off, weekend),
    )
