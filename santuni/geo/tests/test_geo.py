"""Geography seed and helpers."""

import pytest

from santuni.geo.distance import distance_km, google_maps_url, waze_url
from santuni.geo.models import District, Mukim, State

pytestmark = pytest.mark.django_db


def test_all_sixteen_states_and_territories_have_their_iso_codes():
    codes = dict(State.objects.values_list("code", "name"))
    assert len(codes) == 16
    assert codes["MY-05"] == "Negeri Sembilan"
    assert codes["MY-14"] == "Wilayah Persekutuan Kuala Lumpur"
    assert sorted(codes) == [f"MY-{n:02d}" for n in range(1, 17)]


def test_negeri_sembilan_has_its_seven_districts_and_seremban_its_eight_mukims():
    districts = District.objects.filter(state__code="MY-05")
    assert sorted(districts.values_list("name", flat=True)) == [
        "Jelebu",
        "Jempol",
        "Kuala Pilah",
        "Port Dickson",
        "Rembau",
        "Seremban",
        "Tampin",
    ]
    seremban = sorted(
        Mukim.objects.filter(district__slug="seremban").values_list("name", flat=True)
    )
    assert seremban == [
        "Ampangan",
        "Labu",
        "Lenggeng",
        "Pantai",
        "Rantau",
        "Rasah",
        "Seremban",
        "Setul",
    ]
    assert Mukim.objects.filter(district__state__code="MY-05").count() == 61


def test_every_mukim_centre_lies_near_its_own_district():
    for mukim in Mukim.objects.select_related("district"):
        km = distance_km(
            mukim.latitude, mukim.longitude, mukim.district.latitude, mukim.district.longitude
        )
        assert km < 45, f"{mukim} is {km:.0f} km from {mukim.district}"


def test_distance_between_seremban_and_kuala_lumpur_is_about_55_km():
    assert distance_km(2.7258, 101.9424, 3.1390, 101.6869) == pytest.approx(53.5, abs=3)
    assert distance_km(2.7, 101.9, 2.7, 101.9) == 0


def test_map_links_open_the_point_in_waze_and_google_maps():
    assert waze_url(2.7258, 101.9424) == "https://waze.com/ul?ll=2.725800%2C101.942400&navigate=yes"
    assert google_maps_url(2.7258, 101.9424) == (
        "https://www.google.com/maps/search/?api=1&query=2.725800%2C101.942400"
    )
