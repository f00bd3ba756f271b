"""The eligibility rules as properties: any household in the screener's range gets an
answer, the same answer each time, and more income never makes it more eligible; a version
the admin may save never breaks the screener."""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from santuni.aid.admin import SchemeVersionForm
from santuni.aid.models import PovertyLine, Scheme, SchemeVersion
from santuni.aid.rules import (
    CHECK,
    FACTS,
    LIKELY,
    NOT_ELIGIBLE,
    Household,
    PovertyLines,
    evaluate,
    screen,
    validate_rules,
)
from santuni.geo.models import State

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
RANK = {LIKELY: 0, CHECK: 1, NOT_ELIGIBLE: 2}
# What the screener's forms let through (aid/forms.py): RM with 2 decimals, up to 9 digits.
RINGGIT = st.decimals(0, Decimal("9999999.99"), places=2)
ANSWER = st.one_of(st.none(), st.booleans())


@st.composite
def households(draw):
    state = draw(st.sampled_from(list(State.objects.values_list("code", "name"))))
    return Household(
        state_code=state[0],
        state_name=state[1],
        area=draw(st.sampled_from(PovertyLine.Area.values)),
        size=draw(st.integers(1, 30)),
        income=draw(st.one_of(st.none(), RINGGIT)),
        own_income=draw(st.one_of(st.none(), RINGGIT)),
        age=draw(st.one_of(st.none(), st.integers(0, 130))),
        children_ages=tuple(draw(st.lists(st.integers(0, 30), max_size=20))),
        **{name: draw(ANSWER) for name in FACTS if name != "federal_territory"},
    )


def answers(results) -> list[tuple]:
    return [(r.version.pk, r.status, r.reasons, r.amount, r.amount_text) for r in results]


@given(households())
def test_every_household_gets_an_answer_and_the_same_one_twice(household):
    first = screen(household, DAY)
    assert answers(first) == answers(screen(household, DAY))
    assert first, "no scheme answered"
    for result in first:
        assert result.status in RANK
        assert result.reasons
        if result.status == NOT_ELIGIBLE:
            assert result.amount is None
        elif result.amount is not None:
            assert result.amount >= 0
            cap = result.version.family_cap
            assert cap is None or result.amount <= cap


def statuses(household) -> dict[int, str]:
    return {r.version.pk: r.status for r in screen(household, DAY)}


@given(households(), RINGGIT, st.sampled_from(["income", "own_income"]))
@example(Household(income=Decimal(2402), size=1), Decimal("0.01"), "income")  # at the PGK
def test_more_income_never_makes_a_household_more_eligible(household, more, which):
    """Every income rule is a ceiling ("at most"): a raise can only close a door."""
    if getattr(household, which) is None:
        household = Household(**{**household.__dict__, which: Decimal(0)})
    richer = Household(**{**household.__dict__, which: getattr(household, which) + more})
    before, after = statuses(household), statuses(richer)
    for version, status in before.items():
        assert RANK[after[version]] >= RANK[status], version


@given(households(), st.integers(0, 17))
def test_another_child_never_lowers_a_per_child_amount(household, age):
    more = Household(**{**household.__dict__, "children_ages": (*household.children_ages, age)})
    before = {r.version.pk: r for r in screen(household, DAY)}
    for result in screen(more, DAY):
        earlier = before[result.version.pk]
        if result.version.amount_kind != SchemeVersion.AmountKind.PER_CHILD:
            continue
        if result.amount is not None and earlier.amount is not None:
            assert result.amount >= earlier.amount


# --- versions the admin may save ------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(-10, 10**7),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
RULE = st.fixed_dictionaries(
    {"kind": st.sampled_from(["age_at_least", "age_below", "income_at_most", "fact"])},
    optional={
        "years": NUMBERS,
        "under": NUMBERS,
        "income": st.sampled_from(["household", "own", "other"]),
        "limit": st.one_of(st.sampled_from(["pgk", "pgk_per_person", "x"]), NUMBERS),
        "fact": st.sampled_from([*FACTS, "unknown"]),
        "value": st.one_of(st.booleans(), NUMBERS),
        "text": st.text(max_size=20),
    },
) | st.fixed_dictionaries(
    {"kind": st.sampled_from(["has_child", "confirm"]), "under": NUMBERS, "text": st.text()}
)
RATES = st.lists(
    st.fixed_dictionaries({"max_age": NUMBERS, "amount": NUMBERS}), max_size=3
) | st.just([])


VERSIONS = st.fixed_dictionaries(
    {
        "effective_from": st.just("2026-01-01"),
        "amount_kind": st.sampled_from(SchemeVersion.AmountKind.values),
        "amount": st.one_of(st.just(""), st.decimals(0, 999999, places=2).map(str)),
        "child_rates": RATES,
        "family_cap": st.one_of(st.just(""), st.decimals(0, 999999, places=2).map(str)),
        "rules": st.lists(RULE, max_size=4),
        "source": st.just("Ujian"),
        "source_date": st.just("2026-01-01"),
    }
)
PLAIN = {
    "effective_from": "2026-01-01",
    "amount_kind": "per_child",
    "amount": "",
    "family_cap": "",
    "child_rates": [{"max_age": 17, "amount": 200}],
    "rules": [],
    "source": "Ujian",
    "source_date": "2026-01-01",
}


@given(VERSIONS, households())
@example({**PLAIN, "rules": [{"kind": "income_at_most", "income": "own", "limit": 1e309}]}, None)
@example({**PLAIN, "rules": [{"kind": "income_at_most", "income": "own", "limit": 10**40}]}, None)
@example({**PLAIN, "child_rates": [{"max_age": 17, "amount": float("nan")}]}, None)
@example({**PLAIN, "child_rates": [{"max_age": 17, "amount": 1e300}]}, None)
def test_a_version_the_admin_may_save_never_breaks_the_screener(values, household):
    form = SchemeVersionForm(
        {
            **values,
            "scheme": Scheme.objects.order_by("code").first().pk,
            "rules": json.dumps(values["rules"]),
            "child_rates": json.dumps(values["child_rates"]),
        }
    )
    if not form.is_valid():
        return
    assert validate_rules(form.cleaned_data["rules"]) == []
    version = form.save(commit=False)
    household = household or Household(size=3, income=Decimal(1400), own_income=Decimal(0))
    household = Household(**{**household.__dict__, "children_ages": (4, 9)})
    result = evaluate(version, household, DAY, PovertyLines(DAY).find(household))
    assert result.status in RANK
    assert result.reasons or not version.rules
