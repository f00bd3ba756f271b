"""Recording who attended: who may, for which CBOs, the checks on the input and the audit
trail, which never holds the attendee's name."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation

from santuni.accounts.tests.personas import PERSONAS
from santuni.audit.models import AuditEntry
from santuni.directory.tests.factories import CboProfileFactory, OrganizationFactory
from santuni.geo.models import District
from santuni.lib.domain import Refusal
from santuni.training import services
from santuni.training.models import Attendance, AttendeeRole, Event

from .factories import AttendanceFactory, EventFactory, johor_district

pytestmark = pytest.mark.django_db
# The CBO's district and state officers, and ministry admins (Melaka's officer is not).
RECORDERS = {"ministry_admin", "district_officer", "state_officer"}


@pytest.fixture
def event():
    return EventFactory()


def add(persona, event, organization, name="Nur Aisyah binti Razak", role="member", **more):
    return services.attendance_add(
        actor=persona.membership,
        event=event,
        organization=organization,
        name=name,
        role=role,
        **more,
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_district_and_state_officers_and_ministry_admins_record_a_cbos_attendance(
    personas, event, name
):
    persona = getattr(personas, name)
    if name in RECORDERS:
        attendance = add(persona, event, personas.cbo.organization)
        assert attendance.recorded_by == persona.membership
        assert Attendance.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            add(persona, event, personas.cbo.organization)
        assert not Attendance.objects.exists()


def test_a_district_officer_records_only_their_own_districts_cbos(personas, event):
    port_dickson = CboProfileFactory(district=District.objects.get(slug="port-dickson"))
    with pytest.raises(PermissionDenied):
        add(personas.district_officer, event, port_dickson.organization)
    with pytest.raises(PermissionDenied):
        add(personas.other_district_officer, event, personas.cbo.organization)
    # A Seremban event in the same state: Port Dickson's officer records Port Dickson's CBO.
    add(personas.other_district_officer, event, port_dickson.organization)
    assert Attendance.objects.get().organization == port_dickson.organization


def test_an_event_in_another_state_is_for_ministry_admins_only(personas):
    event = EventFactory(district=johor_district())
    with pytest.raises(PermissionDenied):
        add(personas.district_officer, event, personas.cbo.organization)
    add(personas.ministry_admin, event, personas.cbo.organization)


def test_only_a_cbo_has_attendees(personas, event):
    with pytest.raises(PermissionDenied):
        add(personas.ministry_admin, event, OrganizationFactory())


def test_names_are_kept_tidy_and_once_per_cbo_whatever_the_case(personas, event):
    attendance = add(
        personas.district_officer, event, personas.cbo.organization, "  Nur   Aisyah binti Razak "
    )
    assert attendance.name == "Nur Aisyah binti Razak"
    with pytest.raises(Refusal) as error:
        add(personas.district_officer, event, personas.cbo.organization, "NUR AISYAH BINTI RAZAK")
    with translation.override("en"):
        assert "sudah ada dalam senarai" in str(error.value.message)
    # The same name at another CBO, or at another event, is another record.
    add(personas.district_officer, event, personas.other_cbo.organization)
    add(personas.district_officer, EventFactory(), personas.cbo.organization)
    assert Attendance.objects.count() == 3


def test_the_database_refuses_a_twin_written_past_the_service(personas, event):
    AttendanceFactory(event=event, organization=personas.cbo.organization, name="Ali bin Abu")
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceFactory(event=event, organization=personas.cbo.organization, name="ALI BIN ABU")


@pytest.mark.parametrize(
    ("name", "role", "says"),
    [
        ("", "member", "Write the person's name."),
        ("   ", "member", "Write the person's name."),
        ("A" * 201, "member", "The name is too long"),
        ("Ali bin Abu", "guest", "Pick the person's role"),
    ],
)
def test_bad_input_is_refused_with_a_reason(personas, event, name, role, says):
    with pytest.raises(Refusal) as error:
        add(personas.district_officer, event, personas.cbo.organization, name, role)
    with translation.override("en"):
        assert says in str(error.value.message)
    assert not Attendance.objects.exists()


def test_an_account_is_linked_only_if_it_belongs_to_the_cbo(personas, event):
    with pytest.raises(Refusal):
        add(
            personas.district_officer, event, personas.cbo.organization, user=personas.outsider.user
        )
    with pytest.raises(Refusal):
        add(
            personas.district_officer,
            event,
            personas.other_cbo.organization,
            user=personas.cbo_member.user,
        )
    attendance = add(
        personas.district_officer, event, personas.cbo.organization, user=personas.cbo_member.user
    )
    assert attendance.user == personas.cbo_member.user


def test_adding_and_removing_write_the_audit_trail_without_the_name(personas, event):
    attendance = add(
        personas.district_officer,
        event,
        personas.cbo.organization,
        "Zarina binti Omar",
        "volunteer",
    )
    added = AuditEntry.objects.get(action="attendance.added")
    assert added.membership == personas.district_officer.membership
    assert added.object_id == str(attendance.pk)
    assert added.changes["event"] == str(event.pk)
    assert added.changes["organization"] == str(personas.cbo.organization.pk)
    assert added.changes["role"] == AttendeeRole.VOLUNTEER

    attendance_id = attendance.pk
    services.attendance_remove(actor=personas.ministry_admin.membership, attendance=attendance)
    assert not Attendance.objects.exists()
    removed = AuditEntry.objects.get(action="attendance.removed")
    assert removed.membership == personas.ministry_admin.membership
    assert removed.object_id == str(attendance_id)
    for entry in (added, removed):
        assert "Zarina" not in str(entry.changes)


@pytest.mark.parametrize("name", ["other_district_officer", "cbo_head", "agency_focal_point"])
def test_only_those_who_may_record_may_remove(personas, event, name):
    attendance = add(personas.district_officer, event, personas.cbo.organization)
    with pytest.raises(PermissionDenied):
        services.attendance_remove(actor=getattr(personas, name).membership, attendance=attendance)
    assert Attendance.objects.filter(pk=attendance.pk).exists()


def test_an_event_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(date=date(2026, 9, 14), end_date=date(2026, 9, 13))
    EventFactory(date=date(2026, 9, 14), end_date=date(2026, 9, 14))
    assert Event.objects.count() == 1


def test_programme_and_event_names_follow_the_language():
    event = EventFactory(name="Bengkel Rujukan", name_en="Referral workshop", place_en="")
    assert event.tr.name == "Bengkel Rujukan"
    with translation.override("en"):
        assert event.tr.name == "Referral workshop"
        assert event.tr.place == "Dewan Ujian"  # no English given: the Malay stays
