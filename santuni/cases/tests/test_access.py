"""Every page of the cases app, against every persona: who gets in, who not, and who finds
nothing there.

A signed-in persona whose role the page does not allow gets 403; a visitor is sent to sign in.
A case, referral or attachment outside the persona's scope is not found (404): its id tells
them nothing. Pages that only take a POST refuse a GET (405) to the roles they allow.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from santuni.accounts.tests.personas import PERSONAS, sign_in
from santuni.cases import urls, workflow
from santuni.cases.models import Attachment, Case, CaseNote, Client, Referral, ReferralEvent
from santuni.cases.services import cases

from .factories import jkm_service, make_case, make_referral

pytestmark = pytest.mark.django_db

OK, DENIED, SIGN_IN = 200, 403, "sign in"
NOT_FOUND, WRONG_METHOD = 404, 405
ONLY = {p: DENIED for p in PERSONAS}
# The roles of the case pages (selectors.CASE_ROLES), and of the referral pages.
CASE_PEOPLE = (
    "cbo_head",
    "other_cbo_head",
    "cbo_member",
    "district_officer",
    "other_district_officer",
)
# The state officers read cases and referrals (of their own state), and write nothing.
STATE_OFFICERS = ("state_officer", "other_state_officer")
READERS = (*CASE_PEOPLE, *STATE_OFFICERS)
REFERRAL_PEOPLE = (*READERS, "agency_focal_point", "other_agency_focal_point")


def only(*names, **others):
    return {**ONLY, **dict.fromkeys(names, OK), **others}


# The case of the world: the CBO member of people.cbo opened it, so the head and the member see
# it, and so do the district officer and the state officer (Negeri Sembilan's); the other
# CBO's head, the other district's officer and the other state's officer find nothing.
SEES_CASE = only(
    "cbo_head",
    "cbo_member",
    "district_officer",
    "state_officer",
    other_cbo_head=NOT_FOUND,
    other_district_officer=NOT_FOUND,
    other_state_officer=NOT_FOUND,
)
# Pages that work on the case: the state officers are refused them by role.
WORKS_ON_CASE = only(
    "cbo_head",
    "cbo_member",
    "district_officer",
    other_cbo_head=NOT_FOUND,
    other_district_officer=NOT_FOUND,
)


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case(personas.cbo_member)
    referral = make_referral(personas.cbo_head, case, jkm_service(personas))
    attachment = cases.attachment_add(
        actor=personas.cbo_member.membership,
        case_id=case.pk,
        upload=SimpleUploadedFile("surat.pdf", b"%PDF-1.4 sampel", content_type="application/pdf"),
    )
    assert referral.status == Referral.Status.SENT
    return personas, case, referral, attachment


def pages(world):
    personas, case, referral, attachment = world
    return [
        ("cases:cases", [], only(*READERS)),
        ("cases:case_new", [], only("cbo_head", "other_cbo_head", "cbo_member")),
        ("cases:danger", [], only(*READERS)),
        ("cases:case", [case.pk], SEES_CASE),
        # POST only: the method is checked after the role, before the case is looked up.
        ("cases:case_note", [case.pk], only(**dict.fromkeys(CASE_PEOPLE, WRONG_METHOD))),
        ("cases:case_attach", [case.pk], only(**dict.fromkeys(CASE_PEOPLE, WRONG_METHOD))),
        (
            "cases:case_close",
            [case.pk],
            only(
                **dict.fromkeys(
                    ("cbo_head", "other_cbo_head", "district_officer", "other_district_officer"),
                    WRONG_METHOD,
                )
            ),
        ),
        ("cases:client_export", [case.pk], only("cbo_head", other_cbo_head=NOT_FOUND)),
        (
            "cases:consent_withdraw",
            [case.pk],
            only(
                "cbo_head",
                "district_officer",
                other_cbo_head=NOT_FOUND,
                other_district_officer=NOT_FOUND,
            ),
        ),
        ("cases:referral_new", [case.pk], WORKS_ON_CASE),
        ("cases:attachment", [attachment.pk], SEES_CASE),
        ("cases:referrals", [], only(*REFERRAL_PEOPLE)),
        (
            "cases:referral",
            [referral.pk],
            only(
                "cbo_head",
                "cbo_member",
                "district_officer",
                "state_officer",
                "agency_focal_point",
                other_cbo_head=NOT_FOUND,
                other_district_officer=NOT_FOUND,
                other_state_officer=NOT_FOUND,
                # The agency's focal point for another district.
                other_agency_focal_point=NOT_FOUND,
            ),
        ),
        (
            "cases:dashboard",
            [],
            only("district_officer", "other_district_officer", *STATE_OFFICERS),
        ),
        # Nobody tells a state officer of a referral's steps: no notifications of its own.
        (
            "cases:notifications",
            [],
            only(*CASE_PEOPLE, "agency_focal_point", "other_agency_focal_point"),
        ),
    ]


PAGE_NAMES = [
    "cases:cases",
    "cases:case_new",
    "cases:danger",
    "cases:case",
    "cases:case_note",
    "cases:case_attach",
    "cases:case_close",
    "cases:client_export",
    "cases:consent_withdraw",
    "cases:referral_new",
    "cases:attachment",
    "cases:referrals",
    "cases:referral",
    "cases:dashboard",
    "cases:notifications",
]
POST_ONLY = ("cases:case_note", "cases:case_attach", "cases:case_close")


def test_every_page_of_the_cases_app_is_checked():
    assert sorted(PAGE_NAMES) == sorted(f"cases:{p.name}" for p in urls.urlpatterns)


@pytest.mark.parametrize("page", PAGE_NAMES)
@pytest.mark.parametrize("persona", [*PERSONAS, "anonymous"])
def test_who_may_open_each_page(client, world, page, persona):
    name, args, expected = next(p for p in pages(world) if p[0] == page)
    personas = world[0]
    sign_in(client, getattr(personas, persona, None))
    response = client.get(reverse(name, args=args))
    response.close()
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))
        return
    assert response.status_code == expected[persona], response.content[:300]


def test_the_outsider_is_refused_everywhere(client, world):
    """Signed in without any role: every page, read or written, is a 403."""
    personas = world[0]
    sign_in(client, personas.outsider)
    for name, args, _expected in pages(world):
        url = reverse(name, args=args)
        assert client.get(url).status_code == DENIED, name
        assert client.post(url, {"text": "Nota"}).status_code == DENIED, name


def post_data(page, world):
    """What the page's own form would send."""
    personas, case, referral, attachment = world
    key = str(uuid.uuid4())
    return {
        "cases:case_note": {"text": "Nota yang tidak patut ada", "submission_key": key},
        "cases:case_attach": {
            "file": SimpleUploadedFile("lain.pdf", b"%PDF-1.4 lain", content_type="application/pdf")
        },
        "cases:case_close": {"version": case.version},
        "cases:consent_withdraw": {},
        "cases:referral_new": {
            "service": jkm_service(personas, name="Rumah Perlindungan").pk,
            "mode": "live",
            "summary": "Rujukan yang tidak patut ada.",
            "submission_key": key,
            "send": "1",
        },
    }[page]


