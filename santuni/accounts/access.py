"""Who is acting: the active membership of the signed-in user, and the gates views put on pages.

A page for a role is decorated with `role_required(...)`. It sends a visitor to sign in, a
user with several roles to pick one, a role that needs a second factor to set it up or enter
it, and refuses (403) a user whose active role is not among those the page allows.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp import user_has_device

from santuni.directory.models import CboProfile
from santuni.geo.home import HomePlace, place_of
from santuni.lib.redirects import current_path

from .models import CBO_ROLES, Membership, Role

MEMBERSHIP_SESSION_KEY = "santuni_membership"
REAUTH_SESSION_KEY = "santuni_reauth_at"


def memberships_of(user):
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("organization", "district", "state", "user")
        .order_by("role", "id")
    )


def request_memberships(request) -> list[Membership]:
    """The signed-in user's current memberships, read once per request."""
    cached = getattr(request, "_santuni_memberships", None)
    if cached is None or cached[0] != request.user.pk:
        # Keyed by user: signing in during the request changes whose they are.
        cached = (request.user.pk, list(memberships_of(request.user)))
        request._santuni_memberships = cached
    return cached[1]


def active_membership(request) -> Membership | None:
    """The membership the user acts in now (kept in the session); None until one is picked."""
    memberships = request_memberships(request)
    chosen = getattr(request, "session", {}).get(MEMBERSHIP_SESSION_KEY)
    for membership in memberships:
        if membership.pk == chosen:
            return membership
    return memberships[0] if len(memberships) == 1 else None


def membership_context(request):
    """Template context: the active membership, read only if a template asks for it."""
    return {"membership": SimpleLazyObject(lambda: active_membership(request))}


def mark_reauthenticated(request) -> None:
    request.session[REAUTH_SESSION_KEY] = time.time()


def recently_authenticated(request) -> bool:
    at = request.session.get(REAUTH_SESSION_KEY, 0)
    return time.time() - at < settings.SANTUNI["REAUTH_SECONDS"]


def needs_two_factor(request, membership: Membership) -> bool:
    """True while this session has not passed a second factor that the user must give."""
    if request.user.is_verified():
        return False
    return membership.requires_two_factor or user_has_device(request.user)


def role_required(*roles: Role, reauthenticate: bool = False):
    """Lets the view run only for an active membership in one of `roles` (any role if none)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(current_path(request), reverse("accounts:sign_in"))
            membership = active_membership(request)
            if membership is None:
                if request_memberships(request):
                    return _to("accounts:choose_role", request)
                raise PermissionDenied
            if needs_two_factor(request, membership):
                return _to("accounts:two_factor_setup", request)
            if roles and membership.role not in roles:
                raise PermissionDenied
            if reauthenticate and not recently_authenticated(request):
                return _to("accounts:reauthenticate", request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _to(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': current_path(request)})}")


def _own_place(request) -> HomePlace | None:
    if not request.user.is_authenticated:
        return None
    membership = active_membership(request)
    if membership is None:
        return None
    district_id = membership.district_id
    if district_id is None and membership.organization_id and membership.role in CBO_ROLES:
        district_id = (
            CboProfile.objects.filter(organization=membership.organization_id)
            .values_list("district", flat=True)
            .first()
        )
    return place_of(membership.state_id, district_id)


class HomePlaceMiddleware:
    """`request.home_place`: the place of the role the person acts in, worked out only when a
    form asks for it (`geo.home.home_place`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.home_place = SimpleLazyObject(lambda: _own_place(request))
        return self.get_response(request)
