"""Guessing ids: another CBO's head, another district's officer and another state's officer,
given the real id of a case, referral, attachment, booklet, listing change, attendance, role
or invitation of the personas' CBO, get exactly what an id that does not exist gets: the same
404 page, byte for byte but the id, and nothing written; so does the agency's focal point for
another district, given the id of a referral to their own agency from the personas' district.
Nor does a case reference or a client's name, typed into any search or filter, find anything
of another CBO's cases, and the public search and the HSDS API never hold case or client data
at all.

Case notes have no address of their own (they are shown on the case page), so there is no
note id to guess: writing one goes through the case's address, tried here.
"""

import json
import re
import uuid

import pytest
from django.urls import reverse

from santuni.accounts.models import Invitation, Membership
from santuni.cases.tests import test_access
from santuni.cases.tests.factories import CLIENT_NAME, CLIENT_PHONE, MYKAD
from santuni.training.tests.factories import EventFactory, johor_district

from .access_world import changed_tables, client_as, kept_world, snapshot

pytestmark = pytest.mark.django_db

OTHERS = ("other_cbo_head", "other_district_officer")
OFFICER = ("other_district_officer",)
HEAD = ("other_cbo_head",)
# Melaka's state officer, who reads Melaka's cases and referrals (and writes in none: where a
# page is for writing, its role is refused, not its id).
STATE = ("other_state_officer",)
# The agency's focal point for another district: the referral is to their organisation, but
# from a district that is not theirs.
READERS = (*OTHERS, *STATE, "other_agency_focal_point")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with kept_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


def case_form(page):
    return lambda w: test_access.post_data(page, (w.p, w.case, w.referral, w.attachment))


# URL name, what is guessed, the URL's arguments (the guessed id last), who guesses, the
# method, the form sent.
GUESSES = [
    ("cases:case", "the case", lambda w: [w.case.pk], (*OTHERS, *STATE), "get", None),
    ("cases:referral_new", "the case", lambda w: [w.case.pk], OTHERS, "get", None),
    ("cases:consent_withdraw", "the case", lambda w: [w.case.pk], OTHERS, "get", None),
    # Exporting is the CBO head's alone: another district's officer is refused by role (403).
    ("cases:client_export", "the case", lambda w: [w.case.pk], HEAD, "get", None),
    (
        "cases:attachment",
        "the attachment",
        lambda w: [w.attachment.pk],
        (*OTHERS, *STATE),
        "get",
        None,
    ),
    ("cases:referral", "the referral", lambda w: [w.referral.pk], READERS, "get", None),
    *[
        (page, "the case", lambda w: [w.case.pk], OTHERS, "post", case_form(page))
        for page in test_access.WRITES
    ],
    (
        "cases:referral",
        "the referral",
        lambda w: [w.referral.pk],
        READERS,
        "post",
        lambda w: test_access.action_data("accept", w.referral, w.p),
    ),
    (
        "reports:booklet_status",
        "the booklet",
        lambda w: [w.booklet.pk],
        (*OFFICER, *STATE),
        "get",
        None,
    ),
    (
        "reports:booklet_file",
        "the booklet",
        lambda w: [w.booklet.pk],
        (*OFFICER, *STATE),
        "get",
        None,
    ),
    ("listings:review", "the listing change", lambda w: [w.change.pk], OFFICER, "get", None),
    (
        "listings:review",
        "the listing change",
        lambda w: [w.change.pk],
        OFFICER,
        "post",
        lambda w: {"decision": "approve"},
    ),
    (
        "listings:verify_listing",
        "the CBO",
        lambda w: ["cbo", w.p.cbo.organization.pk],
        OFFICER,
        "post",
        None,
    ),
    ("listings:service_edit", "the service", lambda w: [w.service.pk], HEAD, "get", None),
    (
        "listings:service_edit",
        "the service",
        lambda w: [w.service.pk],
        HEAD,
        "post",
        lambda w: {"name": "Diubah orang lain", "status": "active", "description": "Diubah."},
    ),
    # An event of another state; the attendee of another district's CBO.
    (
        "training:event",
        "an event in Johor",
        lambda w: [EventFactory(district=johor_district()).pk],
        ("district_officer", "other_district_officer", "state_officer", *STATE),
        "get",
        None,
    ),
    # Melaka's state officer: an event of Negeri Sembilan.
    ("training:event", "the event", lambda w: [w.event.pk], STATE, "get", None),
    (
        "training:attendance_remove",
        "the attendee",
        lambda w: [w.attendance.pk],
        (*OFFICER, *STATE),
        "post",
        None,
    ),
    # Roles are numbered in sequence: the numbers around one's own are other people's.
    (
        "accounts:membership_remove",
        "the member's role",
        lambda w: [w.p.cbo_member.membership.pk],
        (*OTHERS, *STATE),
        "post",
        None,
    ),
    (
        "accounts:membership_remove",
        "the head's role",
        lambda w: [w.p.cbo_head.membership.pk],
        (*OTHERS, *STATE),
        "post",
        None,
    ),
    # A state officer manages its own state's district officers: not another state's.
    (
        "accounts:membership_remove",
        "the district officer's role",
        lambda w: [w.p.district_officer.membership.pk],
        STATE,
        "post",
        None,
    ),
    (
        "accounts:invitation_cancel",
        "the invitation",
        lambda w: [w.invitation.pk],
        (*OTHERS, *STATE),
        "post",
        None,
    ),
]
CASES = [
    (name, what, args, who, method, form)
    for name, what, args, people, method, form in GUESSES
    for who in people
]


