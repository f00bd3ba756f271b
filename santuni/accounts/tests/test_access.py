"""Every page added for accounts and self-service, against every persona: who gets in, who not.

A signed-in persona whose role the page does not allow gets 403; a visitor is sent to sign in.
"""

import pytest
from django.urls import reverse

from santuni.accounts.tests.personas import PERSONAS, sign_in
from santuni.directory.tests.factories import ServiceFactory
from santuni.listings.models import ListingChange
from santuni.listings.services import listing_change_submit

pytestmark = pytest.mark.django_db

OK, DENIED, SIGN_IN = 200, 403, "sign in"
ALL_ROLES = {p: OK for p in PERSONAS if p != "outsider"} | {"outsider": DENIED}
ONLY = {p: DENIED for p in PERSONAS}


def only(*names, **others):
    return {**ONLY, **dict.fromkeys(names, OK), **others}


@pytest.fixture
def world(personas):
    service = ServiceFactory(organization=personas.cbo.organization, name="Kelas mengaji OKU")
    change = listing_change_submit(
        actor=personas.cbo_head.membership,
        organization=personas.cbo.organization,
        values={"email": "baru@example.invalid"},
    ).change
    return personas, service, change


def pages(world):
    personas, service, change = world
    return [
        ("pages:home", [], ALL_ROLES),
        (
            "accounts:people",
            [],
            only(
                "ministry_admin",
                "district_officer",
                "other_district_officer",
                "state_officer",
                "other_state_officer",
                "cbo_head",
                "other_cbo_head",
            ),
        ),
        ("accounts:audit", [], only("ministry_admin")),
        ("accounts:recovery_codes", [], ALL_ROLES),
        ("listings:my_cbo", [], only("cbo_head", "other_cbo_head")),
        ("listings:profile_edit", [], only("cbo_head", "other_cbo_head")),
        # Another CBO's service is not found for a head: its id tells them nothing.
        ("listings:service_edit", [service.pk], only("cbo_head", other_cbo_head=404)),
        # Verifying listings is the district officers' (not the state officers') work.
        ("listings:review_queue", [], only("district_officer", "other_district_officer")),
        ("listings:review", [change.pk], only("district_officer", other_district_officer=404)),
        ("listings:unverified", [], only("district_officer", "other_district_officer")),
        ("admin:index", [], only("ministry_admin", outsider=DENIED)),
    ]


PAGE_NAMES = [
    "pages:home",
    "accounts:people",
    "accounts:audit",
    "accounts:recovery_codes",
    "listings:my_cbo",
    "listings:profile_edit",
    "listings:service_edit",
    "listings:review_queue",
    "listings:review",
    "listings:unverified",
    "admin:index",
]


@pytest.mark.parametrize("page", PAGE_NAMES)
@pytest.mark.parametrize("persona", [*PERSONAS, "anonymous"])
def test_who_may_open_each_page(client, world, page, persona):
    name, args, expected = next(p for p in pages(world) if p[0] == page)
    personas = world[0]
    sign_in(client, getattr(personas, persona, None))
    response = client.get(reverse(name, args=args))
    if persona == "anonymous":
        if name == "admin:index":  # through the admin's own login address
            response = client.get(response["Location"])
        assert response.status_code == 302
        assert reverse("accounts:sign_in") in response["Location"]
        return
    want = expected[persona]
    if name == "admin:index" and want == DENIED:
        # The admin sends everyone else to the one sign-in page or refuses them.
        assert response.status_code in (302, 403)
        return
    assert response.status_code == want, response.content[:300]


def test_posts_are_refused_to_other_roles(client, world):
    personas, service, change = world
    sign_in(client, personas.cbo_head)
    assert (
        client.post(
            reverse("listings:review", args=[change.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("listings:verify_listing", args=["cbo", personas.cbo.organization.pk])
        ).status_code
        == 403
    )
    change.refresh_from_db()
    assert change.status == ListingChange.Status.PENDING
    sign_in(client, personas.other_district_officer)
    assert (
        client.post(
            reverse("listings:review", args=[change.pk]), {"decision": "approve"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("listings:verify_listing", args=["cbo", personas.cbo.organization.pk])
        ).status_code
        == 404
    )
    change.refresh_from_db()
    assert change.status == ListingChange.Status.PENDING


def test_roles_needing_two_factor_are_sent_to_set_it_up(client, personas):
    personas.district_officer.device.delete()
    client.force_login(personas.district_officer.user)
    response = client.get(reverse("listings:review_queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_cbo_heads_may_work_without_two_factor(client, personas):
    client.force_login(personas.cbo_head.user)
    assert client.get(reverse("listings:my_cbo")).status_code == 200


def test_a_removed_role_opens_nothing(client, personas):
    from django.utils import timezone

    membership = personas.cbo_head.membership
    sign_in(client, personas.cbo_head)
    membership.revoked_at = timezone.now()
    membership.save()
    refused = client.get(reverse("listings:my_cbo"))
    assert refused.status_code == 403
    assert "Halaman ini bukan untuk peranan anda" in refused.content.decode()
