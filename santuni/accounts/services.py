"""Domain operations on accounts: invitations, memberships, two-factor devices."""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.directory.models import Organization
from santuni.geo.models import District, State
from santuni.lib.domain import Refusal, require
from santuni.lib.mail import send_bilingual
from santuni.lib.ratelimit import Limit, seconds_to_wait, wait_text

from .models import CBO_ROLES, INVITES, Invitation, Membership, Role

RECOVERY_CODES = 10
ONE_AREA = _("An agency focal point acts in one district or one state: choose one of them.")
ONE_STATE = _("A state officer acts in one state: choose the state, and no district or agency.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _is_agency(organization) -> bool:
    # Agencies are organizations without a CBO profile.
    return organization is not None and not hasattr(organization, "cbo")


def can_manage(actor: Membership, role: str, organization, district, state=None) -> bool:
    """May `actor` invite someone to (or remove someone from) this role and scope?"""
    if role not in INVITES.get(actor.role, ()):
        return False
    if actor.role == Role.MINISTRY_ADMIN:
        return _is_agency(organization) if role == Role.AGENCY_FOCAL_POINT else True
    if actor.role == Role.STATE_OFFICER:
        # Within their own state only: its district officers, and agencies' focal points for
        # the state or one of its districts.
        if district is not None:
            if state is not None or district.state_id != actor.state_id:
                return False
        elif state is None or state.pk != actor.state_id:
            return False
        if role == Role.DISTRICT_OFFICER:
            return district is not None and organization is None
        return _is_agency(organization)
    if actor.role == Role.DISTRICT_OFFICER:
        # Within their own district only: never another's, nor a whole state.
        if state is not None or district is None or district.pk != actor.district_id:
            return False
        if role == Role.CBO_HEAD:
            cbo = getattr(organization, "cbo", None)
            return cbo is not None and cbo.district_id == actor.district_id
        return _is_agency(organization)
    # A CBO head manages the members of their own CBO.
    return organization is not None and organization.pk == actor.organization_id


def invitation_scope(
    *,
    actor: Membership,
    role: str,
    organization: Organization | None,
    district: District | None,
    state: State | None = None,
) -> tuple[Organization | None, District | None, State | None]:
    """The organization, district and state the invited role will hold. A CBO's people act
    where their CBO is; an agency focal point where the inviter chose, by default the
    inviter's district or, for a state officer, its state (a district officer chooses
    nothing else); a state officer in its state alone."""
    if role in CBO_ROLES:
        if role == Role.CBO_MEMBER:
            organization = actor.organization
        district = (
            organization.cbo.district if organization and hasattr(organization, "cbo") else None
        )
        state = None
    elif role == Role.AGENCY_FOCAL_POINT:
        if district is None and state is None:
            district = actor.district
            if district is None:
                state = actor.state
    elif role == Role.DISTRICT_OFFICER:
        organization, state = None, None
    elif role == Role.STATE_OFFICER:
        organization, district = None, None
    else:
        organization, district, state = None, None, None
    return organization, district, state


@transaction.atomic
def invitation_send(
    *,
    actor: Membership | None,
    email: str,
    role: str,
    organization: Organization | None = None,
    district: District | None = None,
    state: State | None = None,
    name: str = "",
    language: str = "ms",
) -> tuple[Invitation, str]:
    """Invites a person to a role; returns the invitation and the link sent to them.

    `actor` None is the command that invites the first ministry admin.
    """
    email = normalise_email(email)
    if actor is not None:
        organization, district, state = invitation_scope(
            actor=actor, role=role, organization=organization, district=district, state=state
        )
        if not can_manage(actor, role, organization, district, state):
            raise PermissionDenied
    elif role != Role.MINISTRY_ADMIN:
        raise PermissionDenied
    require(role != Role.AGENCY_FOCAL_POINT or (district is None) != (state is None), ONE_AREA)
    require(role != Role.STATE_OFFICER or state is not None, ONE_STATE)
    scope = {"role": role, "organization": organization, "district": district, "state": state}
    require(
        not Membership.objects.filter(
            **scope, user__username=email, revoked_at__isnull=True
        ).exists(),
        _("This person already holds this role."),
    )
    _count_invitation(actor, email)
    now = timezone.now()
    # A new invitation replaces one still open for the same person and role.
    Invitation.objects.filter(
        **scope,
        email=email,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
    ).update(cancelled_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        name=name.strip(),
        role=role,
        organization=organization,
        district=district,
        state=state,
        language=language,
        token_hash=token_hash(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.SANTUNI["INVITATION_DAYS"]),
    )
    trail.record(
        actor=actor,
        action=Action.INVITATION_SENT,
        obj=invitation,
        changes={
            "email": email,
            "role": role,
            "organization": organization,
            "district": district,
            "state": state,
            "expires_at": invitation.expires_at,
        },
    )
    link = settings.SANTUNI["BASE_URL"].rstrip("/") + _link(invitation.language, token)
    transaction.on_commit(lambda: _send_invitation(invitation, link))
    return invitation, link


def _count_invitation(actor: Membership | None, email: str) -> None:
    """Counts one more invitation by this inviter and to this address, or refuses it: no one
    fills a mailbox with invitations, or sends hundreds in an hour."""
    limits = [Limit("invitation_email", email, settings.SANTUNI_INVITE_EMAIL_RATE)]
    if actor is not None:
        limits.insert(0, Limit("invitation", str(actor.user_id), settings.SANTUNI_INVITE_RATE))
    wait = seconds_to_wait(*limits)
    if wait:
        raise Refusal(
            _("Too many invitations for now. Try again in %(wait)s.") % {"wait": wait_text(wait)}
        )


def _link(language: str, token: str) -> str:
    with translation.override(language):
        return reverse("accounts:invitation", args=[token])


def _send_invitation(invitation: Invitation, link: str) -> None:
    context = {"invitation": invitation, "link": link, "days": settings.SANTUNI["INVITATION_DAYS"]}
    send_bilingual("accounts/email/invitation", context, [invitation.email])


def open_invitation(token: str, *, lock: bool = False) -> Invitation:
    """The invitation this link opens; refused when it is used, cancelled or expired.

    With `lock`, the row stays locked to the caller's transaction, so two tabs cannot both
    accept it.
    """
    invitations = Invitation.objects.select_related("organization", "district", "state")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_hash=token_hash(token)).first()
    if invitation is None or not invitation.is_open():
        raise Refusal(
            _("This invitation link has expired or was already used. Ask for a new invitation.")
        )
    return invitation