def made_up(real):
    """An id of the same kind that belongs to nothing."""
    if isinstance(real, int):
        return Membership.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    return uuid.uuid4()


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def shape(response, said) -> tuple:
    """What the response shows, with what was asked for (the address with the guessed id, or
    the words searched for) and the fresh CSRF token blanked."""
    body = response.content.replace(str(said).encode(), b"<asked>")
    body = CSRF.sub(b'name="csrfmiddlewaretoken" value=""', body)
    headers = {k: v for k, v in response.headers.items() if k != "Content-Length"}
    return response.status_code, [t.name for t in response.templates], headers, body


@pytest.mark.parametrize(
    ("name", "what", "args", "who", "method", "form"),
    CASES,
    ids=[f"{method} {name} ({what}) as {who}" for name, what, _a, who, method, _f in CASES],
)
def test_a_guessed_id_looks_like_no_id_at_all(world, name, what, args, who, method, form):
    args = args(world)
    real, fake = args[-1], made_up(args[-1])
    client = client_as(world, who)
    send = getattr(client, method)
    data = form(world) if form else {}
    fresh = form(world) if form else {}  # an upload is read once: the second POST gets its own
    before = snapshot()
    real_url, fake_url = reverse(name, args=args), reverse(name, args=[*args[:-1], fake])
    guessed, invented = send(real_url, data), send(fake_url, fresh)
    assert guessed.status_code == 404, guessed.status_code
    status, templates, headers, body = shape(guessed, real_url)
    assert (status, templates, headers) == shape(invented, fake_url)[:3]
    assert body == shape(invented, fake_url)[3], "the page for a real id is not the one for none"
    assert len(guessed.content) - len(invented.content) == (
        guessed.content.count(real_url.encode()) * (len(real_url) - len(fake_url))
    )
    assert changed_tables(before, snapshot()) == []
    if name == "accounts:membership_remove":
        assert Membership.objects.get(pk=real).revoked_at is None
    if name == "accounts:invitation_cancel":
        assert Invitation.objects.get(pk=real).cancelled_at is None


# --- searching and filtering ------------------------------------------------------------------


def secrets_of(w) -> list[str]:
    """What of the case must not reach anyone outside it."""
    return [
        w.case.reference,
        w.referral.reference,
        str(w.case.pk),
        str(w.referral.pk),
        CLIENT_NAME,
        CLIENT_NAME.split()[0],
        MYKAD,
        MYKAD.replace("-", ""),
        CLIENT_PHONE,
        "Jalan Sampel",
        "Suami memukul",
        "Nota sulit",
    ]


