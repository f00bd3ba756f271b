"""Signing in: password, second factor, recovery codes, lock-out and its unlock, idle expiry."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from santuni.accounts.tests.personas import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def post_sign_in(client, persona, password=PASSWORD, next_url=""):
    return client.post(
        reverse("accounts:sign_in"),
        {"username": persona.user.email.upper(), "password": password, "next": next_url},
    )


def signed_in(client) -> bool:
    return client.get(reverse("pages:home")).status_code == 200


def test_a_cbo_head_signs_in_with_email_and_password(client, personas):
    response = post_sign_in(client, personas.cbo_head, next_url=reverse("listings:my_cbo"))
    assert response.status_code == 302 and response["Location"] == reverse("listings:my_cbo")
    assert signed_in(client)


def test_a_wrong_password_says_so_without_telling_which_part(client, personas):
    response = post_sign_in(client, personas.cbo_head, password="salah")
    assert response.status_code == 200
    assert not signed_in(client)
    unknown = client.post(
        reverse("accounts:sign_in"), {"username": "nobody@example.invalid", "password": "x"}
    )
    errors = re.findall(r'role="alert">(.*?)</div>', response.content.decode(), re.S)
    assert errors and errors == re.findall(
        r'role="alert">(.*?)</div>', unknown.content.decode(), re.S
    )


def test_an_officer_needs_the_code_after_the_password(client, personas):
    officer = personas.district_officer
    response = post_sign_in(client, officer, next_url=reverse("listings:review_queue"))
    assert response["Location"].startswith(reverse("accounts:sign_in_code"))
    # Not signed in between the two steps.
    assert not signed_in(client)
    wrong = client.post(response["Location"], {"code": "000000"})
    assert wrong.status_code == 200 and not signed_in(client)
    # django-otp slows repeated wrong codes down; a right one after the wait works.
    TOTPDevice.objects.filter(pk=officer.device.pk).update(throttling_failure_count=0)
    done = client.post(response["Location"], {"code": officer.code()})
    assert done.status_code == 302 and done["Location"] == reverse("listings:review_queue")
    assert client.get(reverse("listings:review_queue")).status_code == 200


def test_the_code_step_expires(client, personas):
    response = post_sign_in(client, personas.district_officer)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        late = client.post(response["Location"], {"code": personas.district_officer.code()})
    assert late["Location"].startswith(reverse("accounts:sign_in"))
    assert not signed_in(client)


def test_setting_up_two_factor_then_signing_in_with_a_recovery_code(client, personas):
    head = personas.cbo_head
    sign_in(client, head)
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200 and b"<svg" in page.content  # the QR code, drawn inline
    device = TOTPDevice.objects.get(user=head.user, confirmed=False)
    code = f"{TOTP(device.bin_key).token():06d}"
    shown = client.post(reverse("accounts:two_factor_setup"), {"code": code})
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", shown.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed

    client.post(reverse("accounts:sign_out"))
    step = post_sign_in(client, head)
    assert step["Location"].startswith(reverse("accounts:sign_in_code"))
    assert client.post(step["Location"], {"code": codes[0].upper()}).status_code == 302
    assert signed_in(client)
    # Each recovery code works once.
    client.post(reverse("accounts:sign_out"))
    step = post_sign_in(client, head)
    assert client.post(step["Location"], {"code": codes[0]}).status_code == 200
    assert not signed_in(client)


def test_five_wrong_passwords_lock_the_account_and_a_reset_unlocks_it(
    client, personas, monkeypatch
):
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, *a, **k: func())
    head = personas.cbo_head
    for _ in range(5):
        post_sign_in(client, head, password="salah")
    locked = post_sign_in(client, head)  # even the right password
    assert locked.status_code == 429
    assert reverse("accounts:password_reset") in locked.content.decode()
    assert not signed_in(client)

    client.post(reverse("accounts:password_reset"), {"email": head.user.email})
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    form = client.get(link, follow=True)
    new = "Kampung-Baru-2027!"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert post_sign_in(client, head, password=new).status_code == 302
    assert signed_in(client)


def test_the_lock_out_lifts_after_thirty_minutes(client, personas):
    head = personas.cbo_head
    for _ in range(5):
        post_sign_in(client, head, password="salah")
    assert post_sign_in(client, head).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert post_sign_in(client, head).status_code == 302


def test_a_session_ends_after_thirty_idle_minutes(client, personas):
    post_sign_in(client, personas.cbo_head)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert signed_in(client)  # each request renews it
    with time_machine.travel(timezone.now() + timedelta(minutes=20 + 31)):
        assert not signed_in(client)


def test_a_user_with_several_roles_picks_one(client, personas):
    from santuni.accounts.models import Membership, Role

    Membership.objects.create(
        user=personas.cbo_head.user,
        role=Role.CBO_MEMBER,
        organization=personas.other_cbo.organization,
        district=personas.district,
    )
    response = post_sign_in(client, personas.cbo_head)
    assert response["Location"].startswith(reverse("accounts:choose_role"))
    assert client.get(reverse("listings:my_cbo"))["Location"].startswith(
        reverse("accounts:choose_role")
    )
    client.post(reverse("accounts:choose_role"), {"membership": personas.cbo_head.membership.pk})
    assert client.get(reverse("listings:my_cbo")).status_code == 200


def test_a_ministry_admin_signed_out_lands_on_the_admin_page_after_signing_in(client, personas):
    admin = personas.ministry_admin
    page = "/admin/directory/service/"
    response = client.get(page, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:sign_in"))
    step = post_sign_in(client, admin, next_url=response.context["next"])
    done = client.post(step["Location"], {"code": admin.code()}, follow=True)
    assert done.status_code == 200 and done.redirect_chain[-1][0] == page
