"""Rules of the directory's data."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from santuni.directory.models import Location, Schedule
from santuni.lib.phones import normalise_phone, phone_display

from .factories import OrganizationFactory, ServiceFactory

KL = ZoneInfo("Asia/Kuala_Lumpur")
pytestmark = pytest.mark.django_db


def test_english_falls_back_to_malay_when_no_english_text_is_given():
    service = ServiceFactory(name="Bakul makanan", name_en="", description="Untuk warga emas")
    service.description_en = "For older people"
    with translation.override("en"):
        assert service.tr.name == "Bakul makanan"
        assert service.tr.description == "For older people"
    with translation.override("ms"):
        assert service.tr.description == "Untuk warga emas"


def test_ids_are_uuids_for_hsds():
    service = ServiceFactory()
    assert len(str(service.id)) == 36 and str(service.id).count("-") == 4


def test_a_minimum_age_above_the_maximum_is_refused():
    with pytest.raises(IntegrityError):
        ServiceFactory(minimum_age=60, maximum_age=18)


def test_a_location_needs_both_coordinates_or_neither():
    with pytest.raises(ValidationError):
        Location(organization=OrganizationFactory(), latitude=2.7, longitude=None).full_clean()


def test_coordinates_outside_malaysia_are_refused():
    location = Location(organization=OrganizationFactory(), latitude=27.0, longitude=101.9)
    with pytest.raises(ValidationError) as error:
        location.full_clean()
    assert "latitude" in error.value.message_dict


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (datetime(2026, 11, 30, 8, 0, tzinfo=KL), True),  # Monday at opening
        (datetime(2026, 11, 30, 17, 0, tzinfo=KL), True),  # Monday at closing
        (datetime(2026, 11, 30, 17, 1, tzinfo=KL), False),
        (datetime(2026, 11, 30, 7, 59, tzinfo=KL), False),
        (datetime(2026, 11, 29, 10, 0, tzinfo=KL), False),  # Sunday
    ],
)
def test_weekday_opening_hours(moment, is_open):
    rule = Schedule(byday="MO,TU,WE,TH,FR", opens_at=time(8), closes_at=time(17))
    assert rule.is_open_at(moment) is is_open


def test_a_schedule_outside_its_validity_is_closed():
    rule = Schedule(
        byday="MO", opens_at=time(8), closes_at=time(17), valid_to=datetime(2026, 1, 1).date()
    )
    assert not rule.is_open_at(datetime(2026, 11, 30, 9, tzinfo=KL))


@pytest.mark.parametrize(
    ("number", "display", "whatsapp"),
    [
        ("+6067654321", "06-765 4321", ""),
        ("+60123456789", "012-345 6789", "https://wa.me/60123456789"),
        ("15999", "15999", ""),
        ("999", "999", ""),
    ],
)
def test_phone_numbers_are_shown_the_malaysian_way(number, display, whatsapp):
    shown = phone_display(number)
    assert shown.display == display
    assert shown.whatsapp == whatsapp
    assert shown.tel == f"tel:{number}"


def test_phone_numbers_are_stored_in_e164():
    assert normalise_phone("06-765 4321") == "+6067654321"
    assert normalise_phone("012-345 6789") == "+60123456789"
    assert normalise_phone("15999") == "15999"
    for bad in ["12", "06-12", "telefon"]:
        with pytest.raises(ValueError):
            normalise_phone(bad)
