"""The dashboards' benchmark data: `make bench` loads a synthetic caseload and times the pages."""

from santuni.cases.models import Referral
from santuni.geo.models import District, Postcode, State
from tools import benchdash


def test_the_bench_loads_referrals_and_times_both_dashboards(db):
    """`make bench` at a small size: the synthetic caseload loads and both pages render."""
    timed = benchdash.run(2_000, cbos=60, cases=200)
    assert timed["referrals"] == 2_000
    assert Referral.objects.count() == 2_000
    assert Referral.objects.filter(seconds_to_acknowledge__isnull=False).exists()
    assert all(
        timed[k] > 0
        for k in ("national_s", "ministry_state_s", "state_s", "district_s", "insert_s")
    )
    assert 0 < timed["state_referrals"] < 2_000


def _district(state: str, slug: str) -> District:
    found = State.objects.get(code=state)
    return District.objects.get_or_create(
        slug=slug,
        defaults={
            "state": found,
            "name": slug,
            "latitude": found.latitude,
            "longitude": found.longitude,
        },
    )[0]


def test_the_bench_uses_the_real_districts_and_makes_up_only_what_is_missing(db):
    """Once the geography holds every real district, the caseload goes to them; a state with
    none gets made-up districts, under slugs that no district already has."""
    # Kedah without its districts: the bench must make some up for it.
    Postcode.objects.filter(state__code="MY-02").delete()
    District.objects.filter(state__code="MY-02").delete()
    johor_bahru = _district("MY-01", "johor-bahru")
    kota_bharu = _district("MY-03", "kota-bharu")
    # The slug a made-up Kedah district would take, already a (Kelantan) district's.
    _district("MY-03", "bench-my-02-1")
    before = set(District.objects.values_list("pk", flat=True))
    benchdash.run(3_000, cbos=120, cases=400)
    made = District.objects.exclude(pk__in=before)
    assert not made.filter(state__code__in=["MY-01", "MY-03", "MY-05"]).exists()
    kedah = sorted(made.filter(state__code="MY-02").values_list("slug", flat=True))
    assert kedah == ["bench-my-02-1-1", "bench-my-02-2", "bench-my-02-3"]
    for district in (johor_bahru, kota_bharu):
        # The state's caseload is in its real districts (some of them: there are many).
        used = District.objects.filter(
            state=district.state,
            pk__in=Referral.objects.values("district"),
        )
        assert used.exists() and not used.filter(pk__in=made).exists()
        assert all(d.mukims.exists() for d in used)