def snapshot(world):
    """Everything a write to the case could change."""
    _personas, case, referral, _attachment = world
    case = Case.objects.get(pk=case.pk)
    return {
        "case": (case.status, case.version, case.closed_at),
        "client": Client.objects.get(pk=case.client_id).anonymised_at,
        "notes": CaseNote.objects.count(),
        "attachments": sorted(Attachment.objects.values_list("pk", flat=True)),
        "referrals": sorted(Referral.objects.values_list("pk", "status", "version")),
    }


WRITES = (*POST_ONLY, "cases:consent_withdraw", "cases:referral_new")
# Who may not write to the case: out of scope (404), or the role may not (403).
KEPT_OUT = [
    ("other_cbo_head", NOT_FOUND),
    ("other_district_officer", NOT_FOUND),
    # The state officer sees the case, and may not write to it; nor may another state's.
    ("state_officer", DENIED),
    ("other_state_officer", DENIED),
    ("agency_focal_point", DENIED),
    ("other_agency_focal_point", DENIED),
    ("ministry_admin", DENIED),
    ("outsider", DENIED),
]
# Closing a case and withdrawing consent are for the head and the district officer.
HEAD_ONLY = ("cases:case_close", "cases:consent_withdraw")


@pytest.mark.parametrize(
    ("page", "persona", "status"),
    [
        (page, persona, status)
        for page in WRITES
        for persona, status in [*KEPT_OUT, *([("cbo_member", DENIED)] if page in HEAD_ONLY else [])]
    ],
)
def test_a_post_by_someone_who_cannot_see_the_case_changes_nothing(
    client, world, page, persona, status
):
    personas, case, _referral, _attachment = world
    data = post_data(page, world)
    before = snapshot(world)
    sign_in(client, getattr(personas, persona))
    response = client.post(reverse(page, args=[case.pk]), data)
    assert response.status_code == status
    assert snapshot(world) == before


