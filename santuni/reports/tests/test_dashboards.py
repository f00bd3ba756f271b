"""The dashboards at /laporan/: each table's figures on a small fixed caseload, who may see
which page and export, the exports' content, the filters, and a pinned query count."""

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from santuni.accounts.models import Membership, Role
from santuni.accounts.tests.personas import PERSONAS, make_user, sign_in
from santuni.cases.models import Case, Consent, Referral, Urgency
from santuni.cases.services import cases, referrals
from santuni.cases.tests.factories import (
    ALL_PURPOSES,
    CLIENT_NAME,
    client_details,
    jkm_service,
    make_case,
    make_referral,
    malay,
)
from santuni.directory.tests.factories import (
    CboProfileFactory,
    OrganizationFactory,
    ServiceFactory,
    mukim,
    term,
)
from santuni.geo.models import District, Mukim, State
from santuni.reports.dashboards.tables import REPORTS, Scope

S = Referral.Status
KL = ZoneInfo("Asia/Kuala_Lumpur")
T0 = datetime(2026, 11, 2, 9, tzinfo=KL)  # a Monday
NOW = datetime(2026, 11, 20, 9, tzinfo=KL)
H = timedelta(hours=1)
D = timedelta(days=1)


def open_case(head, *, urgency, category, place, group, district="seremban"):
    return cases.case_create(
        actor=head.membership,
        client=client_details(mykad="", mukim=mukim(place, district), target_groups=[term(group)]),
        consent=cases.ConsentDetails(method=Consent.Method.WRITTEN, purposes=ALL_PURPOSES),
        category=category,
        urgency=urgency,
        situation="Perlukan bantuan.",
        submission_key=uuid.uuid4(),
    ).case


