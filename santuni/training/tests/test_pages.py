"""The officers' attendance pages, against every persona and a visitor: who gets in, who finds
nothing there, and what a person sees when their input is wrong."""

import pytest
from django.urls import reverse

from santuni.accounts.tests.personas import PERSONAS, sign_in
from santuni.directory.tests.factories import CboProfileFactory
from santuni.directory.tests.pages import html_of
from santuni.geo.models import District
from santuni.training import urls
from santuni.training.models import Attendance

from .factories import AttendanceFactory, EventFactory, johor_district

pytestmark = pytest.mark.django_db

OK, DENIED, NOT_FOUND, WRONG_METHOD = 200, 403, 404, 405
RECORDERS = ("ministry_admin", "district_officer", "other_district_officer", "state_officer")
# Melaka's state officer records attendance, at Melaka's events: Seremban's is not there.
OTHER_STATE = "other_state_officer"


def expect(**allowed):
    return {**dict.fromkeys(PERSONAS, DENIED), **allowed}


@pytest.fixture
def world(personas):
    event = EventFactory(name="Kursus Ketua CBO Rasah")
    attendance = AttendanceFactory(
        event=event, organization=personas.cbo.organization, name="Halimah binti Yusuf"
    )
    return personas, event, attendance


def pages(world):
    _personas, event, attendance = world
    return [
        ("training:events", [], expect(**dict.fromkeys((*RECORDERS, OTHER_STATE), OK))),
        (
            "training:event",
            [event.pk],
            expect(**dict.fromkeys(RECORDERS, OK), **{OTHER_STATE: NOT_FOUND}),
        ),
        # POST only: the method is checked after the role.
        (
            "training:attendance_remove",
            [attendance.pk],
            expect(**dict.fromkeys((*RECORDERS, OTHER_STATE), WRONG_METHOD)),
        ),
    ]


def test_every_page_of_the_training_app_is_checked(world):
    assert sorted(p[0] for p in pages(world)) == sorted(
        f"training:{p.name}" for p in urls.urlpatterns
    )


@pytest.mark.parametrize(
    "page", ["training:events", "training:event", "training:attendance_remove"]
)
@pytest.mark.parametrize("persona", [*PERSONAS, "anonymous"])
def test_who_may_open_each_page(client, world, page, persona):
    name, args, expected = next(p for p in pages(world) if p[0] == page)
    sign_in(client, getattr(world[0], persona, None))
    response = client.get(reverse(name, args=args))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))
        return
    assert response.status_code == expected[persona]


@pytest.mark.parametrize("persona", ["cbo_head", "cbo_member", "agency_focal_point", "outsider"])
def test_other_roles_cannot_add_or_remove(client, world, persona):
    personas, event, attendance = world
    sign_in(client, getattr(personas, persona))
    add = client.post(
        reverse("training:event", args=[event.pk]),
        {"organization": personas.cbo.organization.pk, "name": "Orang Lain", "role": "member"},
    )
    remove = client.post(reverse("training:attendance_remove", args=[attendance.pk]))
    assert add.status_code == remove.status_code == DENIED
    assert list(Attendance.objects.values_list("name", flat=True)) == ["Halimah binti Yusuf"]


def test_a_visitor_is_sent_to_sign_in_and_nothing_changes(client, world):
    personas, event, attendance = world
    remove = client.post(reverse("training:attendance_remove", args=[attendance.pk]))
    assert remove.status_code == 302 and reverse("accounts:sign_in") in remove["Location"]
    assert Attendance.objects.filter(pk=attendance.pk).exists()


def test_a_password_without_the_second_factor_is_not_enough(client, world):
    personas, event, _attendance = world
    client.force_login(personas.district_officer.user)
    response = client.get(reverse("training:event", args=[event.pk]))
    assert response.status_code == 302
    assert reverse("accounts:two_factor_setup") in response["Location"]


