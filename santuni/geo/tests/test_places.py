"""Every state's districts, found by the names people write, and the postcode gazetteer."""

import pytest
from django.db.models import F

from santuni.geo.models import District, Mukim, Postcode, State
from santuni.geo.places import fold_place, gazetteer

pytestmark = pytest.mark.django_db


def test_every_state_and_territory_has_its_districts():
    per_state = {s.code: s.districts.count() for s in State.objects.all()}
    assert len(per_state) == 16
    assert all(count >= 1 for count in per_state.values()), per_state
    assert per_state["MY-05"] == 7
    assert per_state["MY-01"] == 10  # Johor, with Kulai and Tangkak
    assert per_state["MY-10"] == 9  # Selangor
    assert per_state["MY-14"] == per_state["MY-15"] == per_state["MY-16"] == 1
    assert District.objects.count() >= 155
    assert Mukim.objects.filter(district__state__code="MY-05").count() == 61


def test_friday_weekend_in_kedah_kelantan_and_terengganu_only():
    weekends = dict(State.objects.values_list("code", "weekend"))
    assert {c for c, w in weekends.items() if w == State.Weekend.FRIDAY_SATURDAY} == {
        "MY-02",
        "MY-03",
        "MY-11",
    }


@pytest.mark.parametrize(
    ("written", "slug"),
    [
        ("Kota Bharu", "kota-bharu"),
        ("kota bahru", "kota-bharu"),
        ("Jajahan Kota Bharu", "kota-bharu"),
        ("Daerah Seremban", "seremban"),
        ("SEREMBAN DISTRICT", "seremban"),
        ("JB", "johor-bahru"),
        ("Johor Baharu", "johor-bahru"),
        ("Kulaijaya", "kulai"),
        ("0102", "johor-bahru"),  # its official code
        ("Kuching", "kuching"),
        ("Kota Kinabalu", "kota-kinabalu"),
    ],
)
def test_a_district_is_found_by_any_name_spelling_or_code(written, slug):
    found = gazetteer().district(written)
    assert found is not None and found.slug == slug


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Negeri Sembilan", "MY-05"),
        ("N. Sembilan", "MY-05"),
        ("MY-03", "MY-03"),
        ("Penang", "MY-07"),
        ("W.P. Kuala Lumpur", "MY-14"),
        ("Federal Territory of Labuan", "MY-15"),
        ("Johore", "MY-01"),
    ],
)
def test_a_state_is_found_by_malay_or_english_name_or_code(written, code):
    found = gazetteer().state(written)
    assert found is not None and found.code == code


def test_a_name_two_states_share_needs_the_state():
    johor = State.objects.get(code="MY-01")
    kelantan = State.objects.get(code="MY-03")
    District.objects.create(
        state=johor,
        name="Bachok Baru",
        slug="bachok-baru",
        latitude=1.5,
        longitude=103.5,
        variants=["Bachok"],
    )
    places = gazetteer(check_now=True)
    assert places.district("Bachok") is None  # Kelantan's Bachok, or Johor's new one?
    assert places.district("Bachok", kelantan).state_id == kelantan.pk
    assert places.district("Bachok", johor).slug == "bachok-baru"


def test_unknown_places_are_none_not_a_guess():
    places = gazetteer()
    assert places.district("Atlantis") is None
    assert places.district("") is None
    assert places.state("Narnia") is None
    assert places.postcode("7000") is None
    assert places.postcode("99999") is None


def test_a_postcode_resolves_to_its_town_state_and_district():
    places = gazetteer()
    kota_bharu = places.postcode("15000")
    assert kota_bharu.state.code == "MY-03"
    assert kota_bharu.district.slug == "kota-bharu"
    assert "Kota Bharu" in kota_bharu.towns
    seremban = places.postcode(" 70000 ")
    assert (seremban.state.code, seremban.district.slug) == ("MY-05", "seremban")
    assert places.postcode("50450").district.slug == "kuala-lumpur"


def test_the_postcode_gazetteer_covers_every_state():
    assert Postcode.objects.count() >= 2900
    states = set(Postcode.objects.values_list("state__code", flat=True))
    assert states == {f"MY-{n:02d}" for n in range(1, 17)}
    # A district it gives is always one of the postcode's own state.
    assert not Postcode.objects.exclude(district=None).exclude(district__state=F("state")).exists()


def test_folding_drops_case_accents_punctuation_and_kind_of_place():
    assert fold_place("  Daerah  Kuala-Pilah ") == "kuala pilah"
    assert fold_place("Mukim Rantau") == "rantau"
    assert fold_place("Wilayah Persekutuan Putrajaya") == "putrajaya"
    assert fold_place("Negeri") == "negeri"  # a kind word alone is kept
