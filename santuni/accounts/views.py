"""Pages of signing in, two-factor authentication, invitations, people and the audit trail."""

import time
from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from santuni.audit.models import AuditEntry
from santuni.lib.domain import Refusal
from santuni.lib.forms import posted
from santuni.lib.ratelimit import Limit, seconds_to_wait, wait_text
from santuni.lib.redirects import current_path, safe_next
from santuni.lib.security import client_ip

from . import selectors, services
from .access import (
    MEMBERSHIP_SESSION_KEY,
    active_membership,
    mark_reauthenticated,
    recently_authenticated,
    request_memberships,
    role_required,
)
from .forms import (
    ChooseRoleForm,
    CodeForm,
    ExistingAccountForm,
    InvitationForm,
    NewAccountForm,
    ReauthenticateForm,
    SignInForm,
)
from .models import MANAGERS, Invitation, Membership, Role

PENDING_SESSION_KEY = "santuni_pending_sign_in"
INVITATION_SESSION_KEY = "santuni_invitation"
PENDING_SECONDS = 300
# The backend that checks passwords (django-axes' comes first and only refuses).
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next(request, default: str = "") -> str:
    """The page to go on to after this step (a path of this site), else the account page."""
    value = request.POST.get("next") or request.GET.get("next")
    return safe_next(request, value, default or reverse("pages:home"))


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _seconds_text(seconds: int) -> str:
    if seconds <= 90:
        return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}
    return wait_text(seconds)


def _wrong_code(wait: int = 0) -> str:
    text = _("That code is not right. Codes change every 30 seconds: type the newest one.")
    if wait:
        text += " " + _("Try again in %(wait)s.") % {"wait": _seconds_text(wait)}
    return text


def _code_error(check: services.CodeCheck) -> str:
    if check.checked:
        return _wrong_code(check.wait)
    # Not "wrong": the code was not looked at, and may well be right once the wait is over.
    return _(
        "Not checked yet: after a wrong code, Santuni waits a little before the next one. "
        "Try again in %(wait)s."
    ) % {"wait": _seconds_text(check.wait)}


