"""The results page at /cari: every filter, paging, bad input and htmx updates."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from santuni.directory.indexing import index_services
from santuni.directory.models import ServiceArea
from santuni.geo.places import gazetteer

from .factories import ServiceFactory, mukim, place_service, seremban, weekday_hours
from .pages import html_of

KL = ZoneInfo("Asia/Kuala_Lumpur")
pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    page = response.context["page"]
    return [s.name for s in page.object_list] if page is not None else []


def test_a_keyword_finds_services_by_name_description_target_group_and_organization(client):
    by_name = ServiceFactory(name="Rumah Seri Kenangan")
    by_description = ServiceFactory(name="Jagaan harian", description="Penjagaan untuk warga emas")
    by_term = ServiceFactory(name="Bakul makanan", terms=["warga-emas"])
    ServiceFactory(name="Tuisyen percuma", terms=["kanak-kanak"])

    assert names(client.get("/cari", {"q": "kenangan"})) == [by_name.name]
    found = names(client.get("/cari", {"q": "warga emas"}))
    assert sorted(found) == sorted([by_description.name, by_term.name])


def test_keywords_ignore_case_and_punctuation(client):
    service = ServiceFactory(name="Pendaftaran OKU")
    assert names(client.get("/cari", {"q": "  oku!! "})) == [service.name]


def test_district_filter_keeps_services_located_in_or_covering_the_district(client):
    located = ServiceFactory(name="Di Seremban")
    place_service(located)
    covering = ServiceFactory(name="Meliputi Seremban")
    ServiceArea.objects.create(service=covering, district=seremban())
    elsewhere = ServiceFactory(name="Di Tampin")
    ServiceArea.objects.create(service=elsewhere, district=mukim("Keru", "tampin").district)
    index_services([covering.pk, elsewhere.pk])  # as the admin and the import do

    assert sorted(names(client.get("/cari", {"daerah": "seremban"}))) == [
        "Di Seremban",
        "Meliputi Seremban",
    ]
    assert names(client.get("/cari", {"daerah": "tampin"})) == ["Di Tampin"]


def test_mukim_filter_includes_services_covering_the_whole_district(client):
    in_rasah = ServiceFactory(name="Di Rasah")
    place_service(in_rasah, mukim_name="Rasah")
    in_labu = ServiceFactory(name="Di Labu")
    place_service(in_labu, mukim_name="Labu")
    whole_district = ServiceFactory(name="Seluruh daerah")
    ServiceArea.objects.create(service=whole_district, district=seremban())
    index_services([whole_district.pk])  # as the admin and the import do

    found = names(client.get("/cari", {"daerah": "seremban", "mukim": "rasah"}))
    assert sorted(found) == ["Di Rasah", "Seluruh daerah"]
    assert sorted(names(client.get("/cari", {"mukim": "labu"}))) == ["Di Labu", "Seluruh daerah"]


def test_a_shelter_is_not_found_by_the_mukim_of_its_hidden_address(client):
    shelter = ServiceFactory(name="Rumah perlindungan")
    place_service(shelter, mukim_name="Rasah", is_confidential=True)
    ServiceArea.objects.create(service=shelter, district=seremban(), mukim=mukim("Labu"))
    index_services([shelter.pk])  # as the admin and the import do

    assert names(client.get("/cari", {"daerah": "seremban", "mukim": "rasah"})) == []
    # It is found where it says it serves, and in its district.
    assert names(client.get("/cari", {"daerah": "seremban", "mukim": "labu"})) == [
        "Rumah perlindungan"
    ]
    assert names(client.get("/cari", {"daerah": "seremban"})) == ["Rumah perlindungan"]


def test_target_group_and_need_filters_combine(client):
    ServiceFactory(name="Makanan warga emas", terms=["warga-emas", "makanan"])
    ServiceFactory(name="Jagaan warga emas", terms=["warga-emas", "penjagaan"])
    ServiceFactory(name="Makanan kanak-kanak", terms=["kanak-kanak", "makanan"])

    assert len(names(client.get("/cari", {"kumpulan": "warga-emas"}))) == 2
    assert names(client.get("/cari", {"kumpulan": "warga-emas", "keperluan": "makanan"})) == [
        "Makanan warga emas"
    ]


def test_open_now_uses_malaysian_time_and_location_hours(client):
    office_hours = ServiceFactory(name="Waktu pejabat")
    weekday_hours(office_hours)
    round_the_clock = ServiceFactory(name="24 jam")
    weekday_hours(round_the_clock, days="MO,TU,WE,TH,FR,SA,SU", opens=time(0), closes=time(23, 59))
    at_location = ServiceFactory(name="Ikut waktu lokasi")
    location = place_service(at_location)
    location.schedules.create(byday="SA", opens_at=time(9), closes_at=time(13))
    ServiceFactory(name="Tiada waktu")

    # Saturday 10:00 in Seremban is Saturday 02:00 UTC.
    with time_machine.travel(datetime(2026, 11, 28, 10, 0, tzinfo=KL), tick=False):
        assert sorted(names(client.get("/cari", {"buka": "on"}))) == ["24 jam", "Ikut waktu lokasi"]
    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=KL), tick=False):
        assert sorted(names(client.get("/cari", {"buka": "on"}))) == ["24 jam", "Waktu pejabat"]


def test_near_me_sorts_by_distance_and_shows_it(client):
    far = ServiceFactory(name="Jauh")
    place_service(far, latitude=2.5200, longitude=102.1000)
    near = ServiceFactory(name="Dekat")
    place_service(near, latitude=2.7300, longitude=101.9400)
    nowhere = ServiceFactory(name="Tanpa lokasi")

    response = client.get("/cari", {"lat": "2.7258", "lng": "101.9424"})
    assert names(response) == ["Dekat", "Jauh", nowhere.name]
    html = html_of(response)
    # The position is rounded to ~1 km before use, so these are from (2.73, 101.94).
    assert '<span class="distance">&lt; 1 km</span>' in html
    assert '<span class="distance">29 km</span>' in html


def test_inactive_services_come_last_and_defunct_ones_are_hidden(client):
    ServiceFactory(name="A ditutup sementara", status="temporarily closed")
    ServiceFactory(name="B aktif")
    ServiceFactory(name="C tamat", status="defunct")
    assert names(client.get("/cari")) == ["B aktif", "A ditutup sementara"]


def test_results_are_paged_and_pages_keep_the_filters(client):
    for n in range(25):
        ServiceFactory(name=f"Servis {n:02d}", terms=["oku"])
    first = client.get("/cari", {"kumpulan": "oku"})
    assert len(names(first)) == 20
    assert 'href="?kumpulan=oku&amp;page=2"' in html_of(first)
    second = client.get("/cari", {"kumpulan": "oku", "page": "2"})
    assert names(second) == [f"Servis {n}" for n in range(20, 25)]
    # A page number past the end shows the last page rather than an error.
    assert names(client.get("/cari", {"kumpulan": "oku", "page": "99"})) == names(second)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"daerah": "atlantis"}, "Pilih pilihan yang sah"),
        ({"kumpulan": "robot"}, "Pilih pilihan yang sah"),
        ({"lat": "abc", "lng": "101.9"}, "lokasi anda tidak dapat dibaca"),
        ({"lat": "2.7", "lng": "500"}, "lokasi anda tidak dapat dibaca"),
        ({"lat": "2.7"}, "lokasi anda tidak lengkap"),
        ({"daerah": "tampin", "mukim": "rasah"}, "Pilih pilihan yang sah"),
    ],
)
def test_bad_filters_get_a_clear_message_not_an_error(client, params, message):
    response = client.get("/cari", params)
    assert response.status_code == 200
    assert message.casefold() in html_of(response).casefold()
    assert response.context["page"] is None


def test_no_results_suggests_what_to_do(client):
    response = client.get("/cari", {"q": "tiadaapaapa"})
    html = html_of(response)
    assert "Tiada perkhidmatan yang sepadan" in html
    assert "15999" in html


def test_htmx_requests_get_only_the_search_body(client):
    ServiceFactory(name="Bakul makanan")
    response = client.get("/cari", {"q": "bakul"}, headers={"HX-Request": "true"})
    html = html_of(response)
    assert "Bakul makanan" in html
    assert "<html" not in html and 'id="results"' in html


def test_the_url_carries_the_filters_so_a_search_can_be_shared(client):
    ServiceFactory(name="Pendaftaran OKU", terms=["oku"])
    response = client.get("/cari?q=pendaftaran&kumpulan=oku&daerah=")
    assert names(response) == ["Pendaftaran OKU"]
    html = html_of(response)
    assert 'value="pendaftaran"' in html
    assert '<option value="oku" selected>' in html


def test_english_results_page_lives_under_en(client):
    ServiceFactory(name="Bakul makanan", name_en="Food basket")
    response = client.get("/en/cari", {"q": "food"})
    html = html_of(response)
    assert '<html lang="en">' in html
    assert "Food basket" in html and "1 service found" in html
    malay = html_of(client.get("/cari", {"q": "food"}))
    assert '<html lang="ms">' in malay and "Bakul makanan" in malay


def test_the_results_page_runs_a_fixed_number_of_queries(client):
    def count_queries(n_services: int) -> int:
        for _ in range(n_services):
            service = ServiceFactory(terms=["oku", "kesihatan"])
            place_service(service)
            service.phones.create(number="+6067654321")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cari", {"kumpulan": "oku"}).status_code == 200
        return len(ctx.captured_queries)

    gazetteer()  # what every process keeps of the places, loaded once
    assert count_queries(2) == count_queries(15) == 14


def test_did_you_mean_is_offered_even_when_the_filters_leave_no_result(client):
    ServiceFactory(name="Kaunter kebajikan")  # nowhere: no district has it
    response = client.get("/cari", {"q": "kebajkan", "daerah": "seremban"})
    assert response.context["page"].paginator.count == 0
    assert "kebajikan</a>?" in html_of(response)
