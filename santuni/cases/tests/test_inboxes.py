"""The lists people work from: cases, referrals (the agency's inbox among them), the district
dashboard and notifications. They filter by status, urgency and target group; each shows only
what its reader may see; overdue referrals stand out until answered; and a longer list costs
no more queries than a short one."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from santuni.accounts.tests.personas import sign_in
from santuni.cases.models import Referral, Urgency
from santuni.cases.services.cases import case_close
from santuni.cases.services.referrals import referral_accept
from santuni.directory.tests.factories import OrganizationFactory, ServiceFactory, term

from .factories import jkm_service, make_case, make_referral, malay

pytestmark = pytest.mark.django_db
KL = timezone.get_fixed_timezone(8 * 60)
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=KL)
# A reference as a list shows it, at the start of an item's link.
LISTED = re.compile(r">(K-[A-Z0-9]{6}(?:-\d+)?)[ <]")


@pytest.fixture(autouse=True)
def in_malay():
    """Addresses and pages in Malay, whatever language an earlier test left active."""
    with translation.override("ms"):
        yield


def shown(response) -> set[str]:
    """The references of the cases or referrals the page lists."""
    assert response.status_code == 200, response.content[:300]
    return set(LISTED.findall(response.content.decode()))


def refs(*items) -> set[str]:
    return {item.reference for item in items}


def listed(client, persona, name, params=None) -> set[str]:
    sign_in(client, persona)
    return shown(client.get(reverse(name), params or {}))


def accept(people, referral) -> Referral:
    return referral_accept(
        actor=people.agency_focal_point.membership, referral_id=referral.pk, version=None
    )


# --- filters ----------------------------------------------------------------------------


@pytest.fixture
def filtered(personas):
    """Four cases of the CBO head that differ in status, urgency and target groups, and three
    referrals to JKM that differ in status."""
    people, service = personas, jkm_service(personas)
    oku, elderly = term("oku"), term("warga-emas")
    normal = make_case(people.cbo_head, urgency=Urgency.NORMAL, target_groups=[oku])
    high = make_case(people.cbo_head, urgency=Urgency.HIGH)  # mangsa-krt
    immediate = make_case(people.cbo_head, urgency=Urgency.IMMEDIATE, target_groups=[oku, elderly])
    closed = make_case(people.cbo_head, urgency=Urgency.NORMAL, target_groups=[elderly])
    case_close(actor=people.cbo_head.membership, case_id=closed.pk, version=None)
    items = {
        "normal": normal,
        "high": high,
        "immediate": immediate,
        "closed": closed,
        "sent": make_referral(people.cbo_head, normal, service),
        "draft": make_referral(people.cbo_head, high, service, send=False),
        "accepted": accept(people, make_referral(people.cbo_head, immediate, service)),
    }
    assert [items[s].status for s in ("sent", "draft", "accepted")] == ["sent", "draft", "accepted"]
    return items


def params_of(query: dict) -> dict:
    """The filter form's GET parameters; a target group is named by its term's code here."""
    if "target_group" in query:
        query = {**query, "target_group": term(query["target_group"]).pk}
    return query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"normal", "high", "immediate", "closed"}),
        ({"status": "open"}, {"normal", "high", "immediate"}),
        ({"status": "closed"}, {"closed"}),
        ({"urgency": "normal"}, {"normal", "closed"}),
        ({"urgency": "high"}, {"high"}),
        ({"urgency": "immediate"}, {"immediate"}),
        ({"target_group": "oku"}, {"normal", "immediate"}),
        ({"target_group": "warga-emas"}, {"immediate", "closed"}),
        ({"target_group": "mangsa-krt"}, {"high"}),
        ({"target_group": "kanak-kanak"}, set()),
        ({"status": "open", "urgency": "normal"}, {"normal"}),
        ({"status": "closed", "target_group": "oku"}, set()),
    ],
)
def test_the_case_list_filters(client, personas, filtered, query, expected):
    page = listed(client, personas.cbo_head, "cases:cases", params_of(query))
    assert page == refs(*(filtered[name] for name in expected))


VISIBLE_REFERRALS = {
    "cbo_head": {"sent", "draft", "accepted"},
    "district_officer": {"sent", "draft", "accepted"},
    "agency_focal_point": {"sent", "accepted"},  # not the draft
}


@pytest.mark.parametrize("persona", list(VISIBLE_REFERRALS))
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"sent", "draft", "accepted"}),
        ({"status": "sent"}, {"sent"}),
        ({"status": "draft"}, {"draft"}),
        ({"status": "accepted"}, {"accepted"}),
        ({"status": "declined"}, set()),
        ({"urgency": "normal"}, {"sent"}),
        ({"urgency": "high"}, {"draft"}),
        ({"urgency": "immediate"}, {"accepted"}),
        ({"target_group": "oku"}, {"sent", "accepted"}),
        ({"target_group": "mangsa-krt"}, {"draft"}),
        ({"target_group": "warga-emas"}, {"accepted"}),
        ({"status": "sent", "target_group": "oku"}, {"sent"}),
        ({"status": "accepted", "urgency": "normal"}, set()),
    ],
)
def test_the_referral_list_filters(client, personas, filtered, persona, query, expected):
    page = listed(client, getattr(personas, persona), "cases:referrals", params_of(query))
    assert page == refs(*(filtered[name] for name in expected & VISIBLE_REFERRALS[persona]))


# --- who sees what ----------------------------------------------------------------------


@pytest.fixture
def scoped(personas):
    """Cases of both CBOs of the district and referrals of every kind: to JKM, sent and draft
    and logged, and to an organisation that is not JKM."""
    people, jkm = personas, jkm_service(personas)
    elsewhere = ServiceFactory(organization=OrganizationFactory(name="Pusat Khidmat Lain"))
    head_case = make_case(people.cbo_head)
    member_case = make_case(people.cbo_member)
    other_case = make_case(people.other_cbo_head)
    return {
        "head_case": head_case,
        "member_case": member_case,
        "other_case": other_case,
        "to_jkm": make_referral(people.cbo_head, head_case, jkm),
        "member_to_jkm": make_referral(people.cbo_head, member_case, jkm),
        "other_to_jkm": make_referral(people.other_cbo_head, other_case, jkm),
        "draft": make_referral(people.cbo_head, head_case, jkm, send=False),
        "logged": make_referral(people.cbo_head, head_case, jkm, mode="logged"),
        "elsewhere": make_referral(people.cbo_head, head_case, elsewhere),
    }


ALL_CASES = {"head_case", "member_case", "other_case"}
ALL_REFERRALS = {"to_jkm", "member_to_jkm", "other_to_jkm", "draft", "logged", "elsewhere"}
HEADS_REFERRALS = ALL_REFERRALS - {"other_to_jkm"}


@pytest.mark.parametrize(
    ("persona", "cases", "referrals"),
    [
        ("cbo_head", {"head_case", "member_case"}, HEADS_REFERRALS),
        ("other_cbo_head", {"other_case"}, {"other_to_jkm"}),
        ("cbo_member", {"member_case"}, {"member_to_jkm"}),
        ("agency_focal_point", None, {"to_jkm", "member_to_jkm", "other_to_jkm"}),
        # JKM's focal point for Port Dickson: the referrals are Seremban's.
        ("other_agency_focal_point", None, set()),
        ("district_officer", ALL_CASES, ALL_REFERRALS),
        ("other_district_officer", set(), set()),
        # Negeri Sembilan's state officer, whose state Seremban is in; Melaka's.
        ("state_officer", ALL_CASES, ALL_REFERRALS),
        ("other_state_officer", set(), set()),
    ],
)
def test_each_list_shows_what_its_reader_may_see(
    client, personas, scoped, persona, cases, referrals
):
    person = getattr(personas, persona)
    if cases is not None:  # the agency has no case list
        assert listed(client, person, "cases:cases") == refs(*(scoped[n] for n in cases))
    assert listed(client, person, "cases:referrals") == refs(*(scoped[n] for n in referrals))


def test_the_agency_inbox_is_addressed_to_it(client, personas, scoped):
    sign_in(client, personas.agency_focal_point)
    page = client.get(reverse("cases:referrals")).content.decode()
    assert malay("Referrals to us") in page
    assert personas.cbo.organization.name in page  # who it is from
    assert "Pusat Khidmat Lain" not in page


# --- overdue ----------------------------------------------------------------------------


@pytest.fixture
def deadlines(personas):
    """Sent on a Monday at 10: a normal referral (due Thursday at 10), a high one (due Tuesday
    at 10), and a high one JKM answered at once."""
    people, service = personas, jkm_service(personas)
    with time_machine.travel(MONDAY_10, tick=False):
        normal = make_referral(
            people.cbo_head, make_case(people.cbo_head, urgency=Urgency.NORMAL), service
        )
        high = make_referral(
            people.cbo_head, make_case(people.cbo_head, urgency=Urgency.HIGH), service
        )
        answered = accept(
            people,
            make_referral(
                people.cbo_head, make_case(people.cbo_head, urgency=Urgency.HIGH), service
            ),
        )
    assert normal.acknowledge_due == MONDAY_10 + timedelta(days=3)
    assert high.acknowledge_due == MONDAY_10 + timedelta(hours=24)
    assert answered.status == Referral.Status.ACCEPTED
    return normal, high, answered


@pytest.mark.parametrize(
    ("later", "late"),
    [
        (timedelta(hours=23, minutes=59), set()),
        (timedelta(hours=24, minutes=1), {"high"}),
        (timedelta(days=2, hours=23, minutes=59), {"high"}),
        (timedelta(days=3, minutes=1), {"high", "normal"}),
    ],
)
def test_overdue_referrals_show_until_answered(client, personas, deadlines, later, late):
    normal, high, answered = deadlines
    expected = refs(*({"normal": normal, "high": high}[name] for name in late))
    with time_machine.travel(MONDAY_10 + later, tick=False):
        everything = listed(client, personas.district_officer, "cases:referrals")
        overdue = listed(client, personas.district_officer, "cases:referrals", {"lewat": "1"})
        dashboard = client.get(reverse("cases:dashboard"))
    assert everything == refs(normal, high, answered)
    assert overdue == expected
    assert shown(dashboard) == expected
    assert (malay("No referral is overdue.") in dashboard.content.decode()) == (not late)


@pytest.mark.parametrize(
    ("persona", "sees"), [("state_officer", True), ("other_state_officer", False)]
)
def test_the_state_referrals_page_counts_and_lists_the_states_overdue(
    client, personas, deadlines, persona, sees
):
    """The state officer's page: its state's referrals by status, and the overdue ones, the
    one late longest first; Melaka's officer has none of them."""
    normal, high, _answered = deadlines
    with time_machine.travel(MONDAY_10 + timedelta(days=3, hours=1), tick=False):
        sign_in(client, getattr(personas, persona))
        page = client.get(reverse("cases:dashboard"))
    assert page.status_code == 200
    body = page.content.decode()
    assert malay("State referrals") in body
    counts = {label: n for label, n, _value in page.context["counts"]}
    assert counts[Referral.Status.SENT.label] == (2 if sees else 0)
    assert counts[Referral.Status.ACCEPTED.label] == (1 if sees else 0)
    assert [r.reference for r in page.context["overdue"]] == (
        [high.reference, normal.reference] if sees else []
    )


