"""Who may record attendance, at which events, for which CBOs, and who sees attendees' names.

District officers, state officers and ministry admins record attendance. An event is a public
gathering, so a district officer works with every event held in their state (a state-level
course gathers CBOs from several districts), but records, sees and removes only their own
district's CBOs; a state officer, every CBO of the state, at the state's events.
"""

from typing import TypeGuard, cast

from django.db.models import QuerySet

from santuni.accounts.access import active_membership, needs_two_factor
from santuni.accounts.models import Membership, Role
from santuni.directory.models import Organization
from santuni.geo.models import District

from .models import Event

RECORDERS = (Role.DISTRICT_OFFICER, Role.STATE_OFFICER, Role.MINISTRY_ADMIN)
# Those who work in one district's or one state's events and CBOs.
LOCAL = (Role.DISTRICT_OFFICER, Role.STATE_OFFICER)


def records_attendance(membership: Membership | None) -> TypeGuard[Membership]:
    return membership is not None and membership.role in RECORDERS


def _officers_district(membership: Membership) -> District:
    # A district officer acts in one district, which their invitation names.
    return cast(District, membership.district)


def _officers_state(membership: Membership) -> int | None:
    """The state a district or state officer works in."""
    if membership.role == Role.STATE_OFFICER:
        return membership.state_id
    return _officers_district(membership).state_id


def _in_area(membership: Membership, cbo) -> bool:
    """Whether the CBO is in the district or state officer's area."""
    if membership.role == Role.STATE_OFFICER:
        return membership.state_id is not None and cbo.district.state_id == membership.state_id
    return cbo.district_id == membership.district_id


def events_in_scope(membership: Membership | None) -> QuerySet[Event]:
    if not records_attendance(membership):
        return Event.objects.none()
    if membership.role == Role.MINISTRY_ADMIN:
        return Event.objects.all()
    state = _officers_state(membership)
    if state is None:
        return Event.objects.none()  # an officer of no state sees no event
    return Event.objects.filter(district__state_id=state)


def cbos_in_scope(membership: Membership | None) -> QuerySet[Organization]:
    """The CBOs whose attendance the membership records (and whose attendees it sees)."""
    if not records_attendance(membership):
        return Organization.objects.none()
    cbos = Organization.objects.filter(cbo__isnull=False)
    if membership.role in LOCAL:
        cbos = cbos.filter(membership.area("cbo__district"))
    return cbos


def cbos_to_pick(membership: Membership | None, event: Event) -> QuerySet[Organization]:
    """The CBOs offered on an event's attendance form: active ones in scope, and for a
    ministry admin those of the event's state, so that a phone need not list the country."""
    cbos = cbos_in_scope(membership).filter(cbo__is_active=True)
    if membership is not None and membership.role == Role.MINISTRY_ADMIN:
        cbos = cbos.filter(cbo__district__state_id=event.district.state_id)
    return cbos


def records_for(membership: Membership | None, event: Event, organization: Organization) -> bool:
    """Whether the membership may add or remove this CBO's attendees at this event."""
    if not records_attendance(membership):
        return False
    cbo = getattr(organization, "cbo", None)
    if cbo is None:
        return False
    if membership.role == Role.MINISTRY_ADMIN:
        return True
    return _in_area(membership, cbo) and event.district.state_id == _officers_state(membership)


def sees_names(membership: Membership | None, organization: Organization) -> bool:
    """Attendees' names are volunteers' personal data: the CBO's own head, the district officer
    of the CBO's district, the state officer of its state and ministry admins see them; nobody
    else does."""
    if membership is None:
        return False
    if membership.role == Role.MINISTRY_ADMIN:
        return True
    if membership.role == Role.CBO_HEAD:
        return membership.organization_id == organization.pk
    if membership.role in LOCAL:
        cbo = getattr(organization, "cbo", None)
        return cbo is not None and _in_area(membership, cbo)
    return False


def viewer(request) -> Membership | None:
    """The role a visitor of a public page acts in, once past any second factor it needs: a
    password alone never shows an officer's view."""
    if not request.user.is_authenticated:
        return None
    membership = active_membership(request)
    if membership is None or needs_two_factor(request, membership):
        return None
    return membership