def account_exists(email: str) -> bool:
    return get_user_model().objects.filter(username=normalise_email(email)).exists()


@transaction.atomic
def invitation_accept(*, token: str, user=None, name: str = "", password: str = "") -> Membership:
    """Turns an open invitation into a membership.

    `user` is the existing account of the invited email (the view has checked its password);
    without it, a new account is made with `name` and `password` (already validated).
    """
    invitation = open_invitation(token, lock=True)
    User = get_user_model()
    if user is None:
        require(
            not account_exists(invitation.email),
            _("An account with this email exists: sign in to accept."),
        )
        user = User(username=invitation.email, email=invitation.email, first_name=name.strip())
        user.set_password(password)
        user.save()
        trail.record(
            actor=None,
            user=user,
            action=Action.USER_CREATED,
            obj=user,
            changes={"email": user.email, "name": user.first_name},
        )
    elif user.username != invitation.email:
        raise PermissionDenied
    membership = Membership.objects.create(
        user=user,
        role=invitation.role,
        organization=invitation.organization,
        district=invitation.district,
        state=invitation.state,
        invited_by=invitation.invited_by,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    trail.record(
        actor=membership,
        action=Action.MEMBERSHIP_CREATED,
        obj=membership,
        changes={
            "role": membership.role,
            "organization": membership.organization,
            "district": membership.district,
            "state": membership.state,
            "invitation": invitation,
        },
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Membership, membership: Membership) -> None:
    if not can_manage(
        actor, membership.role, membership.organization, membership.district, membership.state
    ):
        raise PermissionDenied
    if membership.revoked_at is None:
        membership.revoked_at = timezone.now()
        membership.save(update_fields=["revoked_at"])
        trail.record(
            actor=actor,
            action=Action.MEMBERSHIP_REVOKED,
            obj=membership,
            changes={"revoked_at": [None, membership.revoked_at]},
        )


@transaction.atomic
def invitation_cancel(*, actor: Membership, invitation: Invitation) -> None:
    if not can_manage(
        actor, invitation.role, invitation.organization, invitation.district, invitation.state
    ):
        raise PermissionDenied
    if invitation.is_open():
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        trail.record(actor=actor, action=Action.INVITATION_CANCELLED, obj=invitation)


def totp_device_for_setup(user) -> TOTPDevice:
    """The user's unconfirmed authenticator-app device, made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def code_wait(device: Device) -> int:
    """Seconds before the device looks at another code: 0 at once. django-otp doubles the wait
    after each wrong code in a row (1, 2, 4, 8 … seconds) and clears it on a right one."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    until = (data or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


@dataclass(frozen=True)
class CodeCheck:
    """What became of a typed second-factor code."""

    device: Device | None  # the device that took the code; None when it was not taken
    checked: bool  # False: not looked at, as the wait after a wrong code was still running
    wait: int  # seconds before the next code is looked at


def _is_app_code(code: str) -> bool:
    # Authenticator apps show 6 digits; recovery codes are 8 letters and digits.
    return len(code) == 6 and code.isdigit()


def second_factor_check(*, user, code: str) -> CodeCheck:
    """Checks a code against the user's authenticator app, or their recovery codes.

    Only the kind of device the code belongs to looks at it, so a mistyped app code slows
    down the app's codes, not the recovery codes. While the wait after a wrong code runs,
    a code is not looked at: it is neither refused as wrong nor counted as another failure,
    and the right code is taken as soon as the wait is over.
    """
    model = TOTPDevice if _is_app_code(code) else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.devices_for_user(user, confirmed=True).select_for_update())
        waits = [code_wait(device) for device in devices]
        if devices and all(waits):
            return CodeCheck(device=None, checked=False, wait=min(waits))
        for device, wait in zip(devices, waits, strict=True):
            if not wait and device.verify_token(code):
                return CodeCheck(device=device, checked=True, wait=0)
    return CodeCheck(
        device=None, checked=True, wait=min((code_wait(d) for d in devices), default=0)
    )


@transaction.atomic
def two_factor_enable(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirms the device if the code is right; returns the new recovery codes, else None."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    trail.record(actor=None, user=user, action=Action.TWO_FACTOR_ENABLED, obj=user)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    codes = _new_recovery_codes(user)
    trail.record(actor=None, user=user, action=Action.TWO_FACTOR_RECOVERY_CODES_RENEWED, obj=user)
    return codes


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def sign_in_recorded(*, user) -> None:
    trail.record(actor=None, user=user, action=Action.USER_SIGNED_IN, obj=user)


@transaction.atomic
def password_reset_done(*, user) -> None:
    """A new password set through the emailed link also lifts a lock-out."""
    from axes.utils import reset

    reset(username=user.username)
    trail.record(actor=None, user=user, action=Action.USER_PASSWORD_RESET, obj=user)
