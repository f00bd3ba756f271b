"""Search as people use it: Malay and English, word forms, synonyms, typos, filters, order.

These run on SQLite (FTS5) and, in CI, again on PostgreSQL (tsvector and pg_trgm).
"""

from datetime import date, time

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.test import RequestFactory

from santuni.directory import models
from santuni.directory.indexing import index_services, rebuild
from santuni.directory.selectors import SearchQuery, services_search
from santuni.directory.tests.factories import (
    ServiceFactory,
    mukim,
    place_service,
    seremban,
    term,
    weekday_hours,
)
from santuni.search.models import SearchDocument, SynonymFamily
from santuni.search.query import plan
from santuni.search.text import base, stems, words

pytestmark = pytest.mark.django_db


def found(text: str, **filters) -> list[str]:
    return [s.name for s in services_search(SearchQuery(text=text, **filters))[0:50]]


# --- language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word, expected",
    [
        ("kanak-kanak", "kanak"),
        ("rumah-rumah", "rumah"),
        ("kanak2", "kanak"),
        ("sayur-mayur", "sayur"),
    ],
)
def test_reduplication_becomes_the_base_word(word, expected):
    assert base(word) == expected


def test_words_are_folded_for_case_accents_and_punctuation():
    assert words("Café, RUMAH  Kanak-Kanak! (OKU)") == ["cafe", "rumah", "kanak", "oku"]


@pytest.mark.parametrize(
    "a, b",
    [
        ("bantuan", "membantu"),
        ("penjagaan", "dijaga"),
        ("pekerjaan", "bekerja"),
        ("perlindungan", "dilindungi"),
        ("keganasan", "ganas"),
        ("pendaftaran", "mendaftar"),
        ("disabled", "disability"),
        ("counselling", "counselled"),
    ],
)
def test_word_forms_share_a_stem(a, b):
    assert set(stems(a)) & set(stems(b))


def test_a_search_finds_other_forms_of_the_word():
    ServiceFactory(name="Penjagaan harian", description="Orang tua dijaga pada waktu siang.")
    ServiceFactory(name="Kelas memasak", description="Belajar memasak.")
    assert found("jaga") == ["Penjagaan harian"]
    assert found("menjaga") == ["Penjagaan harian"]


def test_english_listings_are_found_by_english_word_forms():
    ServiceFactory(name="Sokongan", name_en="Counselling for families", description="Sesi.")
    assert found("counselled") == ["Sokongan"]


# --- synonyms ---------------------------------------------------------------------------


def test_synonyms_work_both_ways_and_across_languages():
    elderly = ServiceFactory(name="Pusat aktiviti warga emas", description="Aktiviti harian.")
    ServiceFactory(name="Taska Ceria", description="Penjagaan kanak-kanak.")
    assert found("warga emas") == [elderly.name]
    assert found("orang tua") == [elderly.name]
    assert found("elderly") == [elderly.name]
    assert found("senior citizen") == [elderly.name]


def test_abbreviations_reach_what_they_stand_for():
    oku = ServiceFactory(name="Bengkel orang kurang upaya", description="Latihan kerja.")
    krt = ServiceFactory(name="Bantuan mangsa keganasan rumah tangga", description="Sokongan.")
    assert found("OKU") == [oku.name]
    assert found("disabled") == [oku.name]
    assert found("domestic violence") == [krt.name]


def test_families_added_in_the_admin_work_at_once(admin_client):
    service = ServiceFactory(name="Pusat khidmat setempat", description="Kaunter bantuan.")
    assert found("UTC") == []
    response = admin_client.post(
        "/admin/search/synonymfamily/add/",
        {"members": "utc, pusat khidmat setempat, urban transformation centre", "is_active": "on"},
    )
    assert response.status_code == 302
    assert found("UTC") == [service.name]
    assert found("urban transformation centre") == [service.name]


def test_a_family_needs_two_members(admin_client):
    response = admin_client.post(
        "/admin/search/synonymfamily/add/", {"members": "seorang", "is_active": "on"}
    )
    assert response.status_code == 200
    assert not SynonymFamily.objects.exists()


# --- typos ------------------------------------------------------------------------------