def at(moment, step, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return step(*args, **kwargs)


def accept(receiver, referral, moment):
    return at(
        moment,
        referrals.referral_accept,
        actor=receiver.membership,
        referral_id=referral.pk,
        version=None,
    )


def complete(receiver, referral, moment):
    return at(
        moment,
        referrals.referral_complete,
        actor=receiver.membership,
        referral_id=referral.pk,
        version=None,
        outcome="service_delivered",
    )


def head_of(name, district, place):
    """A CBO head (and the CBO, covering `place`) outside the personas' Seremban."""
    cbo = CboProfileFactory(organization=OrganizationFactory(name=name), district=district)
    cbo.mukims.set([Mukim.objects.get(district=district, name=place)])
    user, device = make_user(f"{district.slug}@example.invalid", name)
    membership = Membership.objects.create(
        user=user, role=Role.CBO_HEAD, organization=cbo.organization, district=district
    )
    return SimpleNamespace(membership=membership, user=user, device=device, cbo=cbo)


def receiver_of(name, district):
    organization = OrganizationFactory(name=name)
    user, device = make_user(f"fp.{district.slug}@example.invalid", name, two_factor=True)
    membership = Membership.objects.create(
        user=user, role=Role.AGENCY_FOCAL_POINT, organization=organization, district=district
    )
    service = ServiceFactory(organization=organization, name=f"Khidmat {name}")
    return SimpleNamespace(membership=membership, service=service, organization=organization)


@pytest.fixture
def world(personas):
    """Seremban, Port Dickson and a Melaka district, times fixed (see each line)."""
    p = personas
    jkm = jkm_service(p)
    shelter = ServiceFactory(
        organization=OrganizationFactory(name="Rumah Perlindungan Sampel"), name="Tempat selamat"
    )
    p.cbo.mukims.set([mukim("Rasah")])
    p.cbo.target_groups.set([term("mangsa-krt")])
    idle = CboProfileFactory(
        organization=OrganizationFactory(name="Pertubuhan Sampel Senawang Sepi"),
        assured_date=date(2026, 10, 1),
    )
    idle.mukims.set([mukim("Labu")])
    CboProfileFactory(organization=OrganizationFactory(name="Pertubuhan Tutup"), is_active=False)
    ServiceFactory(organization=p.cbo.organization, assured_date=date(2024, 10, 1))
    ServiceFactory(organization=p.other_cbo.organization, assured_date=date(2026, 10, 1))
    agency = p.agency_focal_point

    with time_machine.travel(T0 - 400 * D, tick=False):  # an old case, outside 12 months
        f = open_case(p.cbo_head, urgency="normal", category="health", place="Rasah", group="oku")
        f1 = make_referral(p.cbo_head, f, jkm)
    accept(agency, f1, T0 - 399 * D)  # 24 h
    complete(agency, f1, T0 - 395 * D)  # 5 days
    at(T0 - 394 * D, cases.case_close, actor=p.cbo_head.membership, case_id=f.pk, version=None)

    with time_machine.travel(T0, tick=False):
        a = open_case(
            p.cbo_head,
            urgency="immediate",
            category="domestic_violence",
            place="Rasah",
            group="mangsa-krt",
        )
        a1 = make_referral(p.cbo_head, a, jkm)
        a2 = make_referral(p.cbo_head, a, shelter)  # never answered: overdue
    accept(agency, a1, T0 + 2 * H)
    complete(agency, a1, T0 + 48 * H)  # 2 days

    with time_machine.travel(T0 + H, tick=False):
        b = open_case(
            p.other_cbo_head,
            urgency="high",
            category="elderly",
            place="Ampangan",
            group="warga-emas",
        )
        b1 = make_referral(p.other_cbo_head, b, jkm)
        b2 = make_referral(p.other_cbo_head, b, jkm)
    accept(agency, b1, T0 + 5 * H)  # 4 h, then never completed: overdue
    at(
        T0 + 7 * H,  # 6 h
        referrals.referral_decline,
        actor=agency.membership,
        referral_id=b2.pk,
        version=None,
        reason="no_capacity",
    )

    with time_machine.travel(T0 + 3 * H, tick=False):
        c = open_case(
            p.cbo_head, urgency="normal", category="financial", place="Rasah", group="keluarga-b40"
        )
        c1 = make_referral(p.cbo_head, c, jkm, mode="logged")
        c2 = make_referral(p.cbo_head, c, jkm, send=False)

    port_dickson = District.objects.get(slug="port-dickson")
    pd_head = head_of("Pertubuhan Sampel Linggi Bakti", port_dickson, "Linggi")
    linggi = receiver_of("Pusat Sokongan Linggi", port_dickson)
    with time_machine.travel(T0 + 4 * H, tick=False):
        d = open_case(
            pd_head,
            urgency="normal",
            category="oku",
            place="Linggi",
            group="oku",
            district="port-dickson",
        )
        d1 = make_referral(pd_head, d, linggi.service)
        d2 = make_referral(pd_head, d, linggi.service)  # never answered: overdue
    accept(linggi, d1, T0 + 34 * H)  # 30 h
    complete(linggi, d1, T0 + 4 * H + 10 * D)  # 10 days

    melaka = State.objects.get(code="MY-04")
    alor_gajah = District.objects.get(state=melaka, slug="alor-gajah")
    Mukim.objects.create(
        district=alor_gajah,
        name="Durian Tunggal",
        slug="durian-tunggal",
        latitude=2.3,
        longitude=102.3,
    )
    mk_head = head_of("Pertubuhan Sampel Alor Gajah", alor_gajah, "Durian Tunggal")
    with time_machine.travel(T0 + 6 * H, tick=False):
        e = open_case(
            mk_head,
            urgency="high",
            category="child_protection",
            place="Durian Tunggal",
            group="kanak-kanak",
            district="alor-gajah",
        )
        e1 = make_referral(mk_head, e, jkm)
    # The Seremban office's focal point acts in Seremban: JKM's for Melaka answers this one.
    user, _device = make_user("fp.melaka@example.invalid", "JKM Melaka", two_factor=True)
    for_melaka = Membership.objects.create(
        user=user, role=Role.AGENCY_FOCAL_POINT, organization=jkm.organization, state=melaka
    )
    accept(SimpleNamespace(membership=for_melaka), e1, T0 + 16 * H)  # 10 h, then overdue

    refs = {
        name: Referral.objects.get(pk=r.pk)
        for name, r in {
            "a1": a1,
            "a2": a2,
            "b1": b1,
            "b2": b2,
            "c1": c1,
            "c2": c2,
            "d1": d1,
            "d2": d2,
            "e1": e1,
            "f1": f1,
        }.items()
    }
    return SimpleNamespace(
        p=p,
        jkm=jkm,
        refs=refs,
        idle=idle,
        linggi=linggi,
        pd_head=pd_head,
        mk_head=mk_head,
        alor_gajah=alor_gajah,
        port_dickson=port_dickson,
    )


def build(slug, scope=None):
    with time_machine.travel(NOW, tick=False):
        return REPORTS[slug].build(scope or Scope())


def seremban_scope():
    return Scope(district=District.objects.get(slug="seremban"))


def late(referral, field):
    return round((NOW - getattr(referral, field)).total_seconds() / 86400, 1)


def page(client, persona, query="", prefix=""):
    sign_in(client, persona)
    with time_machine.travel(NOW, tick=False):
        return client.get(prefix + reverse("reports:dashboard") + query)


# --- figures: Seremban (a district officer's scope) -------------------------------------


def test_seremban_cases(world):
    scope = seremban_scope()
    assert build("cases-status", scope).rows == [
        [str(Case.Status.OPEN.label), 3],
        [str(Case.Status.CLOSED.label), 1],
    ]
    assert build("cases-urgency", scope).rows == [
        [str(Urgency.IMMEDIATE.label), 1, 1],
        [str(Urgency.HIGH.label), 1, 1],
        [str(Urgency.NORMAL.label), 1, 2],
    ]
    by_category = {row[0]: row[1:] for row in build("cases-category", scope).rows}
    assert by_category == {
        str(Case.Category.CHILD_PROTECTION.label): [0, 0],
        str(Case.Category.DOMESTIC_VIOLENCE.label): [1, 1],
        str(Case.Category.OKU.label): [0, 0],
        str(Case.Category.ELDERLY.label): [1, 1],
        str(Case.Category.FINANCIAL.label): [1, 1],
        str(Case.Category.HEALTH.label): [0, 1],
        str(Case.Category.SHELTER.label): [0, 0],
        str(Case.Category.OTHER.label): [0, 0],
    }


def test_seremban_referrals(world):
    scope = seremban_scope()
    assert dict(build("referrals-status", scope).rows) == {
        str(S.DRAFT.label): 1,
        str(S.SENT.label): 1,
        str(S.ACCEPTED.label): 1,
        str(S.DECLINED.label): 1,
        str(S.REDIRECTED.label): 0,
        str(S.IN_PROGRESS.label): 1,
        str(S.COMPLETED.label): 2,
        str(S.CLOSED.label): 0,
        str(S.CANCELLED.label): 0,
    }
    assert [row[:2] for row in build("referrals-urgency", scope).rows] == [
        [str(Urgency.IMMEDIATE.label), 2],
        [str(Urgency.HIGH.label), 2],
        [str(Urgency.NORMAL.label), 3],
    ]
    by_category = dict(build("referrals-category", scope).rows)
    assert by_category[str(Case.Category.DOMESTIC_VIOLENCE.label)] == 2
    assert by_category[str(Case.Category.ELDERLY.label)] == 2
    assert by_category[str(Case.Category.FINANCIAL.label)] == 2
    assert by_category[str(Case.Category.HEALTH.label)] == 1
    assert sum(by_category.values()) == 7
    assert build("referrals-agency", scope).rows == [
        # Sent for action only: not the draft c2 nor the logged c1.
        ["Pejabat Kebajikan Masyarakat Daerah Seremban", 4],
        ["Rumah Perlindungan Sampel", 1],
    ]


def test_seremban_medians(world):
    """Acknowledged: immediate 2 h; high 4 h and 6 h (a decline answers too), so 5; normal
    24 h (the old case). Completed: immediate 2 days, normal 5; no high one completed.
    Beside them, still waiting: a2 (immediate) unanswered, one high accepted and not done."""
    assert build("referrals-urgency", seremban_scope()).rows == [
        [str(Urgency.IMMEDIATE.label), 2, 2.0, 2.0, 1, 0],
        [str(Urgency.HIGH.label), 2, 5.0, None, 0, 1],
        [str(Urgency.NORMAL.label), 3, 24.0, 5.0, 0, 0],
    ]


def test_seremban_overdue_list(world):
    r = world.refs
    table = build("overdue", seremban_scope())
    assert table.rows == [
        [
            r["a2"].reference,
            "Rumah Perlindungan Sampel",
            "Seremban",
            str(S.SENT.label),
            malay("Acknowledgement"),
            date(2026, 11, 2),
            late(r["a2"], "acknowledge_due"),
        ],
        [
            r["b1"].reference,
            "Pejabat Kebajikan Masyarakat Daerah Seremban",
            "Seremban",
            str(S.ACCEPTED.label),
            malay("Completion"),
            r["b1"].complete_due.astimezone(KL).date(),
            late(r["b1"], "complete_due"),
        ],
    ]
    assert late(r["a2"], "acknowledge_due") == 18.0
    assert table.links == [
        reverse("cases:referral", args=[r["a2"].pk]),
        reverse("cases:referral", args=[r["b1"].pk]),
    ]


def test_seremban_cbo_activity(world):
    """The old case (400 days ago) is outside the 12 months; the logged referral was never
    sent; the inactive CBO is not listed."""
    assert build("cbo-activity", seremban_scope()).rows == [
        ["Pertubuhan Sampel Rasah Prihatin", 2, 2, date(2026, 11, 2)],
        ["Pertubuhan Sampel Ampangan Peduli", 1, 2, date(2026, 11, 2)],
        ["Pertubuhan Sampel Senawang Sepi", 0, 0, None],
    ]


def test_seremban_unverified_listings(world):
    table = build("unverified", seremban_scope())
    assert table.rows == [["Seremban", 2, 1]]
    assert table.more[0] == reverse("listings:unverified")


def test_seremban_coverage_puts_gaps_first(world):
    table = build("coverage-mukims", seremban_scope())
    groups = [
        "kanak-kanak",
        "oku",
        "warga-emas",
        "mangsa-krt",
        "wanita-ibu-tunggal",
        "keluarga-b40",
    ]
    assert table.columns[4:10] == [
        malay("Open cases: %(group)s") % {"group": term(g).name} for g in groups
    ]
    gap = malay("No CBO")
    assert table.rows == [
        ["Ampangan", "Seremban", 0, 1, 0, 0, 1, 0, 0, 0, gap],
        ["Rasah", "Seremban", 1, 2, 0, 0, 0, 1, 0, 1, ""],
        ["Lenggeng", "Seremban", 0, 0, 0, 0, 0, 0, 0, 0, ""],
        ["Pantai", "Seremban", 0, 0, 0, 0, 0, 0, 0, 0, ""],
        ["Rantau", "Seremban", 0, 0, 0, 0, 0, 0, 0, 0, ""],
        ["Seremban", "Seremban", 0, 0, 0, 0, 0, 0, 0, 0, ""],
        ["Setul", "Seremban", 0, 0, 0, 0, 0, 0, 0, 0, ""],
        ["Labu", "Seremban", 1, 0, 0, 0, 0, 0, 0, 0, ""],
    ]
    assert table.marked == {0}
    assert dict((row[0], row[1:]) for row in build("coverage-groups", seremban_scope()).rows) == {
        term("kanak-kanak").name: [0, 0],
        term("oku").name: [0, 0],
        term("warga-emas").name: [1, 0],
        term("mangsa-krt").name: [1, 1],
        term("wanita-ibu-tunggal").name: [0, 0],
        term("keluarga-b40").name: [1, 0],
    }


# --- figures: Malaysia, a state and a district (the ministry) ----------------------------


def test_national_referrals_and_medians(world):
    assert dict(build("referrals-status").rows) == {
        str(S.DRAFT.label): 1,
        str(S.SENT.label): 2,
        str(S.ACCEPTED.label): 2,
        str(S.DECLINED.label): 1,
        str(S.REDIRECTED.label): 0,
        str(S.IN_PROGRESS.label): 1,
        str(S.COMPLETED.label): 3,
        str(S.CLOSED.label): 0,
        str(S.CANCELLED.label): 0,
    }
    assert build("referrals-agency").rows == [
        ["Pejabat Kebajikan Masyarakat Daerah Seremban", 5],
        ["Pusat Sokongan Linggi", 2],
        ["Rumah Perlindungan Sampel", 1],
    ]
    # Acknowledged: high 4, 6, 10 h; normal 24 and 30 h. Completed: normal 5 and 10 days.
    assert build("referrals-urgency").rows == [
        [str(Urgency.IMMEDIATE.label), 2, 2.0, 2.0, 1, 0],
        [str(Urgency.HIGH.label), 3, 6.0, None, 0, 2],
        [str(Urgency.NORMAL.label), 5, 27.0, 7.5, 1, 0],
    ]


def test_national_overdue_list_is_ordered_by_due_time(world):
    r = world.refs
    table = build("overdue")
    assert [row[0] for row in table.rows] == [
        r[name].reference for name in ("a2", "d2", "b1", "e1")
    ]
    assert [row[2] for row in table.rows] == ["Seremban", "Port Dickson", "Seremban", "Alor Gajah"]
    assert table.note == "4 rujukan telah lewat."


def test_national_cbo_activity_and_listings_by_district(world):
    rows = {row[0]: row[1:] for row in build("cbo-activity").rows}
    assert rows["Seremban"] == [3, 2, 3, 4]
    assert rows["Port Dickson"] == [1, 1, 1, 2]
    assert rows["Alor Gajah"] == [1, 1, 1, 1]
    assert rows["Jelebu"] == [0, 0, 0, 0]
    unverified = {row[0]: row[1:] for row in build("unverified").rows}
    assert unverified["Seremban"] == [2, 1]
    assert unverified["Port Dickson"] == [1, 0]
    assert unverified["Alor Gajah"] == [1, 0]
    assert build("unverified").more is None


def test_ministry_figures_by_state(world):
    rows = {row[0]: row[1:] for row in build("state-referrals").rows}
    # all, drafts, open, completed, declined or redirected, closed or cancelled, overdue
    assert rows["Negeri Sembilan"] == [9, 1, 4, 3, 1, 0, 3]
    assert rows["Melaka"] == [1, 0, 1, 0, 0, 0, 1]
    assert rows["Johor"] == [0, 0, 0, 0, 0, 0, 0]
    assert len(rows) == 16
    cases = {row[0]: row[1:] for row in build("state-cases").rows}
    # open, all, active CBOs
    assert cases["Negeri Sembilan"] == [4, 5, 4]
    assert cases["Melaka"] == [1, 1, 1]


def test_ministry_figures_by_district(world):
    table = build("districts")
    # active CBOs, open cases, open referrals, overdue: most overdue first
    assert table.rows[:3] == [
        ["Seremban", "Negeri Sembilan", 3, 3, 3, 2],
        ["Alor Gajah", "Melaka", 1, 1, 1, 1],
        ["Port Dickson", "Negeri Sembilan", 1, 1, 1, 1],
    ]
    assert len(table.rows) == District.objects.count() == 159  # every district, even empty ones


def test_a_state_scope_leaves_other_states_out(world):
    negeri_sembilan = Scope(state=State.objects.get(code="MY-05"))
    assert sum(dict(build("referrals-status", negeri_sembilan).rows).values()) == 9
    assert [row[0] for row in build("state-referrals", negeri_sembilan).rows] == ["Negeri Sembilan"]
    assert "Alor Gajah" not in [row[0] for row in build("districts", negeri_sembilan).rows]
    assert build("referrals-urgency", negeri_sembilan).rows[1] == [
        str(Urgency.HIGH.label),
        2,
        5.0,
        None,
        0,
        1,
    ]
    gaps = [row[0] for row in build("coverage-mukims", negeri_sembilan).rows]
    assert "Durian Tunggal" not in gaps
    assert gaps[0] == "Ampangan"


# --- who sees what -----------------------------------------------------------------------

ALLOWED = {
    "ministry_admin",
    "district_officer",
    "other_district_officer",
    "state_officer",
    "other_state_officer",
}


@pytest.mark.parametrize("name", PERSONAS)
def test_only_officers_see_the_dashboard(client, personas, name):
    response = page(client, getattr(personas, name))
    assert response.status_code == (200 if name in ALLOWED else 403)


@pytest.mark.parametrize("name", PERSONAS)
def test_only_officers_export(client, personas, name):
    sign_in(client, getattr(personas, name))
    url = reverse("reports:export", kwargs={"table": "referrals-status", "fmt": "csv"})
    assert client.get(url).status_code == (200 if name in ALLOWED else 403)


def test_a_visitor_is_asked_to_sign_in(client, db):
    for url in (
        reverse("reports:dashboard"),
        reverse("reports:export", kwargs={"table": "overdue", "fmt": "xlsx"}),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_ministry_tables_are_the_ministrys(client, personas):
    sign_in(client, personas.district_officer)
    body = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="districts"' not in body
    assert 'id="state-referrals"' not in body
    for table in ("districts", "state-referrals", "state-cases"):
        url = reverse("reports:export", kwargs={"table": table, "fmt": "csv"})
        assert client.get(url).status_code == 403
    # A state officer has the table of its districts, not the tables of the states.
    sign_in(client, personas.state_officer)
    body = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="districts"' in body
    assert 'id="state-referrals"' not in body
    for table, status in (("districts", 200), ("state-referrals", 403), ("state-cases", 403)):
        url = reverse("reports:export", kwargs={"table": table, "fmt": "csv"})
        assert client.get(url).status_code == status
    sign_in(client, personas.ministry_admin)
    body = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="districts"' in body
    assert 'id="state-referrals"' in body


def test_unknown_tables_and_formats_are_not_found(client, personas):
    sign_in(client, personas.ministry_admin)
    for table, fmt in (("nothing", "csv"), ("overdue", "pdf"), ("overdue", "json")):
        url = reverse("reports:export", kwargs={"table": table, "fmt": fmt})
        assert client.get(url).status_code == 404


def test_the_district_officer_sees_only_their_district(client, world):
    """Port Dickson's receiving centre, its CBO, its overdue referral and the Melaka case
    appear only with the other districts' data."""
    body = page(client, world.p.district_officer).content.decode()
    assert world.refs["a2"].reference in body
    for other in (
        "Pusat Sokongan Linggi",
        "Pertubuhan Sampel Linggi Bakti",
        world.refs["d2"].reference,
        world.refs["e1"].reference,
        "Alor Gajah",
        "Linggi",
    ):
        assert other not in body
    # A filter for another district is ignored: still Seremban.
    body = page(client, world.p.district_officer, "?daerah=port-dickson").content.decode()
    assert "Pusat Sokongan Linggi" not in body
    assert world.refs["a2"].reference in body


def test_the_other_district_officer_sees_port_dickson(client, world):
    body = page(client, world.p.other_district_officer).content.decode()
    assert world.refs["d2"].reference in body
    assert "Pusat Sokongan Linggi" in body
    assert world.refs["a2"].reference not in body
    assert "Rumah Perlindungan Sampel" not in body


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_state_officer_sees_only_its_state(client, world):
    """Negeri Sembilan's officer: Seremban's and Port Dickson's referrals, organisations and
    overdue list, nothing of Melaka's, whatever filter it adds; Melaka's officer the other
    way round."""
    ours = [world.refs["a2"].reference, world.refs["d2"].reference, "Pusat Sokongan Linggi"]
    theirs = [world.refs["e1"].reference, "Pertubuhan Sampel Alor Gajah", "Durian Tunggal"]
    for query in ("", "?negeri=MY-04", "?daerah=alor-gajah"):
        response = page(client, world.p.state_officer, query)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<h1>" + malay("Dashboard: %(place)s") % {"place": "Negeri Sembilan"} in body
        assert all(seen in body for seen in ours), query
        assert not [other for other in theirs if other in body], query
        assert "Alor Gajah" not in body  # not even in a filter: it has none
    body = page(client, world.p.other_state_officer).content.decode()
    assert world.refs["e1"].reference in body and "Alor Gajah" in body
    assert not [other for other in ours if other in body]


def test_the_state_officer_counts_and_exports_what_the_ministry_sees_of_the_state(client, world):
    """Every table the state officer exports holds what the ministry's, narrowed to the
    state, holds: the state's referrals are counted from their own state field."""
    state = world.p.state_officer
    checked = 0
    for slug, found in REPORTS.items():
        if Role.STATE_OFFICER not in found.roles:
            continue
        ours = rows_of(export(client, state, slug, "csv"))
        ministry = rows_of(export(client, world.p.ministry_admin, slug, "csv", "?negeri=MY-05"))
        assert ours == ministry, slug
        checked += 1
    assert checked >= 10
    by_status = dict(rows_of(export(client, state, "referrals-status", "csv"))[1:])
    assert sum(int(n) for n in by_status.values()) == 9  # all but Melaka's one
    melaka = dict(rows_of(export(client, world.p.other_state_officer, "referrals-status", "csv")))
    assert melaka[str(S.ACCEPTED.label)] == "1"
    assert sum(int(n) for n in list(melaka.values())[1:]) == 1
    districts = rows_of(export(client, state, "districts", "csv"))
    assert sorted(row[0] for row in districts[1:]) == sorted(
        District.objects.filter(state__code="MY-05").values_list("name", flat=True)
    )


def test_the_state_page_links_to_referrals_not_to_verification(client, world):
    """The state officer opens the referrals on the overdue list (it may read them); the
    listings' verification is the district officers'."""
    body = page(client, world.p.state_officer).content.decode()
    assert reverse("cases:referral", args=[world.refs["a2"].pk]) in body
    assert reverse("cases:referral", args=[world.refs["d2"].pk]) in body
    assert reverse("listings:unverified") not in body
    assert f'href="{reverse("cases:dashboard")}"' in body
    assert "?negeri=" not in body  # its exports are its state's, with no filter to keep


@pytest.mark.parametrize("persona", ["district_officer", "state_officer", "ministry_admin"])
def test_no_personal_data_on_the_page_or_in_exports(client, world, persona):
    # A person recorded with every detail, referred with a summary for the agency.
    case = make_case(world.p.cbo_head, mukim=mukim("Rasah"))
    make_referral(world.p.cbo_head, case, world.jkm)
    who = getattr(world.p, persona)
    texts = [page(client, who).content.decode()]
    for slug, found in REPORTS.items():
        if who.membership.role not in found.roles:
            continue
        texts.append(export(client, who, slug, "csv").content.decode("utf-8-sig"))
        sheets = load_workbook(io.BytesIO(export(client, who, slug, "xlsx").content))
        texts.append(
            " ".join(
                str(c) for sheet in sheets for row in sheet.iter_rows(values_only=True) for c in row
            )
        )
    assert len(texts) > 20
    for text in texts:
        for personal in (CLIENT_NAME, "850315", "+60123456789", "Jalan Sampel", "Perlukan"):
            assert personal not in text, personal


# --- the page ----------------------------------------------------------------------------


def test_the_district_page_charts_tables_links_and_exports(client, world):
    response = page(client, world.p.district_officer)
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    # A chart per table that has one: an SVG image with a title, each bar's value written.
    with time_machine.travel(NOW, tick=False):
        tables = [
            r.build(seremban_scope()) for r in REPORTS.values() if Role.DISTRICT_OFFICER in r.roles
        ]
    assert body.count('role="img"') == sum(
        1 + len(t.more_charts) for t in tables if t.chart is not None
    )
    assert body.count('role="img"') > 10
    assert '<title id="chart-referrals-status-1">' in body
    assert '<title id="chart-referrals-urgency-2">' in body
    assert "<script" not in body.split("<main", 1)[1]
    # Under it, the table, with a caption naming the scope and headers for rows and columns.
    assert f"<caption>{malay('Referrals by status')} · Seremban</caption>" in body
    assert '<th scope="col">' in body and '<th scope="row">' in body
    # The overdue list links to the referral; the unverified count to the officer's list.
    assert reverse("cases:referral", args=[world.refs["a2"].pk]) in body
    assert reverse("listings:unverified") in body
    # The gap is marked in the coverage table; the printed directory is one tap away.
    assert "<mark>Ampangan</mark>" in body
    assert reverse("reports:booklet") in body
    csv_url = reverse("reports:export", kwargs={"table": "referrals-status", "fmt": "csv"})
    xlsx_url = reverse("reports:export", kwargs={"table": "referrals-status", "fmt": "xlsx"})
    assert f'href="{csv_url}"' in body and f'href="{xlsx_url}"' in body


def test_the_ministry_page_has_no_district_officer_links(client, world):
    body = page(client, world.p.ministry_admin).content.decode()
    assert world.refs["a2"].reference in body  # on the national overdue list
    assert reverse("cases:referral", args=[world.refs["a2"].pk]) not in body
    assert reverse("listings:unverified") not in body
    assert "<h1>" + malay("Dashboard: %(place)s") % {"place": "Malaysia"} + "</h1>" in body
    # Every state and district is in the filter.
    assert '<option value="MY-04">Melaka</option>' in body
    assert '<option value="alor-gajah">Alor Gajah</option>' in body


def test_medians_with_no_data_show_a_dash(client, world):
    body = page(client, world.p.district_officer).content.decode()
    table = body.split('id="referrals-urgency"', 1)[1].split("</table>", 1)[0]
    assert "<td>—</td>" in table
    assert "<td>5.0</td>" in table


def test_the_page_in_english(client, world):
    response = page(client, world.p.district_officer, prefix="/en")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in body
    assert "Referrals by status" in body
    assert "Immediate danger" in body
    assert "/en/laporan/eksport/referrals-status.csv" in body


# --- the ministry's filters --------------------------------------------------------------


def test_the_ministry_narrows_to_a_state_or_a_district(client, world):
    body = page(client, world.p.ministry_admin, "?negeri=MY-05").content.decode()
    assert "Alor Gajah" not in body.split("</form>", 1)[1]
    assert "Pusat Sokongan Linggi" in body
    assert "?negeri=MY-05" in body  # exports keep the filter
    body = page(client, world.p.ministry_admin, "?negeri=negeri-sembilan").content.decode()
    assert "Pusat Sokongan Linggi" in body
    body = page(client, world.p.ministry_admin, "?daerah=port-dickson").content.decode()
    after_form = body.split("</form>", 1)[1]
    assert "Pusat Sokongan Linggi" in after_form
    assert "Rumah Perlindungan Sampel" not in after_form
    assert "?daerah=port-dickson" in after_form
    body = page(client, world.p.ministry_admin, "?negeri=MY-05&daerah=seremban").content.decode()
    assert world.refs["a2"].reference in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?negeri=MY-99", "There is no state “%(value)s”. Choose one from the list."),
        ("?daerah=atlantis", "There is no district “%(value)s”. Choose one from the list."),
        (
            "?negeri=MY-04&daerah=seremban",
            "%(district)s is not in %(state)s. Choose a district of that state.",
        ),
    ],
)
def test_a_bad_filter_is_explained(client, world, query, message):
    response = page(client, world.p.ministry_admin, query)
    assert response.status_code == 400
    body = response.content.decode()
    values = {"value": query.split("=", 1)[1], "district": "Seremban", "state": "Melaka"}
    assert malay(message) % values in body
    assert 'id="referrals-status"' not in body
    sign_in(client, world.p.ministry_admin)
    url = reverse("reports:export", kwargs={"table": "referrals-status", "fmt": "csv"})
    assert client.get(url + query).status_code == 404