def test_the_officer_lists_the_events_of_their_state_newest_first(client, world):
    personas, event, _attendance = world
    newer = EventFactory(
        name="Bengkel Port Dickson", district=District.objects.get(slug="port-dickson")
    )
    newer.date = event.date.replace(month=12)
    newer.save()
    elsewhere = EventFactory(name="Kursus di Muar", district=johor_district())
    sign_in(client, personas.district_officer)
    html = html_of(client.get(reverse("training:events")))
    assert html.index("Bengkel Port Dickson") < html.index("Kursus Ketua CBO Rasah")
    assert "Kursus di Muar" not in html
    assert "Halimah" not in html  # the list gives how many, not who
    sign_in(client, personas.ministry_admin)
    assert elsewhere.name in html_of(client.get(reverse("training:events")))


def test_an_event_or_attendance_outside_the_scope_is_not_found(client, world):
    personas, event, attendance = world
    elsewhere = EventFactory(district=johor_district())
    sign_in(client, personas.district_officer)
    assert client.get(reverse("training:event", args=[elsewhere.pk])).status_code == NOT_FOUND
    assert client.get("/latihan/8a1c5a8e-0000-4000-8000-000000000000").status_code == NOT_FOUND
    # Port Dickson's officer sees the Seremban event, but not Seremban's CBO's attendee.
    sign_in(client, personas.other_district_officer)
    page = client.get(reverse("training:event", args=[event.pk]))
    assert page.status_code == OK
    assert "Halimah" not in html_of(page)
    assert "1 more person attended from CBOs of other districts" in html_of(
        client.get(f"/en/latihan/{event.pk}")
    )
    remove = client.post(reverse("training:attendance_remove", args=[attendance.pk]))
    assert remove.status_code == NOT_FOUND
    assert Attendance.objects.filter(pk=attendance.pk).exists()
    sign_in(client, personas.ministry_admin)
    assert client.get(reverse("training:event", args=[elsewhere.pk])).status_code == OK


def test_the_officer_adds_people_and_the_cbo_stays_picked(client, world):
    personas, event, _attendance = world
    sign_in(client, personas.district_officer)
    url = reverse("training:event", args=[event.pk])
    page = html_of(client.get(url))
    assert "Halimah binti Yusuf" in page
    # Only the officer's district's CBOs are offered.
    assert personas.cbo.organization.name in page and personas.other_cbo.organization.name in page
    response = client.post(
        url,
        {
            "organization": personas.cbo.organization.pk,
            "name": "Rosli bin Hamid",
            "role": "volunteer",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}?cbo={personas.cbo.organization.pk}"
    attendance = Attendance.objects.get(name="Rosli bin Hamid")
    assert attendance.role == "volunteer"
    assert attendance.recorded_by == personas.district_officer.membership
    page = client.get(response["Location"])
    html = html_of(page)
    assert "Rosli bin Hamid" in html
    assert page.context["form"]["organization"].value() == str(personas.cbo.organization.pk)
    # The message names the CBO, never the person: messages travel in a cookie.
    (message,) = [str(m) for m in page.context["messages"]]
    assert personas.cbo.organization.name in message and "Rosli" not in message


def test_the_officer_removes_a_person_recorded_by_mistake(client, world):
    personas, event, attendance = world
    sign_in(client, personas.district_officer)
    response = client.post(reverse("training:attendance_remove", args=[attendance.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:event", args=[event.pk])
    assert not Attendance.objects.exists()
    assert "Halimah" not in html_of(client.get(response["Location"]))


def english_form(client, event, data):
    response = client.post(f"/en/latihan/{event.pk}", data)
    assert response.status_code == 200
    return response, html_of(response)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"name": "Rosli bin Hamid", "role": "member"}, "Pick the person&#x27;s CBO."),
        ({"name": "", "role": "member"}, "Write the person&#x27;s name."),
        ({"name": "Rosli bin Hamid"}, "Pick the person&#x27;s role at the CBO."),
        ({"name": "Rosli bin Hamid", "role": "tetamu"}, "Pick the person&#x27;s role at the CBO."),
        ({"name": "halimah BINTI yusuf", "role": "head"}, "is already on the list for this CBO"),
    ],
)
def test_bad_input_says_why_and_keeps_what_was_typed(client, world, data, says):
    personas, event, _attendance = world
    sign_in(client, personas.district_officer)
    if "Pick the person&#x27;s CBO." not in says:
        data = {**data, "organization": personas.cbo.organization.pk}
    _response, html = english_form(client, event, data)
    assert says in html
    if data.get("name"):
        assert f'value="{data["name"]}"' in html
    assert Attendance.objects.count() == 1


