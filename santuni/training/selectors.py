"""Read queries for capacity building: the officer's events, an event's attendance, and a
CBO's training history for its profile page."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from santuni.accounts.models import Membership
from santuni.directory.models import Organization

from . import access
from .models import Attendance, Event

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Counted(TypedDict):
    attendee_count: int  # how many attended


def event_list(membership: Membership | None) -> QuerySet[Event]:
    """The events the membership works with, newest first, each with how many attended."""
    return (
        access.events_in_scope(membership)
        .select_related("programme", "district")
        .annotate(attendee_count=Count("attendances"))
        .order_by("-date", "name", "id")
    )


def event_for(membership: Membership | None, event_id) -> Event:
    """One event of the membership's scope; Http404 for any other (its id tells nothing)."""
    try:
        return (
            access.events_in_scope(membership)
            .select_related("programme__organiser", "district__state")
            .get(pk=event_id)
        )
    except Event.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class EventAttendance:
    shown: list[Attendance]  # the attendees of the CBOs in the membership's scope
    others: int  # how many attended from CBOs outside it (their names are not shown)


def event_attendance(membership: Membership | None, event: Event) -> EventAttendance:
    in_scope = Q(organization__in=access.cbos_in_scope(membership))
    rows = event.attendances.aggregate(shown=Count("id", filter=in_scope), total=Count("id"))
    shown = list(
        event.attendances.filter(in_scope)
        .select_related("organization__cbo__district")
        .order_by("organization__name", "organization_id", "name", "id")
    )
    return EventAttendance(shown, rows["total"] - rows["shown"])


def attendance_for(membership: Membership | None, attendance_id) -> Attendance:
    """An attendance row the membership may remove; Http404 for any other."""
    try:
        attendance = Attendance.objects.select_related("event__district", "organization__cbo").get(
            pk=attendance_id,
            event__in=access.events_in_scope(membership),
            organization__in=access.cbos_in_scope(membership),
        )
    except Attendance.DoesNotExist:
        raise Http404 from None
    return attendance


@dataclass(frozen=True)
class TrainingHistory:
    # Newest first; each with attendee_count and, with names, attendees.
    events: "list[WithAnnotations[Event, Counted]]"
    with_names: bool

    @property
    def attendee_total(self) -> int:
        return sum(e.attendee_count for e in self.events)


def training_history(organization: Organization, *, viewer: Membership | None) -> TrainingHistory:
    """The events the CBO's members attended, with how many went; the attendees' names only
    for a viewer allowed to see them (one query, and one more for the names)."""
    with_names = access.sees_names(viewer, organization)
    events = (
        # The filter comes before the count, so the count is of this CBO's attendees only.
        Event.objects.filter(attendances__organization=organization)
        .annotate(attendee_count=Count("attendances"))
        .select_related("programme")
        .order_by("-date", "name", "id")
    )
    if with_names:
        events = events.prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.filter(organization=organization).order_by(
                    "name", "id"
                ),
                to_attr="attendees",
            )
        )
    return TrainingHistory(list(events), with_names)