def test_an_overdue_referral_leaves_the_lists_once_answered(client, personas, deadlines):
    normal, high, _answered = deadlines
    with time_machine.travel(MONDAY_10 + timedelta(days=3, hours=1), tick=False):
        assert listed(client, personas.district_officer, "cases:dashboard") == refs(normal, high)
        accept(personas, high)
        overdue = listed(client, personas.district_officer, "cases:referrals", {"lewat": "1"})
        dashboard = client.get(reverse("cases:dashboard"))
    assert overdue == refs(normal)
    assert shown(dashboard) == refs(normal)


# --- query counts -----------------------------------------------------------------------

# Queries to render each list, whatever its length (measured with 2 and 12 items; a change
# here is a regression, or an improvement to write down). Each count includes the request's
# own: session, user, devices (two for a role without two-factor), memberships, the header's
# count of unread notifications, and saving the session (with its savepoint in a test). The
# filter form's target groups are one more.
QUERIES = {
    # Each signed-in page also counts the header's unread notifications (one query).
    ("cases:cases", "cbo_head"): 13,
    ("cases:cases", "district_officer"): 12,
    ("cases:referrals", "cbo_head"): 13,
    ("cases:referrals", "agency_focal_point"): 12,
    ("cases:referrals", "district_officer"): 12,
    # The overdue list: one query per late step (each an index range), then the referrals.
    ("cases:dashboard", "district_officer"): 14,
    ("cases:dashboard", "state_officer"): 14,
    ("cases:cases", "state_officer"): 12,
    ("cases:referrals", "state_officer"): 12,
    ("cases:notifications", "agency_focal_point"): 9,
}


