"""Invitations: who may invite whom, the emailed one-time link, expiry, and the new account."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from santuni.accounts import services
from santuni.accounts.models import Invitation, Membership, Role
from santuni.accounts.tests.personas import PASSWORD, sign_in
from santuni.audit.models import AuditEntry
from santuni.geo.models import District, State
from santuni.lib.domain import Refusal

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Taman-Seri-Pagi-88"


@pytest.fixture(autouse=True)
def emails_sent(django_capture_on_commit_callbacks, monkeypatch):
    """Emails go out when the transaction commits; in a test, at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, *a, **k: func())


def malay(message: str) -> str:
    with translation.override("ms"):
        return gettext(message)


def invite(client, persona, **fields):
    sign_in(client, persona)
    return client.post(reverse("accounts:people"), {"language": "ms", "name": "", **fields})


def emailed_link() -> str:
    return re.search(r"https?://\S+/akaun/jemputan/\S+", mail.outbox[-1].body).group(0)


def test_a_district_officer_invites_a_cbo_head_who_sets_a_password(client, personas):
    response = invite(
        client,
        personas.district_officer,
        email="Ketua.Baru@Example.invalid",
        name="Rosnah binti Ali",
        role=Role.CBO_HEAD,
        organization=personas.other_cbo.organization.pk,
    )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["ketua.baru@example.invalid"]
    # One email in both languages, Malay first.
    assert "Jemputan" in message.subject and "Invitation" in message.subject
    assert message.body.index("Ketua CBO") < message.body.index("CBO head")
    link = emailed_link()
    assert Invitation.objects.get().token_hash not in link  # only the hash is stored

    client.post(reverse("accounts:sign_out"))
    response = client.get(link.split("8000", 1)[-1])
    # The token leaves the address bar at once.
    assert response.status_code == 302 and "jemputan/terima" in response["Location"]
    page = client.get(response["Location"])
    assert "ketua.baru@example.invalid" in page.content.decode()
    weak = client.post(
        reverse("accounts:invitation_accept"),
        {"name": "Rosnah binti Ali", "password1": "12345678", "password2": "12345678"},
    )
    assert weak.status_code == 200 and "error" in weak.content.decode()
    done = client.post(
        reverse("accounts:invitation_accept"),
        {"name": "Rosnah binti Ali", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    membership = Membership.objects.get(user__username="ketua.baru@example.invalid")
    assert membership.role == Role.CBO_HEAD
    assert membership.organization == personas.other_cbo.organization
    assert membership.district == personas.district
    assert membership.user.password.startswith("md5$") or membership.user.has_usable_password()
    # Signed in and working at once: a CBO head needs no second factor.
    assert client.get(reverse("listings:my_cbo")).status_code == 200
    # The link works once.
    client.post(reverse("accounts:sign_out"))
    again = client.get(client.get(link.split("8000", 1)[-1])["Location"])
    assert again.status_code == 410
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"invitation.sent", "user.created", "membership.created"} <= actions


def test_an_expired_link_explains_itself(client, personas):
    invite(
        client,
        personas.ministry_admin,
        email="pegawai@example.invalid",
        role=Role.DISTRICT_OFFICER,
        district=personas.district.pk,
    )
    link = emailed_link().split("8000", 1)[-1]
    client.post(reverse("accounts:sign_out"))
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.get(client.get(link)["Location"])
    assert response.status_code == 410
    assert "tamat" in response.content.decode() or "expired" in response.content.decode()


def test_an_existing_account_adds_the_role_with_its_password(client, personas):
    invite(
        client,
        personas.district_officer,
        email=personas.cbo_head.user.email,
        role=Role.CBO_HEAD,
        organization=personas.other_cbo.organization.pk,
    )
    link = emailed_link().split("8000", 1)[-1]
    client.post(reverse("accounts:sign_out"))
    accept = client.get(link)["Location"]
    wrong = client.post(accept, {"password": "not-it"})
    assert wrong.status_code == 200
    assert client.post(accept, {"password": PASSWORD}).status_code == 302
    roles = Membership.objects.filter(user=personas.cbo_head.user).values_list(
        "organization", flat=True
    )
    assert set(roles) == {personas.cbo.organization.pk, personas.other_cbo.organization.pk}


@pytest.mark.parametrize(
    "persona, fields",
    [
        # A CBO head may invite only members of their own CBO.
        ("cbo_head", {"role": Role.CBO_HEAD}),
        # A district officer may not invite another district officer.
        ("district_officer", {"role": Role.DISTRICT_OFFICER}),
        # Nor a head for another district's CBO (not even offered in the form).
        ("other_district_officer", {"role": Role.CBO_HEAD, "organization": "cbo"}),
        # Nor an agency focal point for a CBO.
        ("district_officer", {"role": Role.AGENCY_FOCAL_POINT, "organization": "cbo"}),
    ],
)
def test_invitations_beyond_ones_scope_are_refused(client, personas, persona, fields):
    if fields.get("organization") == "cbo":
        fields = {**fields, "organization": personas.cbo.organization.pk}
    response = invite(client, getattr(personas, persona), email="x@example.invalid", **fields)
    assert response.status_code == 200
    assert "error" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_cbo_head_invites_a_member_of_their_own_cbo(client, personas):
    invite(client, personas.cbo_head, email="ahli@example.invalid", role=Role.CBO_MEMBER)
    invitation = Invitation.objects.get()
    assert invitation.organization == personas.cbo.organization


def test_changing_roles_asks_for_the_password_again(client, personas):
    sign_in(client, personas.cbo_head)
    session = client.session
    session["santuni_reauth_at"] = 0
    session.save()
    response = client.get(reverse("accounts:people"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    again = client.post(response["Location"], {"password": PASSWORD})
    assert again.status_code == 302 and again["Location"] == reverse("accounts:people")
    assert client.get(reverse("accounts:people")).status_code == 200


def test_removing_a_role(client, personas):
    sign_in(client, personas.cbo_head)
    member = personas.cbo_member.membership
    other = personas.other_cbo_head.membership
    assert client.post(reverse("accounts:membership_remove", args=[other.pk])).status_code == 404
    assert client.post(reverse("accounts:membership_remove", args=[member.pk])).status_code == 302
    member.refresh_from_db()
    other.refresh_from_db()
    assert member.revoked_at is not None and other.revoked_at is None
    assert AuditEntry.objects.filter(action="membership.revoked", object_id=str(member.pk)).exists()


def test_the_first_ministry_admin_comes_from_a_command(personas):
    from django.core.management import call_command

    call_command("invite_ministry_admin", "ketua.setiausaha@example.invalid")
    assert (
        Invitation.objects.get(email="ketua.setiausaha@example.invalid").role == Role.MINISTRY_ADMIN
    )
    assert "/akaun/jemputan/" in mail.outbox[-1].body


# --- an agency focal point's district or state ------------------------------------------------


def negeri_sembilan():
    return State.objects.get(code="MY-05")


def port_dickson():
    return District.objects.get(slug="port-dickson")


def test_a_district_officer_makes_focal_points_for_their_own_district_only(personas):
    """Asked for a focal point of the whole state, or of another district, the service refuses
    and writes nothing; asked for none, the officer's district is the focal point's."""
    officer = personas.district_officer.membership
    audited = AuditEntry.objects.count()
    for scope in ({"state": negeri_sembilan()}, {"district": port_dickson()}):
        with pytest.raises(PermissionDenied):
            services.invitation_send(
                actor=officer,
                email="jkm.baru@example.invalid",
                role=Role.AGENCY_FOCAL_POINT,
                organization=personas.agency,
                **scope,
            )
    assert not Invitation.objects.exists() and not mail.outbox
    assert AuditEntry.objects.count() == audited
    invitation, _link = services.invitation_send(
        actor=officer,
        email="jkm.baru@example.invalid",
        role=Role.AGENCY_FOCAL_POINT,
        organization=personas.agency,
    )
    assert (invitation.district, invitation.state) == (personas.district, None)


def test_the_district_officers_page_offers_no_other_area(client, personas):
    """Their form has no district or state to choose: one sent anyway is not taken."""
    response = invite(
        client,
        personas.district_officer,
        email="jkm.baru@example.invalid",
        role=Role.AGENCY_FOCAL_POINT,
        organization=personas.agency.pk,
        state=negeri_sembilan().pk,
        district=port_dickson().pk,
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.district, invitation.state) == (personas.district, None)


def test_a_ministry_admin_invites_a_focal_point_for_a_whole_state(client, personas):
    response = invite(
        client,
        personas.ministry_admin,
        email="jkm.negeri@example.invalid",
        role=Role.AGENCY_FOCAL_POINT,
        organization=personas.agency.pk,
        state=negeri_sembilan().pk,
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.organization, invitation.district, invitation.state) == (
        personas.agency,
        None,
        negeri_sembilan(),
    )
    page = client.get(reverse("accounts:people")).content.decode()
    assert f"{personas.agency.name} · Negeri Sembilan" in page
    assert "Negeri Sembilan" in mail.outbox[-1].body


FOCAL_POINT = {"role": Role.AGENCY_FOCAL_POINT, "organization": "agency"}


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        (
            {**FOCAL_POINT, "district": "port dickson", "state": "negeri sembilan"},
            "state",
            "Choose a district or a state, not both.",
        ),
        (FOCAL_POINT, "district", "Choose the district or the state this focal point acts for."),
        (
            {"role": Role.DISTRICT_OFFICER, "district": "port dickson", "state": "negeri sembilan"},
            "state",
            "Leave this empty for this role.",
        ),
    ],
)
def test_a_ministry_admin_is_told_of_a_wrong_choice_of_area(client, personas, fields, field, error):
    chosen = {
        "agency": personas.agency.pk,
        "port dickson": port_dickson().pk,
        "negeri sembilan": negeri_sembilan().pk,
    }
    fields = {name: chosen.get(value, value) for name, value in fields.items()}
    response = invite(client, personas.ministry_admin, email="x@example.invalid", **fields)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [malay(error)]
    assert not Invitation.objects.exists() and not mail.outbox


def test_where_a_focal_point_acts_is_said_with_its_agency(personas):
    focal_point = personas.agency_focal_point.membership
    assert focal_point.where() == f"{personas.agency.name} · Seremban"
    focal_point.district, focal_point.state = None, negeri_sembilan()
    assert focal_point.where() == f"{personas.agency.name} · Negeri Sembilan"
    # A CBO's people act where their CBO is: its name says enough.
    assert personas.cbo_head.membership.where() == personas.cbo.organization.name


@pytest.mark.parametrize("scope", ["neither", "both"])
def test_a_focal_point_is_refused_without_an_area_or_with_two(personas, scope):
    """What the ministry admin's form checks, the service checks too."""
    places = {"district": port_dickson(), "state": negeri_sembilan()} if scope == "both" else {}
    with pytest.raises(Refusal):
        services.invitation_send(
            actor=personas.ministry_admin.membership,
            email="jkm.baru@example.invalid",
            role=Role.AGENCY_FOCAL_POINT,
            organization=personas.agency,
            **places,
        )
    assert not Invitation.objects.exists() and not mail.outbox


# --- state officers ---------------------------------------------------------------------------


def melaka_district(name="Alor Gajah") -> District:
    """A district of another state."""
    return District.objects.get(state=State.objects.get(code="MY-04"), name=name)


def test_a_ministry_admin_invites_a_state_officer_who_needs_the_second_factor(client, personas):
    response = invite(
        client,
        personas.ministry_admin,
        email="pegawai.negeri@example.invalid",
        name="Azman bin Idris",
        role=Role.STATE_OFFICER,
        state=negeri_sembilan().pk,
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.organization, invitation.district, invitation.state) == (
        Role.STATE_OFFICER,
        None,
        None,
        negeri_sembilan(),
    )
    page = client.get(reverse("accounts:people")).content.decode()
    assert f"{malay('State officer')} · Negeri Sembilan" in page
    sent = AuditEntry.objects.get(action="invitation.sent")
    assert sent.changes["role"] == Role.STATE_OFFICER
    assert sent.changes["state"] and not sent.changes["district"]
    body = mail.outbox[-1].body
    assert "Pegawai kebajikan negeri" in body and "State officer" in body

    link = emailed_link().split("8000", 1)[-1]
    client.post(reverse("accounts:sign_out"))
    accept = client.get(link)["Location"]
    done = client.post(
        accept,
        {"name": "Azman bin Idris", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    membership = Membership.objects.get(user__username="pegawai.negeri@example.invalid")
    assert (membership.role, membership.district, membership.state) == (
        Role.STATE_OFFICER,
        None,
        negeri_sembilan(),
    )
    assert membership.requires_two_factor
    # Its pages wait for the second factor.
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({}, "state", "Choose the state this officer works for."),
        (
            {"state": "negeri sembilan", "district": "port dickson"},
            "district",
            "Leave this empty for this role.",
        ),
        (
            {"state": "negeri sembilan", "organization": "agency"},
            "organization",
            "Leave this empty for this role.",
        ),
    ],
)
def test_a_state_officer_acts_in_a_state_and_nothing_else(client, personas, fields, field, error):
    chosen = {
        "agency": personas.agency.pk,
        "port dickson": port_dickson().pk,
        "negeri sembilan": negeri_sembilan().pk,
    }
    fields = {name: chosen[value] for name, value in fields.items()}
    response = invite(
        client,
        personas.ministry_admin,
        email="x@example.invalid",
        role=Role.STATE_OFFICER,
        **fields,
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [malay(error)]
    assert not Invitation.objects.exists() and not mail.outbox


def test_the_service_refuses_a_state_officer_without_a_state(personas):
    """What the form checks, the service checks too, in both languages."""
    audited = AuditEntry.objects.count()
    for places in ({}, {"district": port_dickson()}):
        with pytest.raises(Refusal) as refused:
            services.invitation_send(
                actor=personas.ministry_admin.membership,
                email="pegawai.negeri@example.invalid",
                role=Role.STATE_OFFICER,
                **places,
            )
        with translation.override("en"):
            assert "A state officer acts in one state" in str(refused.value.message)
        with translation.override("ms"):
            assert "Pegawai kebajikan negeri" in str(refused.value.message)
    assert not Invitation.objects.exists() and not mail.outbox
    assert AuditEntry.objects.count() == audited


def test_a_state_officer_invites_a_district_officer_of_its_state(client, personas):
    sign_in(client, personas.state_officer)
    page = client.get(reverse("accounts:people"))
    roles = dict(page.context["form"].fields["role"].choices)
    assert set(roles) == {Role.DISTRICT_OFFICER, Role.AGENCY_FOCAL_POINT}
    offered = page.context["form"].fields["district"].queryset
    assert set(offered) == set(District.objects.filter(state=negeri_sembilan()))
    response = invite(
        client,
        personas.state_officer,
        email="pegawai.pd@example.invalid",
        role=Role.DISTRICT_OFFICER,
        district=port_dickson().pk,
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.district, invitation.state) == (
        Role.DISTRICT_OFFICER,
        port_dickson(),
        None,
    )
    assert invitation.invited_by == personas.state_officer.membership
    assert AuditEntry.objects.filter(action="invitation.sent").count() == 1


def test_a_state_officer_is_refused_another_states_district_and_nothing_is_written(
    client, personas
):
    alor_gajah = melaka_district()
    officer = personas.state_officer.membership
    audited = AuditEntry.objects.count()
    for role, extra in (
        (Role.DISTRICT_OFFICER, {}),
        (Role.AGENCY_FOCAL_POINT, {"organization": personas.agency}),
    ):
        with pytest.raises(PermissionDenied):
            services.invitation_send(
                actor=officer, email="x@example.invalid", role=role, district=alor_gajah, **extra
            )
    # Nor a focal point for the other state as a whole.
    with pytest.raises(PermissionDenied):
        services.invitation_send(
            actor=officer,
            email="x@example.invalid",
            role=Role.AGENCY_FOCAL_POINT,
            organization=personas.agency,
            state=alor_gajah.state,
        )
    # The page does not offer the district, and takes none it did not offer.
    response = invite(
        client,
        personas.state_officer,
        email="x@example.invalid",
        role=Role.DISTRICT_OFFICER,
        district=alor_gajah.pk,
    )
    assert response.status_code == 200 and "district" in response.context["form"].errors
    assert not Invitation.objects.exists() and not mail.outbox
    assert AuditEntry.objects.count() == audited


@pytest.mark.parametrize(
    "role", [Role.STATE_OFFICER, Role.MINISTRY_ADMIN, Role.CBO_HEAD, Role.CBO_MEMBER]
)
def test_a_state_officer_invites_no_other_role(personas, role):
    with pytest.raises(PermissionDenied):
        services.invitation_send(
            actor=personas.state_officer.membership,
            email="x@example.invalid",
            role=role,
            organization=personas.cbo.organization,
            state=negeri_sembilan(),
        )
    assert not Invitation.objects.exists()


def test_a_state_officers_focal_points_act_in_the_state_or_one_of_its_districts(client, personas):
    response = invite(
        client,
        personas.state_officer,
        email="jkm.negeri@example.invalid",
        role=Role.AGENCY_FOCAL_POINT,
        organization=personas.agency.pk,
    )
    assert response.status_code == 302
    whole = Invitation.objects.get()
    assert (whole.organization, whole.district, whole.state) == (
        personas.agency,
        None,
        negeri_sembilan(),
    )
    invite(
        client,
        personas.state_officer,
        email="jkm.pd@example.invalid",
        role=Role.AGENCY_FOCAL_POINT,
        organization=personas.agency.pk,
        district=port_dickson().pk,
    )
    one = Invitation.objects.get(email="jkm.pd@example.invalid")
    assert (one.district, one.state) == (port_dickson(), None)
    # A CBO is no agency.
    response = invite(
        client,
        personas.state_officer,
        email="cbo@example.invalid",
        role=Role.AGENCY_FOCAL_POINT,
        organization=personas.cbo.organization.pk,
    )
    assert response.status_code == 200
    assert Invitation.objects.count() == 2


def test_a_state_officers_people_are_of_its_state(client, personas):
    """It lists and removes its state's district officers and focal points; another state's
    district officer's role is not found, and stays."""
    alor_gajah = melaka_district()
    user = Membership.objects.get(pk=personas.district_officer.membership.pk).user
    melaka_officer = Membership.objects.create(
        user=user, role=Role.DISTRICT_OFFICER, district=alor_gajah
    )
    sign_in(client, personas.state_officer)
    listed = set(client.get(reverse("accounts:people")).context["memberships"])
    assert listed == {
        personas.district_officer.membership,
        personas.other_district_officer.membership,
        personas.agency_focal_point.membership,
        personas.other_agency_focal_point.membership,
    }
    remove = reverse("accounts:membership_remove", args=[melaka_officer.pk])
    assert client.post(remove).status_code == 404
    melaka_officer.refresh_from_db()
    assert melaka_officer.revoked_at is None
    theirs = personas.other_district_officer.membership
    remove = reverse("accounts:membership_remove", args=[theirs.pk])
    assert client.post(remove).status_code == 302
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None
    assert AuditEntry.objects.filter(action="membership.revoked", object_id=str(theirs.pk)).exists()


def test_a_ministry_admin_removes_a_state_officer(client, personas):
    state_officer = personas.state_officer.membership
    sign_in(client, personas.ministry_admin)
    assert state_officer in client.get(reverse("accounts:people")).context["memberships"]
    remove = reverse("accounts:membership_remove", args=[state_officer.pk])
    assert client.post(remove).status_code == 302
    state_officer.refresh_from_db()
    assert state_officer.revoked_at is not None
    # A district officer may not.
    other = personas.other_state_officer.membership
    sign_in(client, personas.district_officer)
    remove = reverse("accounts:membership_remove", args=[other.pk])
    assert client.post(remove).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_database_keeps_a_state_officer_to_one_state(personas):
    from django.db import IntegrityError, transaction

    user = personas.outsider.user
    for scope in (
        {},
        {"state": negeri_sembilan(), "district": port_dickson()},
        {"state": negeri_sembilan(), "organization": personas.agency},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=user, role=Role.STATE_OFFICER, **scope)