@pytest.mark.parametrize("page", POST_ONLY)
def test_a_post_by_a_visitor_is_sent_to_sign_in_and_changes_nothing(client, world, page):
    _personas, case, _referral, _attachment = world
    data = post_data(page, world)
    before = snapshot(world)
    response = client.post(reverse(page, args=[case.pk]), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert snapshot(world) == before


def action_data(action, referral, personas):
    data = {"action": action, "version": referral.version}
    extra = {
        "decline": {"reason": "no_capacity"},
        "complete": {"reason": "service_delivered"},
        "close": {"reason": "resolved"},
        "redirect": {"service": jkm_service(personas, name="Rumah Perlindungan").pk},
        "send": {"consent_override": ""},
    }
    return {**data, **extra.get(action, {})}


@pytest.mark.parametrize(
    "persona",
    ["other_cbo_head", "other_district_officer", "other_state_officer", "other_agency_focal_point"],
)
def test_guessing_ids_finds_no_referral_to_act_on(client, world, persona):
    """Another CBO's head, another district's or state's officer and the agency's focal point
    for another district, posting every step to the referral's address, are told it is not
    there, and it stays as it was."""
    personas, _case, referral, _attachment = world
    events = ReferralEvent.objects.filter(referral=referral).count()
    sign_in(client, getattr(personas, persona))
    url = reverse("cases:referral", args=[referral.pk])
    for action in workflow.STEPS:
        response = client.post(url, action_data(action, referral, personas))
        assert response.status_code == NOT_FOUND, action
    after = Referral.objects.get(pk=referral.pk)
    assert (after.status, after.version) == (Referral.Status.SENT, referral.version)
    assert ReferralEvent.objects.filter(referral=referral).count() == events
    assert Referral.objects.count() == 1  # no redirect made a new one


@pytest.mark.parametrize("mode", ["draft", "logged"])
def test_the_agency_finds_no_draft_or_logged_referral_to_it(client, world, mode):
    """Drafts and records of a person who went on their own are the sender's business."""
    personas, case, _referral, _attachment = world
    other = (
        make_referral(personas.cbo_head, case, jkm_service(personas, name="Lain"), send=False)
        if mode == "draft"
        else make_referral(personas.cbo_head, case, jkm_service(personas, name="Lain"), mode=mode)
    )
    sign_in(client, personas.agency_focal_point)
    url = reverse("cases:referral", args=[other.pk])
    assert client.get(url).status_code == NOT_FOUND
    assert client.post(url, action_data("accept", other, personas)).status_code == NOT_FOUND
    assert Referral.objects.get(pk=other.pk).status == other.status


def test_a_cbo_member_finds_only_the_cases_they_opened(client, world):
    """The head's own case, in the same CBO, is not there for the member."""
    personas = world[0]
    case = make_case(personas.cbo_head)
    referral = make_referral(personas.cbo_head, case, jkm_service(personas, name="Lain"))
    attachment = cases.attachment_add(
        actor=personas.cbo_head.membership,
        case_id=case.pk,
        upload=SimpleUploadedFile("ic.pdf", b"%PDF-1.4 ic", content_type="application/pdf"),
    )
    sign_in(client, personas.cbo_member)
    for name, key in [
        ("cases:case", case.pk),
        ("cases:referral_new", case.pk),
        ("cases:attachment", attachment.pk),
        ("cases:referral", referral.pk),
    ]:
        assert client.get(reverse(name, args=[key])).status_code == NOT_FOUND, name
    note = {"text": "Nota", "submission_key": str(uuid.uuid4())}
    assert client.post(reverse("cases:case_note", args=[case.pk]), note).status_code == NOT_FOUND
    assert not CaseNote.objects.exists()
    sign_in(client, personas.cbo_head)
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == OK


def test_the_state_officer_reads_a_referral_and_takes_no_step(client, world):
    """The referral's steps are the CBO's, the receiver's and the district officer's: the
    state officer sees the referral, is offered no step and is refused every one."""
    personas, _case, referral, _attachment = world
    events = ReferralEvent.objects.filter(referral=referral).count()
    sign_in(client, personas.state_officer)
    url = reverse("cases:referral", args=[referral.pk])
    page = client.get(url)
    assert page.status_code == OK
    assert referral.reference in page.content.decode()
    assert b'name="action"' not in page.content
    for action in workflow.STEPS:
        response = client.post(url, action_data(action, referral, personas))
        assert response.status_code in (DENIED, 302), action
    after = Referral.objects.get(pk=referral.pk)
    assert (after.status, after.version) == (Referral.Status.SENT, referral.version)
    assert ReferralEvent.objects.filter(referral=referral).count() == events
    assert Referral.objects.count() == 1
