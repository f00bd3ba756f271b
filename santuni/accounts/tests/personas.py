"""The role personas every view test signs in as (STYLE.md): one per role, and outsiders.

Personas of two-factor roles have a confirmed authenticator device; `sign_in` gives the
client a session that has passed both factors, as the sign-in pages would.
"""

import time
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from santuni.accounts.access import MEMBERSHIP_SESSION_KEY, REAUTH_SESSION_KEY
from santuni.accounts.models import TWO_FACTOR_ROLES, Membership, Role
from santuni.directory.tests.factories import (
    AddressFactory,
    CboProfileFactory,
    LocationFactory,
    OrganizationFactory,
    seremban,
)
from santuni.geo.models import District, State

PASSWORD = "Bukit-Nenas-2026!"
PERSONAS = (
    "ministry_admin",
    "district_officer",
    "other_district_officer",
    "state_officer",
    "other_state_officer",
    "agency_focal_point",
    "other_agency_focal_point",
    "cbo_head",
    "other_cbo_head",
    "cbo_member",
    "outsider",
)


@dataclass
class Persona:
    name: str
    user: object
    membership: Membership | None
    device: TOTPDevice | None

    def code(self) -> str:
        """The authenticator app's current code."""
        totp = TOTP(self.device.bin_key, self.device.step, self.device.t0, self.device.digits)
        return f"{totp.token():0{self.device.digits}d}"


def make_user(email: str, name: str, *, two_factor: bool = False):
    user = get_user_model().objects.create_user(
        username=email, email=email, password=PASSWORD, first_name=name
    )
    device = None
    if two_factor:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user, device


def make_personas() -> SimpleNamespace:
    district = seremban()
    cbo = CboProfileFactory(
        organization=OrganizationFactory(name="Pertubuhan Sampel Rasah Prihatin"), district=district
    )
    other_cbo = CboProfileFactory(
        organization=OrganizationFactory(name="Pertubuhan Sampel Ampangan Peduli"),
        district=district,
    )
    agency = OrganizationFactory(name="Pejabat Kebajikan Masyarakat Daerah Seremban")
    AddressFactory(location=LocationFactory(organization=agency))
    port_dickson = District.objects.get(slug="port-dickson")
    # (role, organization, district, state)
    roles = {
        "ministry_admin": (Role.MINISTRY_ADMIN, None, None, None),
        "district_officer": (Role.DISTRICT_OFFICER, None, district, None),
        "other_district_officer": (Role.DISTRICT_OFFICER, None, port_dickson, None),
        # Negeri Sembilan's, which holds Seremban and Port Dickson; and Melaka's.
        "state_officer": (Role.STATE_OFFICER, None, None, district.state),
        "other_state_officer": (Role.STATE_OFFICER, None, None, State.objects.get(code="MY-04")),
        "agency_focal_point": (Role.AGENCY_FOCAL_POINT, agency, district, None),
        # The same agency's focal point for Port Dickson: Seremban's referrals are not theirs.
        "other_agency_focal_point": (Role.AGENCY_FOCAL_POINT, agency, port_dickson, None),
        "cbo_head": (Role.CBO_HEAD, cbo.organization, district, None),
        "other_cbo_head": (Role.CBO_HEAD, other_cbo.organization, district, None),
        "cbo_member": (Role.CBO_MEMBER, cbo.organization, district, None),
    }
    people = {}
    for name in PERSONAS:
        role = roles.get(name)
        user, device = make_user(
            f"{name.replace('_', '.')}@example.invalid",
            name.replace("_", " ").title(),
            two_factor=role is not None and role[0] in TWO_FACTOR_ROLES,
        )
        membership = None
        if role:
            membership = Membership.objects.create(
                user=user, role=role[0], organization=role[1], district=role[2], state=role[3]
            )
        people[name] = Persona(name, user, membership, device)
    return SimpleNamespace(**people, district=district, cbo=cbo, other_cbo=other_cbo, agency=agency)


def sign_in(client, persona: Persona | None):
    """The client signed in as the persona (both factors, recently), or left anonymous."""
    if persona is None:
        return client
    client.force_login(persona.user)
    session = client.session
    if persona.device is not None:
        session[DEVICE_ID_SESSION_KEY] = persona.device.persistent_id
    if persona.membership is not None:
        session[MEMBERSHIP_SESSION_KEY] = persona.membership.pk
    session[REAUTH_SESSION_KEY] = time.time()
    session.save()
    return client