def test_a_misspelt_word_of_four_letters_or_more_still_finds(client):
    welfare = ServiceFactory(name="Kaunter kebajikan", description="Pertanyaan bantuan.")
    ServiceFactory(name="Kedai runcit", description="Barang dapur.")
    assert found("kebajkan") == [welfare.name]
    assert found("kebajikna") == [welfare.name]  # letters swapped
    assert plan("kebajkan").suggestion == "kebajikan"
    page = client.get("/cari", {"q": "kebajkan"}).content.decode()
    assert "kebajikan</a>?" in page  # "did you mean"


def test_short_words_are_not_corrected():
    ServiceFactory(name="Kaunter OKU", description="Pendaftaran.")
    assert plan("okk").corrections == {}


# --- filters ----------------------------------------------------------------------------


def test_filters_apply_inside_the_search():
    in_rasah = ServiceFactory(name="Bantuan makanan Rasah", terms=["warga-emas", "makanan"])
    place_service(in_rasah, mukim_name="Rasah")
    in_labu = ServiceFactory(name="Bantuan makanan Labu", terms=["kanak-kanak", "makanan"])
    place_service(in_labu, mukim_name="Labu")
    elsewhere = ServiceFactory(name="Bantuan makanan Tampin", terms=["warga-emas"])
    models.ServiceArea.objects.create(service=elsewhere, district=mukim("Keru", "tampin").district)
    index_services([elsewhere.pk])

    assert set(found("makanan")) == {in_rasah.name, in_labu.name, elsewhere.name}
    assert set(found("makanan", district=seremban())) == {in_rasah.name, in_labu.name}
    assert found("makanan", mukim=mukim("Labu")) == [in_labu.name]
    assert set(found("makanan", target_group=term("warga-emas"))) == {
        in_rasah.name,
        elsewhere.name,
    }
    assert found("makanan", need=term("makanan"), district=seremban(), mukim=mukim("Rasah")) == [
        in_rasah.name
    ]


def test_open_now_filter():
    open_one = ServiceFactory(name="Kaunter kebajikan buka")
    weekday_hours(open_one, opens=time(8), closes=time(17))
    closed = ServiceFactory(name="Kaunter kebajikan tutup")
    weekday_hours(closed, days="SA,SU")
    monday_noon = date(2026, 11, 30)
    with time_machine.travel(f"{monday_noon}T12:00:00+08:00", tick=False):
        assert found("kebajikan", open_now=True) == [open_one.name]


def test_near_me_ranks_the_nearer_of_equal_matches_first():
    far = ServiceFactory(name="Taska Jauh")
    place_service(far, latitude=2.95, longitude=101.95)
    near = ServiceFactory(name="Taska Dekat")
    place_service(near, latitude=2.726, longitude=101.943)
    position = {"latitude": 2.7258, "longitude": 101.9424}
    assert found("taska", **position) == ["Taska Dekat", "Taska Jauh"]
    within = found("taska", radius_km=5, **position)
    assert within == ["Taska Dekat"]


# --- ranking ----------------------------------------------------------------------------


@pytest.fixture
def directory():
    """Other listings around the ones a test compares, as in any real directory: word
    rarity then means what it means at scale."""
    for n, (name, description) in enumerate(
        [
            ("Kelas mengaji", "Belajar al-Quran untuk remaja."),
            ("Bantuan makanan bulanan", "Bakul makanan untuk keluarga B40."),
            ("Klinik kesihatan", "Pemeriksaan kesihatan percuma."),
            ("Tuisyen percuma", "Kelas tambahan untuk murid sekolah."),
            ("Pusat sukan komuniti", "Gelanggang badminton dan futsal."),
            ("Kursus keusahawanan", "Latihan perniagaan kecil."),
            ("Perpustakaan desa", "Buku dan internet percuma."),
            ("Gotong-royong kampung", "Membersihkan kawasan bersama."),
        ]
    ):
        ServiceFactory(name=f"{name} {n}", description=description)


def test_names_weigh_more_than_terms_and_terms_more_than_descriptions(directory):
    ServiceFactory(name="Kelas jahitan", description="Untuk ibu tunggal dan lain-lain.")
    ServiceFactory(name="Sokongan ibu tunggal", description="Kaunseling.")
    ServiceFactory(name="Kelas komputer", terms=["wanita-ibu-tunggal"], description="Belajar.")
    assert found("ibu tunggal")[0] == "Sokongan ibu tunggal"