def leaked(response, w, typed="") -> list[str]:
    """The case's details on the page, but for what the person typed (shown back to them)."""
    text = response.content.decode()
    return [s for s in secrets_of(w) if s in text and s not in typed]


def searches(w):
    """Every list with a search box or filter, asked for the case by what someone might know."""
    known = [w.case.reference, w.referral.reference, CLIENT_NAME, MYKAD]
    filters = [{"q": k} for k in known] + [
        {"status": w.case.status},
        {"urgency": w.case.urgency},
        {"target_group": w.case.client.target_groups.first().pk},
        {"status": w.referral.status},
        {"lewat": "1"},
    ]
    pages = ["cases:cases", "cases:referrals", "cases:notifications", "cases:danger"]
    return [(page, query) for page in pages for query in filters] + [
        ("cases:dashboard", {}),
        ("reports:dashboard", {}),
    ]


@pytest.mark.parametrize("who", READERS)
def test_no_list_or_filter_shows_another_cbos_case(world, who):
    client = client_as(world, who)
    for page, query in searches(world):
        response = client.get(reverse(page), query)
        if response.status_code == 403:  # the role has no such list
            continue
        assert response.status_code == 200, (page, query)
        assert leaked(response, world, query.get("q", "")) == [], (page, query)


@pytest.mark.parametrize("who", READERS)
def test_a_reference_searched_for_finds_what_a_made_up_one_finds(world, who):
    """The list answers an existing reference as it answers one nobody was given."""
    client = client_as(world, who)
    for page in ("cases:cases", "cases:referrals"):
        for real in (world.case.reference, world.referral.reference):
            fake = "K-ZZZZZZ" if real.startswith("K-") else real[:-4] + "ZZZZ"
            found = client.get(reverse(page), {"q": real})
            made = client.get(reverse(page), {"q": fake})
            assert shape(found, real)[3] == shape(made, fake)[3], (page, real)


@pytest.mark.parametrize("who", ["anonymous", *OTHERS, "cbo_head", "district_officer"])
def test_the_public_search_never_finds_case_data(world, who):
    """Not even for the case's own CBO head: the directory indexes services, never people. A
    reference finds what a made-up one finds; a client's name finds nothing of theirs (its
    words may find services of organisations with the same words in their names)."""
    client = client_as(world, who)
    for language in ("", "/en"):
        search = f"{language}{reverse('directory:search')}"
        for real in (world.case.reference, world.referral.reference):
            fake = real[:-4] + "ZZZZ"
            found, made = client.get(search, {"q": real}), client.get(search, {"q": fake})
            assert shape(found, real)[3] == shape(made, fake)[3], real
        for typed in (CLIENT_NAME, "Rohani", MYKAD, "Suami memukul"):
            response = client.get(search, {"q": typed})
            assert response.status_code == 200
            assert leaked(response, world, typed) == [], typed


def test_the_hsds_api_never_holds_case_or_client_data(world):
    client = client_as(world, "anonymous")
    typed = [world.case.reference, world.referral.reference, CLIENT_NAME, "Rohani"]
    for path in ("services", "organizations", "service_at_locations", "taxonomy_terms"):
        for search in ["", *typed]:
            query = {"search": search, "per_page": 500} | ({"full": "true"} if search else {})
            response = client.get(f"/api/hsds/{path}", query)
            assert response.status_code == 200, (path, query)
            assert leaked(response, world, search) == [], (path, query)
            if search != CLIENT_NAME and search and path in ("services", "organizations"):
                assert json.loads(response.content)["total_items"] == 0, (path, query)
    for path in ("services", "organizations"):
        response = client.get(f"/api/hsds/{path}", {"format": "ndjson", "full": "true"})
        body = b"".join(response.streaming_content).decode()
        assert not [s for s in secrets_of(world) if s in body], path
