"""An agency's focal point acts for it in one district or one state, and sees only the referrals
from there: a state-wide agency (JPW Negeri Sembilan) may have a focal point invited by
Seremban's officer, who must not read what a Port Dickson CBO refers to the same agency."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from santuni.accounts import services
from santuni.accounts.models import Membership, Role
from santuni.accounts.tests.personas import PASSWORD, Persona, make_user, sign_in
from santuni.cases import selectors
from santuni.cases.models import Notification
from santuni.directory.tests.factories import (
    AddressFactory,
    CboProfileFactory,
    LocationFactory,
    OrganizationFactory,
    ServiceFactory,
    mukim,
)
from santuni.geo.models import District

from .factories import CLIENT_NAME, make_case, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def port_dickson():
    return District.objects.get(slug="port-dickson")


@pytest.fixture
def jpw(personas, port_dickson):
    """A state agency with offices in Seremban and Port Dickson, and its service."""
    agency = OrganizationFactory(name="Jabatan Pembangunan Wanita Negeri Sembilan")
    for district in (personas.district, port_dickson):
        AddressFactory(location=LocationFactory(organization=agency), district=district)
    return ServiceFactory(organization=agency, name="Sokongan Wanita JPW")


@pytest.fixture
def port_dickson_head(port_dickson):
    """The head of a CBO in Port Dickson."""
    cbo = CboProfileFactory(
        organization=OrganizationFactory(name="Pertubuhan Sampel Pantai Peduli"),
        district=port_dickson,
    )
    user, _device = make_user("ketua.pd@example.invalid", "Ketua PD")
    membership = Membership.objects.create(
        user=user, role=Role.CBO_HEAD, organization=cbo.organization, district=port_dickson
    )
    return Persona("port_dickson_head", user, membership, None)


def focal_point(inviter, email, **scope) -> Persona:
    """Invited through the invitation, as the inviter's page would; accepted with a new account
    that has an authenticator (a focal point must sign in with one)."""
    _invitation, link = services.invitation_send(
        actor=inviter.membership, email=email, role=Role.AGENCY_FOCAL_POINT, **scope
    )
    membership = services.invitation_accept(
        token=link.rsplit("/", 1)[1], name=email.split("@")[0], password=PASSWORD
    )
    device = TOTPDevice.objects.create(user=membership.user, name="authenticator", confirmed=True)
    return Persona(email, membership.user, membership, device)


def port_dickson_referral(head, service):
    case = make_case(
        head, mukim=mukim("Linggi", "port-dickson"), address="Kampung Sampel, Linggi", mykad=""
    )
    return make_referral(head, case, service)


def listed(client, persona) -> str:
    sign_in(client, persona)
    response = client.get(reverse("cases:referrals"))
    assert response.status_code == 200
    return response.content.decode()


def told(persona, referral) -> bool:
    return Notification.objects.filter(recipient=persona.user, referral=referral).exists()


def test_seremban_focal_point_finds_nothing_of_a_port_dickson_referral_to_its_agency(
    client, personas, jpw, port_dickson_head
):
    """Seremban's officer invites a focal point for the state-wide JPW: it acts for JPW in
    Seremban only. A Port Dickson CBO's referral to JPW is not in its list, its page is not
    found, it is not counted, and the focal point is not told of it."""
    seremban = focal_point(
        personas.district_officer, "jpw.seremban@example.invalid", organization=jpw.organization
    )
    assert seremban.membership.district == personas.district
    ours = make_referral(personas.cbo_head, make_case(personas.cbo_head, mykad=""), jpw)
    theirs = port_dickson_referral(port_dickson_head, jpw)

    assert told(seremban, ours) and not told(seremban, theirs)
    assert selectors.unread_count(seremban.user) == 1
    assert selectors.status_counts(seremban.membership) == {"sent": 1}
    page = listed(client, seremban)
    assert ours.reference in page
    assert theirs.reference not in page and "Pantai Peduli" not in page
    assert page.count(CLIENT_NAME) == 1  # the Seremban person's, not the Port Dickson one's
    assert client.get(reverse("cases:referral", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("cases:referral", args=[ours.pk])).status_code == 200
    notifications = client.get(reverse("cases:notifications")).content.decode()
    assert ours.reference in notifications and theirs.reference not in notifications
    # Nobody at JPW acts for Port Dickson yet: its district officer is told instead.
    assert told(personas.other_district_officer, theirs)


def test_a_focal_point_for_port_dickson_or_the_whole_state_sees_it(
    client, personas, jpw, port_dickson_head, port_dickson
):
    """A ministry admin invites JPW's focal points for Port Dickson and for Negeri Sembilan:
    both read and are told of the Port Dickson referral; only the state's sees Seremban's."""
    admin = personas.ministry_admin
    agency = jpw.organization
    district = focal_point(
        admin, "jpw.pd@example.invalid", organization=agency, district=port_dickson
    )
    state = focal_point(
        admin, "jpw.ns@example.invalid", organization=agency, state=port_dickson.state
    )
    assert (district.membership.district, district.membership.state) == (port_dickson, None)
    assert (state.membership.district, state.membership.state) == (None, port_dickson.state)
    ours = make_referral(personas.cbo_head, make_case(personas.cbo_head, mykad=""), jpw)
    theirs = port_dickson_referral(port_dickson_head, jpw)

    for persona, sees in ((district, {theirs}), (state, {theirs, ours})):
        page = listed(client, persona)
        for referral in (ours, theirs):
            assert (referral.reference in page) == (referral in sees), persona.name
            opened = client.get(reverse("cases:referral", args=[referral.pk])).status_code
            assert opened == (200 if referral in sees else 404), persona.name
            assert told(persona, referral) == (referral in sees), persona.name
        assert sum(selectors.status_counts(persona.membership).values()) == len(sees)
    # JPW has someone for Port Dickson now: the district officer is not asked instead.
    assert not told(personas.other_district_officer, theirs)


def test_a_focal_point_without_a_district_or_state_sees_nothing(client, personas):
    """An old role that was never given an area (see the accounts migration that gave them
    their inviter's district): it fails closed, not open to the whole agency."""
    membership = personas.agency_focal_point.membership
    referral = make_referral(
        personas.cbo_head,
        make_case(personas.cbo_head, mykad=""),
        ServiceFactory(organization=personas.agency, name="Bantuan JKM"),
    )
    Membership.objects.filter(pk=membership.pk).update(district=None)
    page = listed(client, personas.agency_focal_point)
    assert referral.reference not in page
    assert client.get(reverse("cases:referral", args=[referral.pk])).status_code == 404
    membership.refresh_from_db()
    assert selectors.status_counts(membership) == {}
    # Told of no new referral either: it goes to the district officer.
    again = make_referral(
        personas.cbo_head, make_case(personas.cbo_head, mykad=""), referral.service
    )
    assert not told(personas.agency_focal_point, again)
    assert told(personas.district_officer, again)