def test_an_exact_name_comes_first(directory):
    ServiceFactory(name="Rumah Seri Kenangan Seremban", description="Institusi warga emas.")
    ServiceFactory(
        name="Lawatan ke rumah warga emas",
        description="Rumah seri kenangan dan rumah lain dilawati. Seri kenangan.",
    )
    assert found("rumah seri kenangan seremban")[0] == "Rumah Seri Kenangan Seremban"


def test_recently_checked_listings_come_before_equal_old_ones(directory):
    ServiceFactory(name="Bantuan makanan A", assured_date=date(2019, 1, 1))
    ServiceFactory(name="Bantuan makanan B", assured_date=date.today())
    result = found("bantuan makanan")
    assert result.index("Bantuan makanan B") < result.index("Bantuan makanan A")


def test_inactive_services_come_last_and_defunct_ones_never(directory):
    ServiceFactory(name="Taska lama", status="inactive")
    ServiceFactory(name="Taska tutup", status="defunct")
    ServiceFactory(name="Taska baharu", description="Taska taska taska.")
    ServiceFactory(name="Taska biasa")
    result = found("taska")
    assert result[-1] == "Taska lama" and "Taska tutup" not in result
    assert len(result) == 3


# --- the index follows the data ---------------------------------------------------------


def test_index_follows_create_update_and_delete_through_the_admin(admin_client):
    organization = models.Organization.objects.create(name="Persatuan Contoh", description="Ujian.")
    response = admin_client.post(
        "/admin/directory/service/add/",
        {
            "organization": organization.pk,
            "name": "Kelas mengaji",
            "status": "active",
            **{
                f"{prefix}-{key}": value
                for prefix in [
                    "service_at_locations",
                    "service_areas",
                    "phones",
                    "schedules",
                    "required_documents",
                    "languages",
                    "cost_options",
                    "funding",
                    "contacts",
                ]
                for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()
            },
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service = models.Service.objects.get(name="Kelas mengaji")
    assert found("mengaji") == ["Kelas mengaji"]

    service.name = "Kelas tajwid"
    request = RequestFactory().post("/")
    request.user = response.wsgi_request.user
    admin = site._registry[models.Service]
    admin.save_model(request, service, None, True)
    admin.save_related(
        request,
        type("F", (), {"instance": service, "save_m2m": lambda: None, "changed_data": ["name"]}),
        [],
        True,
    )
    assert found("mengaji") == [] and found("tajwid") == ["Kelas tajwid"]

    # An organization renamed in the admin is found under its new name.
    organization.name = "Persatuan Al-Hidayah"
    site._registry[models.Organization].save_related(
        request,
        type(
            "F", (), {"instance": organization, "save_m2m": lambda: None, "changed_data": ["name"]}
        ),
        [],
        True,
    )
    organization.save()
    site._registry[models.Organization].save_related(
        request,
        type(
            "F", (), {"instance": organization, "save_m2m": lambda: None, "changed_data": ["name"]}
        ),
        [],
        True,
    )
    assert found("hidayah") == ["Kelas tajwid"]

    admin.delete_model(request, service)
    assert found("tajwid") == []
    assert not SearchDocument.objects.exists()


def test_index_follows_an_import_and_a_defunct_service_leaves_it(tmp_path):
    from santuni.api.tests.test_import import run_import, sample_service, write_ndjson

    record = sample_service(name="Pusat jagaan harian Contoh")
    run_import(write_ndjson(tmp_path / "a.ndjson", [record]))
    assert found("jagaan harian") == ["Pusat jagaan harian Contoh"]
    run_import(write_ndjson(tmp_path / "b.ndjson", [record | {"status": "defunct"}]))
    assert found("jagaan harian") == []


def test_rebuild_gives_the_same_index():
    ServiceFactory(name="Bantuan makanan", terms=["makanan"])
    ServiceFactory(name="Taska", description="Penjagaan kanak-kanak.")
    before = list(SearchDocument.objects.values_list("key", "name", "terms", "body"))
    assert rebuild() == 2
    after = list(SearchDocument.objects.values_list("key", "name", "terms", "body"))
    assert sorted(after) == sorted(before)
    assert found("kanak-kanak") == ["Taska"]


def test_a_phrase_from_a_family_must_stand_together(directory):
    home = ServiceFactory(name="Rumah Kanak-Kanak Tunas Harapan", description="Penjagaan.")
    ServiceFactory(name="Terapi di rumah", description="Untuk kanak-kanak OKU di rumah sendiri.")
    assert found("childrens home")[0] == home.name
    assert found("orphanage") == [home.name]


def test_root_words_are_not_cut_into_other_words(directory):
    ServiceFactory(name="Pusat warga tua", description="Aktiviti untuk orang tua.")
    village = ServiceFactory(name="Pejabat ketua kampung", description="Surat pengesahan.")
    therapy = ServiceFactory(name="Terapi cara kerja", description="Untuk OKU.")
    ServiceFactory(name="Latihan kebakaran", description="Api dan keselamatan.")
    assert found("ketua") == [village.name]  # not the services for older people (tua)
    assert found("terapi") == [therapy.name]


def test_with_enough_services_holding_every_word_only_those_are_listed():
    for n in range(21):
        ServiceFactory(name=f"Kelas jahitan wanita {n}")
    ServiceFactory(name="Kelas memasak wanita")
    assert len(found("jahitan wanita")) == 21  # "memasak wanita" has only one of the words
    assert "Kelas memasak wanita" in found("masakan wanita")  # too few with both: any word


# --- families in the index, levels and pools at scale -------------------------------------


def test_a_family_is_found_through_its_index_token_and_an_edited_one_member_by_member(
    admin_client,
):
    from santuni.directory.indexing import rebuild
    from santuni.search.index import INDEXED
    from santuni.search.models import IndexedFamily

    home = ServiceFactory(name="Rumah Seri Kenangan Contoh", description="Jagaan warga emas.")
    elderly = plan("old folks home")
    token = elderly.families[0][0]
    assert IndexedFamily.objects.filter(token=token).exists()  # recorded by the migration
    assert elderly.alternatives(0, INDEXED.get())[0] == (token,)
    assert found("old folks home") == [home.name]

    # An administrator's new family is not in the index yet: searched member by member.
    response = admin_client.post(
        "/admin/search/synonymfamily/add/",
        {"members": "teratak kasih, rumah seri kenangan", "is_active": "on"},
    )
    assert response.status_code == 302
    new = plan("teratak kasih")
    assert new.families[0][0] not in INDEXED.get(check_now=True)
    assert new.alternatives(0, INDEXED.get()) == new.groups[0]
    assert found("teratak kasih") == [home.name]
    # Rebuilding records it; the search finds the same, through the token.
    rebuild()
    assert new.families[0][0] in INDEXED.get(check_now=True)
    assert found("teratak kasih") == [home.name]


def test_correct_everyday_words_are_not_corrected_into_directory_words():
    ServiceFactory(name="Program belia", description="Untuk belia.")
    ServiceFactory(name="Borang bantuan", description="Borang JKM.")
    assert plan("beli barang").corrections == {}  # "buy", not "belia" (youth)
    assert plan("sorang").corrections == {}  # "alone", not "borang" (form)
    assert plan("beliaa").corrections == {"beliaa": "belia"}


def test_when_enough_services_have_most_words_those_with_fewer_are_left_out(monkeypatch):
    monkeypatch.setattr("santuni.search.ranking.ENOUGH", 3)
    for n in range(3):
        ServiceFactory(name=f"Kelas jahitan wanita {n}", description="Belajar.")
    ServiceFactory(name="Kelas memasak", description="Belajar memasak.")
    # No service has all three words; three have two of them: those are the answer.
    assert sorted(found("jahitan wanita kampung")) == [
        f"Kelas jahitan wanita {n}" for n in range(3)
    ]
    assert "Kelas memasak" in found("memasak wanita kampung")  # too few with two: any word


def test_with_more_matches_than_the_pool_holds_names_come_first(monkeypatch):
    monkeypatch.setattr("santuni.search.ranking.POOL", 3)
    for n in range(8):
        ServiceFactory(name=f"Kelas {n}", description="Kaunseling untuk keluarga.")
    in_names = [ServiceFactory(name=f"Kaunseling keluarga {n}").name for n in range(2)]
    assert sorted(found("kaunseling")[:2]) == sorted(in_names)


def test_near_me_at_scale_draws_from_the_nearest_cells(monkeypatch):
    # Pools smaller than the matches, as on a national directory.
    for name, value in {"NEAR_BLOCK": 3, "NEAR_POOL": 4, "POOL": 2}.items():
        monkeypatch.setattr(f"santuni.search.ranking.{name}", value)
    here = (2.7258, 101.9424)
    for n in range(6):  # a town of listings some 30 to 40 km away
        far = ServiceFactory(name=f"Taska jauh {n}")
        place_service(far, latitude=2.95 + n * 0.01, longitude=102.05)
    near = []
    for n in range(3):
        service = ServiceFactory(name=f"Taska dekat {n}")
        place_service(service, latitude=here[0] + n * 0.002, longitude=here[1])
        near.append(service.name)
    result = services_search(SearchQuery(text="taska", latitude=here[0], longitude=here[1]))
    assert [s.name for s in result[0:3]] == near
    assert len(result) == 9 and len(list(result[0:20])) == 9


def test_near_me_keeps_the_nearest_when_the_cells_hold_too_few(monkeypatch):
    for name, value in {"NEAR_BLOCK": 2, "NEAR_POOL": 2, "POOL": 2}.items():
        monkeypatch.setattr(f"santuni.search.ranking.{name}", value)
    here = (2.7258, 101.9424)
    for n in range(6):  # across the country, the word in their names
        far = ServiceFactory(name=f"Taska {n}")
        place_service(far, latitude=5.5 + n * 0.1, longitude=100.4)
    nearest = ServiceFactory(name="Pusat jagaan", description="Taska untuk bayi.")
    place_service(nearest, latitude=here[0] + 0.2, longitude=here[1])  # some 22 km away
    result = services_search(SearchQuery(text="taska", latitude=here[0], longitude=here[1]))
    assert result[0:2][0].name == "Pusat jagaan"


# --- the index's own tokens ---------------------------------------------------------------


def test_the_index_tokens_beside_the_words_are_no_words_a_search_can_ask_for(client):
    """Filters (district, mukim, term, grid cell, "in the name") and synonym families are
    tokens of their own in the index. Typed into a search, they find nothing: a person
    cannot list the services of a district or a family by typing its token."""
    from santuni.search import index
    from santuni.search.models import IndexedFamily

    home = ServiceFactory(name="Rumah warga emas Rasah", terms=["warga-emas"])
    location = place_service(home, mukim_name="Rasah")
    models.ServiceArea.objects.create(service=home, district=seremban())
    index_services([home.pk])
    document = SearchDocument.objects.get(key=home.pk)
    family = next(
        token
        for token in IndexedFamily.objects.values_list("token", flat=True)
        if token in document.name.split()
    )
    tokens = {
        "district": index.district_facet(seremban().pk),
        "whole district": index.whole_district_facet(seremban().pk),
        "mukim": index.mukim_facet(mukim("Rasah").pk),
        "term": index.term_facet(term("warga-emas").pk),
        "grid cell": index.cell_facet(location.latitude, location.longitude, 0.005),
        "in the name": index.name_facet(document.name.split()[0]),
        "family": family,
    }
    assert set(tokens.values()) <= {*document.facets.split(), *document.name.split()}
    internal = {*document.facets.split(), family}
    for kind, token in tokens.items():
        # What a query can ask the index for is never one of its own tokens...
        assert plan(token).stems.isdisjoint(internal), kind
        if kind == "in the name":
            continue  # (typed, it is the name's word with a letter more: a typo of it)
        # ...so a search for one finds nothing, on the API and on the results page.
        api = client.get("/api/hsds/services", {"search": token}).json()
        assert api["total_items"] == 0, kind
        page = client.get("/cari", {"q": token})
        assert page.context["page"].paginator.count == 0, kind
    # The words people type still find the listing.
    assert client.get("/api/hsds/services", {"search": "warga emas"}).json()["total_items"] == 1
    assert client.get("/cari", {"q": "rasah"}).context["page"].paginator.count == 1