# --- exports -----------------------------------------------------------------------------


def export(client, persona, slug, fmt, query=""):
    sign_in(client, persona)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("reports:export", kwargs={"table": slug, "fmt": fmt}) + query)


def test_csv_export(client, world):
    response = export(client, world.p.district_officer, "referrals-agency", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="santuni-referrals-agency-seremban-2026-11-20.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [malay("Receiving organisation"), malay("Referrals")],
        ["Pejabat Kebajikan Masyarakat Daerah Seremban", "4"],
        ["Rumah Perlindungan Sampel", "1"],
    ]


def test_csv_export_of_medians_and_the_overdue_list(client, world):
    response = export(client, world.p.ministry_admin, "referrals-urgency", "csv", "?negeri=MY-05")
    assert (
        "santuni-referrals-urgency-negeri-sembilan-2026-11-20.csv"
        in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == [
        [str(Urgency.IMMEDIATE.label), "2", "2.0", "2.0", "1", "0"],
        [str(Urgency.HIGH.label), "2", "5.0", "", "0", "1"],
        [str(Urgency.NORMAL.label), "5", "27.0", "7.5", "1", "0"],
    ]
    response = export(client, world.p.district_officer, "overdue", "csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [world.refs["a2"].reference, world.refs["b1"].reference]
    assert rows[1][5:] == ["2026-11-02", "18.0"]


def test_xlsx_export_has_numbers_as_numbers(client, world):
    response = export(client, world.p.ministry_admin, "districts", "xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "santuni-districts-malaysia-2026-11-20.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == malay("District")
    assert sheet["A1"].font.bold
    assert rows[1] == ("Seremban", "Negeri Sembilan", 3, 3, 3, 2)
    assert all(isinstance(v, int) for v in rows[1][2:])
    about = dict(book.worksheets[1].iter_rows(values_only=True))
    assert about[malay("Scope")] == "Malaysia"


def test_xlsx_export_dates_and_empty_medians(client, world):
    response = export(client, world.p.district_officer, "cbo-activity", "xlsx")
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[1][:3] == ("Pertubuhan Sampel Rasah Prihatin", 2, 2)
    assert rows[1][3].date() == date(2026, 11, 2)
    assert rows[3][3] is None
    response = export(client, world.p.district_officer, "referrals-urgency", "xlsx")
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[2] == (str(Urgency.HIGH.label), 2, 5.0, None, 0, 1)


def test_exports_guard_against_formulas(client, world):
    """A receiving organisation's name that a spreadsheet would run as a formula."""
    for n, name in enumerate(
        ['=HYPERLINK("http://x.invalid","klik")', "+60 1", "-1+1", "@SUM(A1)"]
    ):
        service = ServiceFactory(organization=OrganizationFactory(name=name))
        case = Case.objects.filter(district__slug="seremban", status="open").first()
        for _ in range(n + 7):  # more referrals than the others: at the top of the table
            make_referral(world.p.cbo_head, case, service)
    response = export(client, world.p.district_officer, "referrals-agency", "csv")
    names = [row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    assert names[1:5] == ["'@SUM(A1)", "'-1+1", "'+60 1", '\'=HYPERLINK("http://x.invalid","klik")']
    response = export(client, world.p.district_officer, "referrals-agency", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    # The spreadsheet keeps them as text cells, shown as they are.
    assert [sheet.cell(row=r, column=1).value for r in range(2, 6)] == [n[1:] for n in names[1:5]]
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(2, 6))


# --- speed -------------------------------------------------------------------------------


def _queries(client, persona) -> int:
    sign_in(client, persona)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reports:dashboard")).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_data(client, world):
    """The same number of queries for a handful of referrals and for many more."""
    officer, state, ministry = (
        _queries(client, world.p.district_officer),
        _queries(client, world.p.state_officer),
        _queries(client, world.p.ministry_admin),
    )
    service = jkm_service(world.p, name="Khidmat tambahan")
    with time_machine.travel(T0 + 8 * H, tick=False):
        for head, place, district in (
            (world.p.cbo_head, "Rantau", "seremban"),
            (world.pd_head, "Jimah", "port-dickson"),
        ):
            for urgency in (Urgency.IMMEDIATE, Urgency.NORMAL):
                case = open_case(
                    head,
                    urgency=urgency,
                    category="shelter",
                    place=place,
                    group="oku",
                    district=district,
                )
                for _ in range(3):
                    make_referral(head, case, service)
    assert _queries(client, world.p.district_officer) == officer
    assert _queries(client, world.p.state_officer) == state
    assert _queries(client, world.p.ministry_admin) == ministry
    # Signing in (session, user, memberships, device), the header's count of unread
    # notifications, and two to five per table.
    assert officer == 35
    assert state == 36
    assert ministry <= 46


def test_the_district_referrals_page_links_to_the_dashboard(client, personas):
    sign_in(client, personas.district_officer)
    body = client.get(reverse("cases:dashboard")).content.decode()
    assert f'href="{reverse("reports:dashboard")}"' in body


def test_the_migration_fills_in_earlier_referrals(world):
    """Referrals made before the dashboards get their case's urgency and category, and how
    long each step took, from the migration."""
    from importlib import import_module

    from django.apps import apps

    fill = import_module("santuni.cases.migrations.0004_dashboard_figures").fill
    expected = {
        r.pk: (r.urgency, r.category, r.seconds_to_acknowledge, r.seconds_to_complete)
        for r in Referral.objects.all()
    }
    Referral.objects.update(
        urgency="", category="", seconds_to_acknowledge=None, seconds_to_complete=None
    )
    fill(apps, None)
    after = {
        r.pk: (r.urgency, r.category, r.seconds_to_acknowledge, r.seconds_to_complete)
        for r in Referral.objects.all()
    }
    assert after == expected
    assert after[world.refs["a1"].pk] == ("immediate", "domestic_violence", 2 * 3600, 48 * 3600)


def test_the_migration_fills_in_the_state_of_cases_and_referrals(world):
    """Cases and referrals made before they kept a state take their district's."""
    from importlib import import_module

    from django.apps import apps

    fill = import_module("santuni.cases.migrations.0007_fill_case_referral_state").fill_state
    melaka = State.objects.get(code="MY-04")
    # As if every row were still to be filled: all of them in one (wrong) state.
    Case.objects.update(state=melaka)
    Referral.objects.update(state=melaka)
    fill(apps, None)
    for model in (Case, Referral):
        rows = model.objects.values_list("state__code", "district__state__code")
        assert len(rows) > 5 and all(state == district for state, district in rows), model
    assert Referral.objects.get(pk=world.refs["d2"].pk).state.code == "MY-05"
    assert Referral.objects.get(pk=world.refs["e1"].pk).state == melaka


def test_a_district_officer_of_no_district_sees_nothing(client, world):
    officer = world.p.district_officer
    Membership.objects.filter(pk=officer.membership.pk).update(district=None)
    assert page(client, officer).status_code == 403
    assert export(client, officer, "overdue", "csv").status_code == 403


def test_the_dashboard_only_answers_reading(client, world):
    sign_in(client, world.p.ministry_admin)
    assert client.post(reverse("reports:dashboard")).status_code == 405
    url = reverse("reports:export", kwargs={"table": "overdue", "fmt": "csv"})
    assert client.post(url).status_code == 405
