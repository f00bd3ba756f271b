"""The demo launch event that `load_demo_data` brings, and the admin where ministry admins keep
programmes and events."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from santuni.audit.models import AuditEntry
from santuni.demo.training import training_demo_load
from santuni.directory.tests.factories import CboProfileFactory, seremban
from santuni.directory.tests.pages import html_of
from santuni.training.models import Attendance, Event, Programme

from .factories import AttendanceFactory, EventFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
LAUNCH = "Pelancaran Direktori CBO KPWKM @ Seremban"


@pytest.fixture
def demo():
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_load_demo_data_brings_the_directorys_launch_with_sample_attendance(demo):
    assert "training programmes" in demo
    launch = Event.objects.get(name=LAUNCH)
    assert launch.district == seremban()
    assert launch.is_sample and launch.programme.is_sample
    # No real date is known: the record says its date and attendance are made up.
    assert "rekaan" in launch.description and "fictional" in launch.description_en
    attendances = Attendance.objects.filter(event=launch).select_related("organization")
    assert attendances.count() >= 5
    for attendance in attendances:
        assert attendance.organization.is_sample  # only the fictional CBOs took part
        assert attendance.organization.cbo.district == seremban()


def test_reloading_the_demo_changes_nothing(demo):
    before = sorted(Attendance.objects.values_list("id", "event_id", "organization_id", "name"))
    events = sorted(Event.objects.values_list("id", flat=True))
    call_command("load_demo_data", stdout=StringIO())
    assert sorted(Attendance.objects.values_list("id", "event_id", "organization_id", "name")) == (
        before
    )
    assert sorted(Event.objects.values_list("id", flat=True)) == events
    assert Programme.objects.count() == 1


def test_the_demo_cbos_page_shows_the_launch_to_the_public_without_names(client, demo):
    # A member, not the head: a consenting head's name is on the profile anyway.
    attendance = Attendance.objects.filter(event__name=LAUNCH).exclude(role="head").first()
    html = html_of(client.get(reverse("pages:organization", args=[attendance.organization_id])))
    assert LAUNCH in html and "Contoh" in html  # labelled as sample
    assert attendance.name not in html


def test_the_training_demo_needs_the_directory_demo_first():
    from santuni.demo.directory import DemoDataError

    with pytest.raises(DemoDataError, match="load the directory's demo data first"):
        training_demo_load()


def test_ministry_admins_keep_programmes_and_events_in_the_admin(admin_client):
    event = EventFactory()
    AttendanceFactory(event=event, organization=CboProfileFactory().organization)
    for url in [
        "/admin/training/programme/",
        "/admin/training/programme/add/",
        f"/admin/training/programme/{event.programme.pk}/change/",
        "/admin/training/event/",
        "/admin/training/event/add/",
        f"/admin/training/event/{event.pk}/change/",
        "/admin/training/event/?q=Kursus",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_an_admin_edit_is_audited(admin_client, personas):
    programme = ProgrammeFactory()
    response = admin_client.post(
        "/admin/training/event/add/",
        {
            "programme": programme.pk,
            "name": "Kursus Pengurusan CBO",
            "name_en": "",
            "date": "2026-11-02",
            "end_date": "2026-11-01",
            "district": seremban().pk,
            "attendances-TOTAL_FORMS": "0",
            "attendances-INITIAL_FORMS": "0",
        },
    )
    # The last day before the first is refused, on the form.
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Event.objects.exists()
    response = admin_client.post(
        "/admin/training/event/add/",
        {
            "programme": programme.pk,
            "name": "Kursus Pengurusan CBO",
            "name_en": "",
            "date": "2026-11-02",
            "end_date": "",
            "district": seremban().pk,
            "attendances-TOTAL_FORMS": "0",
            "attendances-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(name="Kursus Pengurusan CBO")
    entry = AuditEntry.objects.get(action="admin.added", object_id=str(event.pk))
    assert entry.membership == personas.ministry_admin.membership
