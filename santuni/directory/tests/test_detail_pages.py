"""Service and organization pages: what a person can act on, and what must never show."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from santuni.directory.models import ServiceArea

from .factories import (
    CboProfileFactory,
    OrganizationFactory,
    ServiceFactory,
    mukim,
    place_service,
    seremban,
    weekday_hours,
)
from .pages import html_of

KL = ZoneInfo("Asia/Kuala_Lumpur")
pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html_of(response)


def test_service_page_has_what_a_cbo_head_needs_to_act(client):
    service = ServiceFactory(
        name="Pendaftaran OKU",
        eligibility_description="Warganegara dengan kecacatan yang disahkan doktor.",
        application_process="Datang ke kaunter dengan borang BPPOKU.",
        fees_description="Percuma",
        assured_date=date(2026, 10, 15),
        terms=["oku", "pendaftaran"],
    )
    service.required_documents.create(document="Salinan MyKad")
    service.phones.create(number="+6067654321")
    service.phones.create(number="+60123456789", type="cell")
    location = place_service(service, latitude=2.72, longitude=101.94)
    weekday_hours(service)

    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=KL), tick=False):
        html = page(client, f"/perkhidmatan/{service.id}")
    assert "Pendaftaran OKU" in html
    assert "Warganegara dengan kecacatan" in html
    assert "borang BPPOKU" in html
    assert "Salinan MyKad" in html
    assert "Percuma" in html
    assert 'href="tel:+6067654321"' in html and "06-765 4321" in html
    assert 'href="https://wa.me/60123456789"' in html
    assert "Buka sekarang" in html
    assert "waze.com/ul?ll=2.720000%2C101.940000" in html
    assert "google.com/maps/search/?api=1&amp;query=2.720000%2C101.940000" in html
    assert location.addresses.get().address_1 in html
    assert "15 Oktober 2026" in html  # when a person last checked it
    assert "Orang kurang upaya (OKU)" in html


def test_service_page_says_closed_outside_hours_and_shows_the_week(client):
    service = ServiceFactory()
    weekday_hours(service)
    with time_machine.travel(datetime(2026, 11, 29, 10, 0, tzinfo=KL), tick=False):
        html = page(client, f"/perkhidmatan/{service.id}")
    assert "Tutup sekarang" in html
    assert "Isnin" in html and "08:00–17:00" in html


def test_service_page_in_english(client):
    service = ServiceFactory(name="Bakul makanan", name_en="Food basket")
    html = page(client, f"/en/perkhidmatan/{service.id}")
    assert "Food basket" in html and "Not yet checked by a person." in html


def test_unknown_service_or_organization_is_a_404(client):
    assert client.get("/perkhidmatan/8a1c5a8e-0000-4000-8000-000000000000").status_code == 404
    assert client.get("/organisasi/8a1c5a8e-0000-4000-8000-000000000000").status_code == 404


CONFIDENTIAL_ADDRESS = "Lot 77, Jalan Rahsia Perlindungan"


@pytest.fixture
def shelter():
    service = ServiceFactory(name="Rumah perlindungan wanita", terms=["mangsa-krt"])
    location = place_service(service, latitude=2.7123, longitude=101.9876, is_confidential=True)
    location.addresses.update(address_1=CONFIDENTIAL_ADDRESS)
    location.phones.create(number="+6067001234")
    ServiceArea.objects.create(service=service, district=seremban())
    return service


def assert_no_confidential_place(html: str):
    assert CONFIDENTIAL_ADDRESS not in html
    assert "2.7123" not in html and "101.9876" not in html
    assert "waze.com" not in html and "google.com/maps" not in html


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_confidential_addresses_never_appear_on_any_public_page(client, shelter, prefix):
    service_html = page(client, f"{prefix}/perkhidmatan/{shelter.id}")
    assert_no_confidential_place(service_html)
    assert "tel:+6067001234" in service_html  # the phone is still there to call
    assert_no_confidential_place(page(client, f"{prefix}/organisasi/{shelter.organization.id}"))
    for params in ["?q=perlindungan", "?kumpulan=mangsa-krt", "?lat=2.71&lng=101.98"]:
        html = page(client, f"{prefix}/cari{params}")
        assert shelter.name in html
        assert_no_confidential_place(html)
        results = html[html.index('id="results"') :]
        assert "Rasah" not in results  # not even the mukim


def test_confidential_location_gives_no_distance_when_sorting_near_me(client, shelter):
    response = client.get("/cari", {"lat": "2.7123", "lng": "101.9876"})
    (result,) = response.context["page"].object_list
    assert result.distance_km is None


def test_cbo_page_shows_the_head_only_with_consent(client):
    with_consent = CboProfileFactory(
        head_name="Siti Aminah binti Hassan", head_phone="+60120001111", head_consent=True
    )
    without = CboProfileFactory(
        head_name="Rajesh a/l Muthu", head_phone="+60120002222", head_consent=False
    )
    html = page(client, f"/organisasi/{with_consent.organization.id}")
    assert "Siti Aminah binti Hassan" in html and "tel:+60120001111" in html
    html = page(client, f"/organisasi/{without.organization.id}")
    assert "Rajesh" not in html and "60120002222" not in html and "012-000 2222" not in html


def test_cbo_page_shows_its_area_and_services(client):
    cbo = CboProfileFactory(member_count=14)
    cbo.mukims.set([mukim("Rasah"), mukim("Ampangan")])
    ServiceFactory(organization=cbo.organization, name="Ziarah warga emas")
    ServiceFactory(organization=cbo.organization, name="Servis lama", status="defunct")
    html = page(client, f"/organisasi/{cbo.organization.id}")
    assert "Rasah" in html and "Ampangan" in html and "14" in html
    assert "Ziarah warga emas" in html and "Servis lama" not in html


def test_sample_records_are_labelled(client):
    organization = OrganizationFactory(is_sample=True)
    service = ServiceFactory(organization=organization)
    assert "Contoh" in page(client, f"/perkhidmatan/{service.id}")
    assert "Sample" in page(client, f"/en/organisasi/{organization.id}")


def test_every_page_has_the_emergency_strip_and_a_language_switch(client):
    service = ServiceFactory()
    for url in ["/", "/cari?q=oku", f"/perkhidmatan/{service.id}"]:
        html = page(client, url)
        assert 'href="tel:999"' in html and 'href="tel:15999"' in html
        assert 'href="https://wa.me/60192615999"' in html
        assert f'href="/en{url}"' in html.replace("&amp;", "&")
    assert 'href="/cari?q=oku"' in page(client, "/en/cari?q=oku")


def test_home_page_offers_search_and_four_target_group_tiles(client):
    html = page(client, "/")
    assert 'action="/cari"' in html and 'name="q"' in html
    for code in ["kanak-kanak", "oku", "warga-emas", "mangsa-krt"]:
        assert f'href="/cari?kumpulan={code}"' in html


def test_service_opening_24_hours(client):
    service = ServiceFactory()
    weekday_hours(service, days="MO,TU,WE,TH,FR,SA,SU", opens=time(0), closes=time(23, 59))
    assert "Dibuka 24 jam, setiap hari." in page(client, f"/perkhidmatan/{service.id}")


def test_service_and_organization_pages_run_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(n_locations: int) -> tuple[int, int]:
        service = ServiceFactory(terms=["oku"])
        for _ in range(n_locations):
            location = place_service(service)
            location.phones.create(number="+6067654321")
            weekday_hours(service)
        for _ in range(n_locations):
            ServiceFactory(organization=service.organization)
        with CaptureQueriesContext(connection) as service_page:
            page(client, f"/perkhidmatan/{service.id}")
        with CaptureQueriesContext(connection) as organization_page:
            page(client, f"/organisasi/{service.organization.id}")
        return len(service_page), len(organization_page)

    assert count(1) == count(4)
