"""The dashboards' benchmark data: `make bench` loads a synthetic caseload and times the pages."""

from santuni.cases.models import Referral
from tools import benchdash


def test_the_bench_loads_referrals_and_times_both_dashboards(db):
    """`make bench` at a small size: the synthetic caseload loads and both pages render."""
    timed = benchdash.run(2_000, cbos=60, cases=200)
    assert timed["referrals"] == 2_000
    assert Referral.objects.count() == 2_000
    assert Referral.objects.filter(seconds_to_acknowledge__isnull=False).exists()
    assert all(timed[k] > 0 for k in ("national_s", "district_s", "insert_s"))