def add_items(people, service, count):
    """`count` high-urgency cases of the CBO (by the head and the member in turn), each with
    target groups and a referral sent to JKM on Monday at 10: overdue by Wednesday."""
    groups = [term("oku"), term("mangsa-krt")]
    with time_machine.travel(MONDAY_10, tick=False):
        for number in range(count):
            opener = people.cbo_head if number % 2 else people.cbo_member
            case = make_case(opener, urgency=Urgency.HIGH, target_groups=groups, mykad="")
            make_referral(people.cbo_head, case, service)


def items_on(response) -> int:
    assert response.status_code == 200, response.content[:300]
    return response.content.decode().count('<li class="card')


def queries_to_render(client, persona, name) -> tuple[int, int]:
    """(queries, items listed) for the page, on the Wednesday after the referrals were sent."""
    with time_machine.travel(MONDAY_10 + timedelta(days=2), tick=False):
        sign_in(client, persona)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
    return len(queries), items_on(response)


@pytest.mark.parametrize(("name", "persona"), list(QUERIES))
def test_a_longer_list_costs_no_more_queries(client, personas, name, persona):
    person, service = getattr(personas, persona), jkm_service(personas)
    add_items(personas, service, 2)
    short, listed_short = queries_to_render(client, person, name)
    add_items(personas, service, 10)
    long, listed_long = queries_to_render(client, person, name)
    assert (listed_short, listed_long) == (2, 12)
    assert long == short
    assert short == QUERIES[name, persona]


@pytest.mark.parametrize("persona", ["district_officer", "state_officer"])
def test_an_officer_sees_the_same_person_recorded_by_another_cbo(client, personas, persona):
    """The same MyKad number in two CBOs' cases: the district's and the state's officers see
    the other case named on the case page; the CBO's head does not."""
    first = make_case(personas.cbo_head)
    second = make_case(personas.other_cbo_head)
    sign_in(client, getattr(personas, persona))
    page = client.get(reverse("cases:case", args=[first.pk]))
    assert [c.reference for c in page.context["duplicates"]] == [second.reference]
    sign_in(client, personas.cbo_head)
    page = client.get(reverse("cases:case", args=[first.pk]))
    assert page.context["duplicates"] == []
