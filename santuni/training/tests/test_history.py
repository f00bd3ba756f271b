"""A CBO's public page shows its training history: which events, when, and how many went.
Who went is a volunteer's personal data, shown only to the CBO's head and its officers."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from santuni.accounts.tests.personas import PERSONAS, sign_in
from santuni.directory.tests.factories import CboProfileFactory
from santuni.directory.tests.pages import html_of
from santuni.geo.models import District

from .factories import AttendanceFactory, EventFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
# The CBO's head, the officers of its district and state, ministry admins.
SEE_NAMES = {"ministry_admin", "district_officer", "state_officer", "cbo_head"}


@pytest.fixture
def history(personas):
    organization = personas.cbo.organization
    programme = ProgrammeFactory(name="Pembinaan Kapasiti Ketua CBO", name_en="CBO capacity")
    older = EventFactory(
        programme=programme,
        name="Kursus Asas Rujukan",
        name_en="Basic referral course",
        date=date(2026, 3, 9),
    )
    newer = EventFactory(
        programme=programme,
        name="Bengkel Susulan Kes",
        name_en="Case follow-up workshop",
        date=date(2026, 10, 5),
        end_date=date(2026, 10, 6),
    )
    AttendanceFactory(event=older, organization=organization, name="Halimah binti Yusuf")
    AttendanceFactory(event=newer, organization=organization, name="Halimah binti Yusuf")
    AttendanceFactory(event=newer, organization=organization, name="Rosli bin Hamid")
    # Another CBO at the same event: neither its people nor its count belong to this page.
    AttendanceFactory(event=newer, organization=personas.other_cbo.organization, name="Orang Lain")
    return organization


def cbo_page(client, organization, prefix=""):
    response = client.get(f"{prefix}{reverse('pages:organization', args=[organization.pk])}")
    assert response.status_code == 200
    return response, html_of(response)


def test_the_public_sees_the_events_dates_programme_and_how_many_but_no_names(client, history):
    _response, html = cbo_page(client, history, "/en")
    assert "Training history" in html
    assert "People from this CBO attended 2 capacity-building events." in html
    assert html.index("Case follow-up workshop") < html.index("Basic referral course")  # newest
    assert "5 October 2026 to 6 October 2026" in html and "9 March 2026" in html
    assert "CBO capacity" in html  # the programme, in English
    assert "2 people from the CBO attended" in html and "1 person from the CBO attended" in html
    assert "Halimah" not in html and "Rosli" not in html and "Orang Lain" not in html


def test_the_malay_page_shows_the_history_too(client, history):
    _response, html = cbo_page(client, history)
    assert 'id="latihan"' in html
    assert "Bengkel Susulan Kes" in html and "5 Oktober 2026" in html
    assert "Pembinaan Kapasiti Ketua CBO" in html
    assert "Halimah" not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_names_only_for_the_cbos_head_its_district_and_state_officers_and_ministry_admins(
    client, personas, history, persona
):
    sign_in(client, getattr(personas, persona))
    response, html = cbo_page(client, history, "/en")
    assert "Case follow-up workshop" in html  # the history itself is public
    assert "Orang Lain" not in html  # another CBO's attendee, whoever looks
    if persona in SEE_NAMES:
        assert "Halimah binti Yusuf" in html and "Rosli bin Hamid" in html
        assert "CBO member" in html  # their role
        # A page with personal data is kept by no cache.
        assert "no-store" in response["Cache-Control"]
    else:
        assert "Halimah" not in html and "Rosli" not in html


def test_an_officer_signed_in_with_a_password_only_sees_the_public_page(client, personas, history):
    client.force_login(personas.district_officer.user)  # no second factor passed
    _response, html = cbo_page(client, history)
    assert "Bengkel Susulan Kes" in html and "Halimah" not in html


def test_another_districts_officer_sees_no_names(client, personas):
    port_dickson = CboProfileFactory(district=District.objects.get(slug="port-dickson"))
    AttendanceFactory(organization=port_dickson.organization, name="Salmah binti Kassim")
    sign_in(client, personas.district_officer)
    assert "Salmah" not in cbo_page(client, port_dickson.organization)[1]
    sign_in(client, personas.other_district_officer)
    assert "Salmah binti Kassim" in cbo_page(client, port_dickson.organization)[1]


def test_a_cbo_without_training_says_so(client, personas):
    _response, html = cbo_page(client, personas.other_cbo.organization, "/en")
    assert "No training recorded yet." in html


def test_an_organisation_that_is_not_a_cbo_has_no_training_section(client, personas):
    _response, html = cbo_page(client, personas.agency, "/en")
    assert "Training history" not in html


def test_the_heads_own_page_links_to_the_history(client, personas, history):
    sign_in(client, personas.cbo_head)
    html = html_of(client.get("/en" + reverse("listings:my_cbo")))
    assert f"{reverse('pages:organization', args=[history.pk])}#latihan" in html


@pytest.mark.parametrize("persona", [None, "district_officer"])
def test_the_history_takes_the_same_queries_however_long(client, personas, persona):
    organization = personas.cbo.organization
    sign_in(client, getattr(personas, persona) if persona else None)

    def count() -> int:
        event = EventFactory(programme=ProgrammeFactory())
        AttendanceFactory(event=event, organization=organization)
        AttendanceFactory(event=event, organization=organization)
        with CaptureQueriesContext(connection) as page:
            cbo_page(client, organization)
        return len(page)

    first = count()
    for _ in range(3):
        more = count()
    assert first == more