def test_a_cbo_of_another_district_cannot_be_picked(client, world):
    personas, event, _attendance = world
    port_dickson = CboProfileFactory(district=District.objects.get(slug="port-dickson"))
    sign_in(client, personas.district_officer)
    response, html = english_form(
        client,
        event,
        {"organization": port_dickson.organization.pk, "name": "Rosli bin Hamid", "role": "member"},
    )
    assert "Pick a CBO from the list: that one is not in your scope." in html
    assert 'value="Rosli bin Hamid"' in html
    assert port_dickson.organization.name not in html  # not offered either
    assert Attendance.objects.count() == 1


def test_the_pages_in_english(client, world):
    personas, event, _attendance = world
    sign_in(client, personas.district_officer)
    events = html_of(client.get("/en/latihan/"))
    assert "Capacity-building events" in events and event.name_en in events
    assert "1 person recorded" in events
    page = html_of(client.get(f"/en/latihan/{event.pk}"))
    assert event.name_en in page and "Who attended" in page and "Add to the list" in page
    assert "CBO member" in page  # the attendee's role
    assert 'lang="en"' in page


def test_the_event_page_is_not_cached(client, world):
    personas, event, _attendance = world
    sign_in(client, personas.ministry_admin)
    response = client.get(reverse("training:event", args=[event.pk]))
    assert "no-store" in response["Cache-Control"]


def test_an_empty_form_says_what_is_missing(client, world):
    personas, event, _attendance = world
    sign_in(client, personas.district_officer)
    _response, html = english_form(client, event, {})
    for says in [
        "Pick the person&#x27;s CBO.",
        "Write the person&#x27;s name.",
        "Pick the person&#x27;s role",
    ]:
        assert says in html


def test_the_ministry_picks_from_the_events_state_and_active_cbos_only(client, world):
    personas, event, _attendance = world
    in_johor = CboProfileFactory(district=johor_district())
    closed = CboProfileFactory(district=event.district, is_active=False)
    open_cbo = CboProfileFactory(district=event.district)
    sign_in(client, personas.ministry_admin)
    html = html_of(client.get(reverse("training:event", args=[event.pk])))
    assert open_cbo.organization.name in html
    assert in_johor.organization.name not in html
    assert closed.organization.name not in html


def test_the_state_officer_records_for_every_cbo_of_the_state(client, world):
    """Negeri Sembilan's officer sees the names of Seremban's attendees, is offered the
    state's CBOs (Port Dickson's too, each with its district) and records and removes them;
    Melaka's officer finds neither the event nor the attendee."""
    personas, event, attendance = world
    port_dickson = CboProfileFactory(district=District.objects.get(slug="port-dickson"))
    sign_in(client, personas.state_officer)
    url = reverse("training:event", args=[event.pk])
    page = html_of(client.get(url))
    assert "Halimah binti Yusuf" in page
    assert f"{port_dickson.organization.name} · Port Dickson" in page
    response = client.post(
        url, {"organization": port_dickson.organization.pk, "name": "Aminah", "role": "member"}
    )
    assert response.status_code == 302
    added = Attendance.objects.get(name="Aminah")
    assert added.recorded_by == personas.state_officer.membership
    sign_in(client, personas.other_state_officer)
    assert client.get(url).status_code == NOT_FOUND
    remove = client.post(reverse("training:attendance_remove", args=[attendance.pk]))
    assert remove.status_code == NOT_FOUND
    assert Attendance.objects.filter(pk=attendance.pk).exists()
    sign_in(client, personas.state_officer)
    remove = client.post(reverse("training:attendance_remove", args=[added.pk]))
    assert remove.status_code == 302
    assert not Attendance.objects.filter(pk=added.pk).exists()
