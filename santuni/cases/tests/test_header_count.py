"""The signed-in header counts the person's unread notifications on every page, in words a
screen reader says, and links to them; one query a page for it, none for a visitor."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from santuni.accounts.tests.personas import sign_in

from ..models import Notification
from .factories import jkm_service, make_case, make_referral

pytestmark = pytest.mark.usefixtures("on_commit_at_once")


def header(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    found = re.search(r'<header class="site">.*?</header>', response.content.decode(), re.DOTALL)
    assert found, path
    return found.group(0)


def counted(html: str) -> str | None:
    """What the header's count says to a screen reader, with where it leads; None if absent."""
    link = re.search(r'<a class="unread" href="([^"]+)">(.*?)</a>', html, re.DOTALL)
    if link is None:
        return None
    spoken = re.search(r'<span class="sr">([^<]*)</span>', link.group(2))
    shown = re.search(r'<span class="count" aria-hidden="true">(\d+)</span>', link.group(2))
    assert spoken and shown, link.group(0)
    assert spoken.group(1).startswith(shown.group(1) + " ")
    return f"{spoken.group(1)} -> {link.group(1)}"


@pytest.fixture
def two_referrals(personas):
    """Two referrals sent by the CBO head to the agency: its focal point is told of each."""
    service = jkm_service(personas)
    sent = [
        make_referral(personas.cbo_head, make_case(personas.cbo_head, mykad=""), service)
        for _ in range(2)
    ]
    assert Notification.objects.filter(recipient=personas.agency_focal_point.user).count() == 2
    return sent


def test_the_header_shows_the_unread_count_on_every_page_and_updates_after_reading(
    client, personas, two_referrals
):
    sign_in(client, personas.agency_focal_point)
    notifications = reverse("cases:notifications")
    first = reverse("cases:referral", args=[two_referrals[0].pk])
    # A public page, a signed-in page, in Malay and English.
    assert counted(header(client, "/")) == f"2 pemberitahuan belum dibaca -> {notifications}"
    assert counted(header(client, "/cari?q=warga+emas")) == (
        f"2 pemberitahuan belum dibaca -> {notifications}"
    )
    assert counted(header(client, reverse("pages:home"))) == (
        f"2 pemberitahuan belum dibaca -> {notifications}"
    )
    english = counted(header(client, "/en/"))
    assert english == "2 unread notifications -> /en/kes/notifikasi"

    # Opening one referral reads its notification: that page already counts one.
    assert counted(header(client, first)) == f"1 pemberitahuan belum dibaca -> {notifications}"
    assert counted(header(client, "/en/")) == "1 unread notification -> /en/kes/notifikasi"

    # "Mark all as read": no count is left.
    response = client.post(notifications, follow=True)
    assert response.status_code == 200
    assert counted(header(client, notifications)) is None
    assert counted(header(client, "/")) is None


def test_no_count_without_unread_notifications_nor_for_a_visitor(client, personas, two_referrals):
    # The CBO head sent them and was told of nothing.
    sign_in(client, personas.cbo_head)
    page = header(client, "/")
    assert "Akaun saya" in page
    assert counted(page) is None
    assert "belum dibaca" not in page

    client.logout()
    page = header(client, "/")
    assert counted(page) is None
    assert "belum dibaca" not in page


def notification_queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "cases_notification" in q["sql"]]


def test_one_query_a_page_for_the_count_and_none_for_a_visitor(client, personas, two_referrals):
    assert notification_queries(client, "/") == []
    assert notification_queries(client, "/cari?q=warga+emas") == []

    sign_in(client, personas.agency_focal_point)
    assert len(notification_queries(client, "/")) == 1
    assert len(notification_queries(client, "/cari?q=warga+emas")) == 1
    # My account shows the count twice (header, list) from the same one query.
    assert len(notification_queries(client, reverse("pages:home"))) == 1