def locked_out(request, response=None, credentials=None):
    """django-axes' answer once an account has had too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked.html", {"minutes": minutes}, status=429)


def _finish_sign_in(request, user, device=None):
    login(request, user, backend=getattr(user, "backend", SIGN_IN_BACKEND))
    if device is not None:
        otp_login(request, device)
    mark_reauthenticated(request)
    services.sign_in_recorded(user=user)
    next_url = _next(request)
    if active_membership(request) is None and len(request_memberships(request)) > 1:
        return redirect(_with_next("accounts:choose_role", next_url))
    return redirect(next_url)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next(request))
    form = SignInForm(posted(request))
    if request.method == "POST" and form.is_valid():
        email = services.normalise_email(form.cleaned_data["username"])
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, _("The email or the password is wrong."))
        elif user_has_device(user):
            request.session[PENDING_SESSION_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
            }
            return redirect(_with_next("accounts:sign_in_code", _next(request)))
        else:
            return _finish_sign_in(request, user)
    return render(request, "accounts/sign_in.html", {"form": form, "next": _next(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    """The second step: a code from the authenticator app or a recovery code."""
    pending = request.session.get(PENDING_SESSION_KEY)
    user = None
    if request.user.is_authenticated:
        if request.user.is_verified() or not user_has_device(request.user):
            return redirect(_next(request))
        user = request.user
    elif pending and time.time() - pending["at"] < PENDING_SECONDS:
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        if user is not None:
            user.backend = pending["backend"]
    if user is None:
        messages.info(request, _("Sign in again, please: the step took too long."))
        return redirect(_with_next("accounts:sign_in", _next(request)))
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        check = services.second_factor_check(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            request.session.pop(PENDING_SESSION_KEY, None)
            if request.user.is_authenticated:
                otp_login(request, check.device)
                mark_reauthenticated(request)
                return redirect(_next(request))
            return _finish_sign_in(request, user, check.device)
        form.add_error("code", _code_error(check))
    return render(request, "accounts/sign_in_code.html", {"form": form, "next": _next(request)})


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("directory:home")


@never_cache
@login_required(login_url=reverse_lazy("accounts:sign_in"))
@require_http_methods(["GET", "POST"])
def choose_role(request):
    memberships = request_memberships(request)
    if not memberships:
        return render(request, "accounts/no_role.html", status=403)
    form = ChooseRoleForm(posted(request), memberships=memberships)
    if request.method == "POST" and form.is_valid():
        request.session[MEMBERSHIP_SESSION_KEY] = form.cleaned_data["membership"]
        return redirect(_next(request))
    return render(request, "accounts/choose_role.html", {"form": form, "next": _next(request)})


@never_cache
@require_http_methods(["GET"])
def invitation(request, token):
    # The token leaves the address bar at once, so it reaches no history, log or Referer.
    request.session[INVITATION_SESSION_KEY] = token
    return redirect("accounts:invitation_accept")


@never_cache
@sensitive_post_parameters("password", "password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request):
    token = request.session.get(INVITATION_SESSION_KEY, "")
    try:
        invitation = services.open_invitation(token)
    except Refusal as error:
        return render(request, "accounts/invitation_closed.html", {"error": error}, status=410)
    existing = services.account_exists(invitation.email)
    signed_in_as_invitee = (
        request.user.is_authenticated and request.user.username == invitation.email
    )
    if existing:
        form = None if signed_in_as_invitee else ExistingAccountForm(posted(request))
    else:
        form = NewAccountForm(posted(request), email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        user = None
        if signed_in_as_invitee:
            user = request.user
        elif existing:
            user = authenticate(
                request, username=invitation.email, password=form.cleaned_data["password"]
            )
            if user is None:
                form.add_error("password", _("This password is wrong."))
        if form is None or not form.errors:
            membership = services.invitation_accept(
                token=token,
                user=user,
                name=form.cleaned_data.get("name", "") if form else "",
                password=form.cleaned_data.get("password1", "") if form else "",
            )
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(
                request, _("Welcome. You are now %(role)s.") % {"role": str(membership)}
            )
            if signed_in_as_invitee:
                request.session[MEMBERSHIP_SESSION_KEY] = membership.pk
                return redirect("pages:home")
            if existing:
                return redirect("accounts:sign_in")
            login(request, membership.user, backend=SIGN_IN_BACKEND)
            mark_reauthenticated(request)
            request.session[MEMBERSHIP_SESSION_KEY] = membership.pk
            return redirect("pages:home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing},
    )


def _qr_svg(url: str) -> str:
    # Safe: segno's own drawing of the code, one path and an empty title; no text goes in.
    drawing = segno.make(url, error="m").svg_inline(scale=4, title="")
    return mark_safe(drawing)  # noqa: S308 # nosec B308, B703


@never_cache
@login_required(login_url=reverse_lazy("accounts:sign_in"))
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    if user_has_device(user):
        if not user.is_verified():
            return redirect(_with_next("accounts:sign_in_code", _next(request)))
        return render(request, "accounts/two_factor_on.html", {"next": _next(request)})
    if not recently_authenticated(request):
        return redirect(_with_next("accounts:reauthenticate", current_path(request)))
    device = services.totp_device_for_setup(user)
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        wait = services.code_wait(device)
        if wait:
            form.add_error("code", _code_error(services.CodeCheck(None, checked=False, wait=wait)))
        else:
            code = form.cleaned_data["code"]
            codes = services.two_factor_enable(user=user, device=device, code=code)
            if codes is not None:
                otp_login(request, device)
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": _next(request)},
                )
            form.add_error("code", _wrong_code(services.code_wait(device)))
    key = device.bin_key

    secret = b32encode(key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device.config_url),
            # Opens the authenticator app on the phone that shows this page, which cannot
            # scan its own screen.
            "app_link": device.config_url,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": any(m.requires_two_factor for m in request_memberships(request)),
            "next": _next(request),
        },
    )


@never_cache
@role_required(reauthenticate=True)
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    if request.method == "POST":
        codes = services.recovery_codes_renew(user=request.user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes})
    return render(request, "accounts/recovery_codes_renew.html")


@never_cache
@sensitive_post_parameters("password")
@login_required(login_url=reverse_lazy("accounts:sign_in"))
@require_http_methods(["GET", "POST"])
def reauthenticate(request):
    """Asks for the password (and code) again before a dangerous action."""
    with_code = user_has_device(request.user)
    form = ReauthenticateForm(posted(request), with_code=with_code)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=request.user.username, password=form.cleaned_data["password"]
        )
        if user is None or user.pk != request.user.pk:
            form.add_error("password", _("This password is wrong."))
        elif with_code:
            check = services.second_factor_check(user=user, code=form.cleaned_data["code"])
            if check.device is None:
                form.add_error("code", _code_error(check))
        if not form.errors:
            mark_reauthenticated(request)
            return redirect(_next(request))
    return render(request, "accounts/reauthenticate.html", {"form": form, "next": _next(request)})


@never_cache
@role_required(*MANAGERS, reauthenticate=True)
@require_http_methods(["GET", "POST"])
def people(request):
    actor = active_membership(request)
    form = InvitationForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_send(
                actor=actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                organization=form.cleaned_data.get("organization"),
                district=form.cleaned_data.get("district"),
                state=form.cleaned_data.get("state"),
                name=form.cleaned_data["name"],
                language=form.cleaned_data["language"],
            )
        except Refusal as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works for %(days)s days.")
                % {
                    "email": form.cleaned_data["email"],
                    "days": settings.SANTUNI["INVITATION_DAYS"],
                },
            )
            return redirect("accounts:people")
    return render(
        request,
        "accounts/people.html",
        {
            "form": form,
            "memberships": selectors.memberships_managed_by(actor),
            "invitations": selectors.invitations_managed_by(actor, timezone.now()),
        },
    )


@require_POST
@role_required(*MANAGERS, reauthenticate=True)
def membership_remove(request, membership_id):
    actor = active_membership(request)
    try:
        membership = selectors.managed_membership(actor, membership_id)
    except Membership.DoesNotExist:
        raise Http404 from None
    services.membership_revoke(actor=actor, membership=membership)
    messages.success(request, _("Role removed: %(role)s.") % {"role": str(membership)})
    return redirect("accounts:people")


@require_POST
@role_required(*MANAGERS, reauthenticate=True)
def invitation_cancel(request, invitation_id):
    actor = active_membership(request)
    try:
        invitation = selectors.managed_invitation(actor, invitation_id, timezone.now())
    except Invitation.DoesNotExist:
        raise Http404 from None
    services.invitation_cancel(actor=actor, invitation=invitation)
    messages.success(request, _("Invitation cancelled."))
    return redirect("accounts:people")


@never_cache
@role_required(Role.MINISTRY_ADMIN)
def audit_trail(request):
    fields = ("action", "object_type", "object_id", "email", "since", "until")
    # No record holds a NUL character, and PostgreSQL refuses to look for one.
    filters = {f: request.GET.get(f, "").replace("\x00", "").strip() for f in fields}
    errors = []
    for f in ("since", "until"):
        if filters[f]:
            try:
                filters[f] = timezone.datetime.fromisoformat(filters[f]).date()
            except ValueError:
                errors.append(_("Dates are written YYYY-MM-DD, for example 2026-12-01."))
                filters[f] = ""
    page = Paginator(selectors.audit_entries(**filters), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "filters": filters,
            "errors": errors,
            "params": params.urlencode(),
            "types": AuditEntry.objects.values_list("object_type", flat=True).distinct(),
        },
    )


class PasswordReset(auth_views.PasswordResetView):
    """Asking for a password-reset link, so many times per address typed and per client address.

    A refusal reads the same whether the address has an account or not, and comes before the
    account is looked up.
    """

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def form_valid(self, form):
        wait = seconds_to_wait(
            Limit(
                "password_reset_client", client_ip(self.request), settings.SANTUNI_RESET_CLIENT_RATE
            ),
            Limit(
                "password_reset",
                services.normalise_email(form.cleaned_data["email"]),
                settings.SANTUNI_RESET_RATE,
            ),
        )
        if wait:
            form.add_error(
                None,
                _("Too many requests for a new password. Try again in %(wait)s.")
                % {"wait": wait_text(wait)},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_done(user=form.user)
        return response
