"""How often Santuni sends an email someone asked for: password-reset links per address typed
and per client address, invitations per inviter and per invited address (re-sends too)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from santuni.accounts.models import Invitation, Role
from santuni.accounts.tests.personas import sign_in

pytestmark = pytest.mark.django_db
# 09:10 UTC: the hour's count starts again at 10:00, 50 minutes on; the day's at midnight UTC.
MONDAY = datetime(2026, 3, 2, 9, 10, tzinfo=UTC)
HERE, ELSEWHERE = "192.0.2.10", "198.51.100.7"


@pytest.fixture(autouse=True)
def limits(settings, monkeypatch):
    """The limits as a deployment would have them (tests otherwise run with no real limit),
    counted afresh; invitation emails go out at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, *a, **k: func())
    settings.SANTUNI_RESET_RATE = "3/h"
    settings.SANTUNI_RESET_CLIENT_RATE = "10/h"
    settings.SANTUNI_INVITE_RATE = "5/h"
    settings.SANTUNI_INVITE_EMAIL_RATE = "3/d"
    cache.clear()
    with time_machine.travel(MONDAY, tick=False) as clock:
        yield clock
    cache.clear()


def ask_reset(client, email, address=HERE, language="ms"):
    with translation.override(language):
        url = reverse("accounts:password_reset")
    return client.post(url, {"email": email}, REMOTE_ADDR=address)


def alert(response) -> str:
    return " ".join(re.findall(r'role="alert">(.*?)</div>', response.content.decode(), re.S))


def test_ten_reset_requests_send_three_emails_then_ask_to_wait(client, personas, limits):
    email = personas.cbo_head.user.email
    answers = [ask_reset(client, email) for _ in range(10)]
    assert [a.status_code for a in answers] == [302] * 3 + [429] * 7
    assert len(mail.outbox) == 3
    assert "Terlalu banyak permintaan" in alert(answers[-1])
    assert "50 minit" in alert(answers[-1])
    english = ask_reset(client, email, language="en")
    assert "Too many requests" in alert(english) and "50 minutes" in alert(english)
    # The address typed differently is the same account.
    assert ask_reset(client, email.upper(), address=ELSEWHERE).status_code == 429
    limits.shift(timedelta(minutes=50))
    assert ask_reset(client, email).status_code == 302
    assert len(mail.outbox) == 4


def test_a_refusal_does_not_tell_whether_the_address_has_an_account(client, personas):
    known, unknown = personas.cbo_head.user.email, "tiada.sesiapa@example.invalid"
    answers = {}
    for email in (known, unknown):
        first = [ask_reset(client, email) for _ in range(3)]
        assert {a.status_code for a in first} == {302}
        assert {a["Location"] for a in first} == {reverse("accounts:password_reset_sent")}
        answers[email] = ask_reset(client, email)
    assert answers[known].status_code == answers[unknown].status_code == 429
    assert alert(answers[known]) == alert(answers[unknown])
    assert len(mail.outbox) == 3  # to the account only


def test_one_client_address_asks_for_at_most_ten_resets(client, personas):
    emails = [f"orang{i}@example.invalid" for i in range(10)]
    assert {ask_reset(client, e).status_code for e in emails} == {302}
    head = personas.cbo_head.user.email
    assert ask_reset(client, head).status_code == 429
    assert not mail.outbox
    # The account itself is not counted by the refused request: from elsewhere it goes out.
    assert ask_reset(client, head, address=ELSEWHERE).status_code == 302
    assert len(mail.outbox) == 1


def invite(client, email, role=Role.CBO_MEMBER, **fields):
    return client.post(
        reverse("accounts:people"),
        {"email": email, "name": "", "role": role, "language": "ms", **fields},
    )


def test_invitations_to_one_address_resent_three_times_a_day_at_most(client, personas, limits):
    sign_in(client, personas.cbo_head)
    answers = [invite(client, "ahli.baru@example.invalid") for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [302] * 3
    assert len(mail.outbox) == 3
    refused = answers[3]
    assert refused.status_code == 200
    assert "Terlalu banyak jemputan" in alert(refused)
    assert "15 jam" in alert(refused)  # midnight UTC is 14 h 50 min away
    # The open invitation is the last one sent; the refused one changed nothing.
    assert Invitation.objects.filter(cancelled_at__isnull=True).count() == 1
    # Another inviter cannot send it either, till the day is over.
    cbo = personas.cbo.organization.pk
    officer = sign_in(client, personas.district_officer)
    again = invite(officer, "ahli.baru@example.invalid", Role.CBO_HEAD, organization=cbo)
    assert again.status_code == 200 and "Terlalu banyak jemputan" in alert(again)
    assert len(mail.outbox) == 3
    limits.shift(timedelta(hours=15))
    officer = sign_in(client, personas.district_officer)
    later = invite(officer, "ahli.baru@example.invalid", Role.CBO_HEAD, organization=cbo)
    assert later.status_code == 302 and len(mail.outbox) == 4


def test_one_inviter_sends_five_invitations_an_hour(client, personas, limits):
    sign_in(client, personas.cbo_head)
    for i in range(5):
        assert invite(client, f"ahli{i}@example.invalid").status_code == 302
    refused = invite(client, "ahli5@example.invalid")
    assert refused.status_code == 200 and "50 minit" in alert(refused)
    assert len(mail.outbox) == 5 and Invitation.objects.count() == 5
    # Other inviters are not held up.
    other = sign_in(client, personas.other_cbo_head)
    assert invite(other, "ahli5@example.invalid").status_code == 302
    limits.shift(timedelta(minutes=50))
    sign_in(client, personas.cbo_head)
    assert invite(client, "ahli6@example.invalid").status_code == 302
