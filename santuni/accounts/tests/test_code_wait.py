"""The second factor on a phone: the wait after a wrong code is told, the right code is taken
once it is over (no reload), and setting up opens the authenticator app by a link."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from santuni.accounts import services
from santuni.accounts.tests.personas import PASSWORD, sign_in
from santuni.accounts.tests.test_sign_in import post_sign_in, signed_in

pytestmark = pytest.mark.django_db

WRONG = "Kod itu tidak betul"
NOT_YET = "Belum disemak"


def code_error(response) -> str:
    match = re.search(r'<p class="error" id="id_code_error">(.*?)</p>', response.content.decode())
    return html.unescape(match.group(1)) if match else ""


def code_box(response) -> str:
    return re.search(r'<input[^>]*name="code"[^>]*>', response.content.decode()).group(0)


def device_code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_after_a_wrong_code_the_page_says_how_long_to_wait_then_takes_the_right_code(
    client, personas
):
    officer = personas.district_officer
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        step = post_sign_in(client, officer, next_url=reverse("listings:review_queue"))["Location"]
        wrong = client.post(step, {"code": "000000"})
        assert wrong.status_code == 200 and not signed_in(client)
        assert WRONG in code_error(wrong) and "Cuba lagi dalam 1 saat." in code_error(wrong)
        # The box comes back empty: the next code is not typed beside the refused one.
        assert "value=" not in code_box(wrong)

        # The right code before the wait is over: told to wait, not told it is wrong.
        too_soon = client.post(step, {"code": officer.code()})
        assert too_soon.status_code == 200 and not signed_in(client)
        assert NOT_YET in code_error(too_soon) and WRONG not in code_error(too_soon)
        assert "Cuba lagi dalam 1 saat." in code_error(too_soon)

    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        # A second wrong code in a row doubles the wait.
        again = client.post(step, {"code": "111111"})
        assert "Cuba lagi dalam 2 saat." in code_error(again)
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        assert "Cuba lagi dalam 1 saat." in code_error(client.post(step, {"code": officer.code()}))

    # The codes typed too soon did not lengthen the wait: the right code is taken at its end.
    with time_machine.travel(start + timedelta(seconds=3), tick=False):
        done = client.post(step, {"code": officer.code()})
    assert done.status_code == 302 and done["Location"] == reverse("listings:review_queue")
    assert signed_in(client)


def test_the_wait_is_told_in_english(client, personas):
    officer = personas.district_officer
    with translation.override("en"):
        step = reverse("accounts:sign_in_code")
    with time_machine.travel(timezone.now(), tick=False):
        post_sign_in(client, officer)
        wrong = client.post(step, {"code": "000000"})
        too_soon = client.post(step, {"code": officer.code()})
    assert code_error(wrong) == (
        "That code is not right. Codes change every 30 seconds: type the newest one. "
        "Try again in 1 second."
    )
    assert code_error(too_soon) == (
        "Not checked yet: after a wrong code, Santuni waits a little before the next one. "
        "Try again in 1 second."
    )


def test_a_recovery_code_works_while_the_app_codes_wait(client, personas):
    officer = personas.district_officer
    codes = services.recovery_codes_renew(user=officer.user)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        step = post_sign_in(client, officer)["Location"]
        client.post(step, {"code": "000000"})
        done = client.post(step, {"code": codes[0]})
    assert done.status_code == 302 and signed_in(client)


def test_setting_up_offers_a_link_that_opens_the_authenticator_app(client, personas):
    head = personas.cbo_head
    sign_in(client, head)
    page = client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=head.user, confirmed=False)
    link = re.search(r'<a class="app-link" href="([^"]+)">([^<]+)</a>', page.content.decode())
    assert link and html.unescape(link.group(1)) == device.config_url
    assert link.group(1).startswith("otpauth://totp/Santuni%3Acbo.head%40example.invalid?secret=")
    assert link.group(2) == "Buka dalam aplikasi pengesah"
    assert b"<svg" in page.content  # the QR code stays, for a page seen on a computer


def test_setting_up_after_a_wrong_code_waits_then_takes_the_right_one(client, personas):
    head = personas.cbo_head
    sign_in(client, head)
    url = reverse("accounts:two_factor_setup")
    client.get(url)
    device = TOTPDevice.objects.get(user=head.user, confirmed=False)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        wrong = client.post(url, {"code": "000000"})
        assert WRONG in code_error(wrong) and "Cuba lagi dalam 1 saat." in code_error(wrong)
        assert "value=" not in code_box(wrong)
        too_soon = client.post(url, {"code": device_code(device)})
        assert NOT_YET in code_error(too_soon) and WRONG not in code_error(too_soon)
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        done = client.post(url, {"code": device_code(device)})
    assert len(re.findall(r"<li>([a-z0-9]{8})</li>", done.content.decode())) == 10
    device.refresh_from_db()
    assert device.confirmed


def test_confirming_it_is_you_after_a_wrong_code_takes_the_right_one_after_the_wait(
    client, personas
):
    admin = personas.ministry_admin
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, admin)
        url = reverse("accounts:reauthenticate") + "?next=" + reverse("accounts:people")
        wrong = client.post(url, {"password": PASSWORD, "code": "000000"})
        assert WRONG in code_error(wrong) and "Cuba lagi dalam 1 saat." in code_error(wrong)
        too_soon = client.post(url, {"password": PASSWORD, "code": admin.code()})
        assert NOT_YET in code_error(too_soon)
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        done = client.post(url, {"password": PASSWORD, "code": admin.code()})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:people")
