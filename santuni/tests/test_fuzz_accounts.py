"""The sign-in, two-factor, role, invitation and audit forms, fed any input as the person
who may use them: never a server error, a refusal says why, and a sign-in never sends the
browser to another site."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.test import Client as Browser
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode
from hypothesis import example, given
from hypothesis import strategies as st

from santuni.accounts.models import Invitation, Membership, Role
from santuni.accounts.services import invitation_send
from santuni.accounts.tests.personas import PASSWORD, sign_in
from santuni.geo.models import District

from .fuzz import (
    PAGE,
    any_text,
    assert_any_post_refused_or_done,
    assert_refused_or_done,
    digits,
    form_data,
    one_of,
    rolled_back,
    templates_of,
)

pytestmark = [pytest.mark.django_db]


# --- accounts ------------------------------------------------------------------------------

NEXT = one_of("/kes/", "kes", "https://evil.example/", "//evil.example/", "/\\evil.example", "")


def assert_stays_on_site(response) -> None:
    if response.status_code == 302:
        location = response["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location


def test_sign_in_form(personas):
    url = reverse("accounts:sign_in")
    fields = {
        "username": one_of(
            personas.cbo_head.user.email, personas.cbo_head.user.email.upper(), "tiada@x.invalid"
        ),
        "password": st.one_of(st.just(PASSWORD), any_text(40)),
        "next": NEXT,
    }

    @PAGE
    @given(form_data(fields))
    @example({})  # an empty body
    def sign(data):
        with rolled_back():
            response = Browser().post(url, data)
            assert_refused_or_done(response)
            assert_stays_on_site(response)

    sign()


@pytest.mark.parametrize("page", ["sign_in_code", "two_factor_setup"])
def test_code_form(client, personas, page):
    if page == "sign_in_code":
        # Past the password, not yet the second factor.
        officer = personas.district_officer
        client.force_login(officer.user)
        codes = [officer.code()]
    else:
        sign_in(client, personas.outsider)
        codes = []
    url = reverse(f"accounts:{page}")
    fields = {
        "code": st.one_of(one_of("000000", " 12 34 56 ", *codes), any_text(20)),
        "next": NEXT,
    }

    @PAGE
    @given(form_data(fields))
    @example({})  # an empty body
    def verify(data):
        with rolled_back(client):
            response = client.post(url, data)
            if response.status_code == 200 and "accounts/recovery_codes.html" in templates_of(
                response
            ):
                return  # two-factor sign-in switched on: the recovery codes, shown once
            assert_refused_or_done(response)
            assert_stays_on_site(response)

    verify()


@pytest.mark.parametrize("persona", ["district_officer", "cbo_member"])
def test_reauthenticate_form(client, personas, persona):
    person = getattr(personas, persona)
    sign_in(client, person)
    url = reverse("accounts:reauthenticate")
    fields = {
        "password": st.one_of(st.just(PASSWORD), any_text(40)),
        "code": st.one_of(
            one_of(*([person.code()] if person.device else []), "000000"), any_text(20)
        ),
        "next": NEXT,
    }

    assert_any_post_refused_or_done(client, url, fields, cookies=True, then=assert_stays_on_site)


def test_choose_role_form(client, personas):
    head = personas.cbo_head
    second = Membership.objects.create(
        user=head.user,
        role=Role.CBO_MEMBER,
        organization=personas.other_cbo.organization,
        district=personas.district,
    )
    client.force_login(head.user)
    url = reverse("accounts:choose_role")
    fields = {
        "membership": st.one_of(
            one_of(head.membership.pk, second.pk, personas.outsider.user.pk + 1000), digits(-1, 10)
        ),
        "next": NEXT,
    }

    assert_any_post_refused_or_done(client, url, fields, cookies=True, then=assert_stays_on_site)


@pytest.mark.parametrize("persona", ["ministry_admin", "district_officer", "cbo_head"])
def test_invitation_form(client, personas, persona):
    sign_in(client, getattr(personas, persona))
    url = reverse("accounts:people")
    fields = {
        "email": one_of("baru@example.invalid", personas.cbo_member.user.email, "bukan emel"),
        "name": any_text(),
        "role": one_of(*Role.values),
        "organization": one_of(
            personas.cbo.organization.pk, personas.other_cbo.organization.pk, personas.agency.pk
        ),
        "district": one_of(personas.district.pk, District.objects.last().pk),
        "language": one_of("ms", "en"),
    }

    assert_any_post_refused_or_done(client, url, fields, [Invitation])


def test_audit_trail_filters(client, personas):
    """Not a Form class, but a form on the page: its filters come straight from the address."""
    sign_in(client, personas.ministry_admin)
    url = reverse("accounts:audit")
    fields = {
        "action": one_of("", "case.created", "client.viewed"),
        "object_type": one_of("", "cases.case"),
        "object_id": any_text(40),
        "email": one_of("", personas.cbo_head.user.email),
        "since": one_of("", "2026-01-01", "2026-13-01", "kelmarin"),
        "until": one_of("", "2026-12-31"),
        "page": digits(-1, 3),
    }

    @PAGE
    @given(form_data(fields))
    @example({"action": "a\x00b", "email": "\x00"})
    def filter_trail(data):
        response = client.get(url, data)
        assert response.status_code == 200
        html = response.content.decode()
        for error in response.context["errors"]:
            assert escape(error) in html

    filter_trail()


@pytest.mark.parametrize("account", ["new", "existing"])
def test_new_and_existing_account_forms(client, personas, account):
    email = "baru@example.invalid" if account == "new" else personas.outsider.user.email
    _invitation, link = invitation_send(
        actor=personas.cbo_head.membership, email=email, role=Role.CBO_MEMBER
    )
    client.get(urlsplit(link).path)  # the token goes into the session
    url = reverse("accounts:invitation_accept")
    fields = {
        "name": st.one_of(st.just("Rosnah binti Ali"), any_text()),
        "password1": st.one_of(st.just("Taman-Seri-Pagi-88"), any_text(40)),
        "password2": st.one_of(st.just("Taman-Seri-Pagi-88"), any_text(40)),
        "password": st.one_of(st.just(PASSWORD), any_text(40)),
    }

    assert_any_post_refused_or_done(client, url, fields, [User, Membership], cookies=True)


def test_password_reset_forms(client, personas):
    """Django's own forms, on Santuni's pages."""
    user = personas.cbo_member.user
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    asked = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]))
    url = asked["Location"]
    fields = {
        "new_password1": st.one_of(st.just("Taman-Seri-Pagi-88"), any_text(40)),
        "new_password2": st.one_of(st.just("Taman-Seri-Pagi-88"), any_text(40)),
    }

    @PAGE
    @given(form_data(fields), st.one_of(any_text(60), st.just(user.email)))
    @example({}, "")  # an empty body
    def reset(data, email):
        with rolled_back(client):
            response = client.post(url, data)
            assert_refused_or_done(response)
            forgot = Browser().post(reverse("accounts:password_reset"), {"email": email})
            assert_refused_or_done(forgot)

    reset()
