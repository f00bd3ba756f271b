"""Opening hours of a service as people read them: by day, and whether it is open now."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import WEEKDAYS, Schedule, Service

DAY_NAMES = {
    "MO": _("Monday"),
    "TU": _("Tuesday"),
    "WE": _("Wednesday"),
    "TH": _("Thursday"),
    "FR": _("Friday"),
    "SA": _("Saturday"),
    "SU": _("Sunday"),
}


@dataclass
class DayHours:
    day: str
    name: str
    hours: list[str]
    is_today: bool


@dataclass
class OpeningSummary:
    known: bool
    open_now: bool
    always_open: bool
    days: list[DayHours]


def service_schedules(service: Service) -> list[Schedule]:
    """The service's own hours, else the hours of the places where it is offered."""
    own = list(service.schedules.all())
    if own:
        return own
    return [s for sal in service.service_at_locations.all() for s in sal.location.schedules.all()]


def opening_summary(service: Service, moment: datetime) -> OpeningSummary:
    local = timezone.localtime(moment)
    schedules = [s for s in service_schedules(service) if s.freq == Schedule.Freq.WEEKLY]
    days = []
    for code in WEEKDAYS:
        hours = sorted(
            f"{s.opens_at:%H:%M}–{s.closes_at:%H:%M}"
            for s in schedules
            if code in s.days and s.opens_at is not None and s.closes_at is not None
        )
        days.append(DayHours(code, DAY_NAMES[code], hours, WEEKDAYS[local.weekday()] == code))
    always_open = all(d.hours == ["00:00–23:59"] for d in days)
    return OpeningSummary(
        known=bool(schedules),
        open_now=service.is_available and any(s.is_open_at(local) for s in schedules),
        always_open=always_open,
        days=days,
    )
