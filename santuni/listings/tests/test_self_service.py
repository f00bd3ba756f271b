"""CBO heads keep their listing; what the public sees changes only once a district officer
verifies it, which sets the verified date."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from santuni.accounts.tests.personas import sign_in
from santuni.audit.models import AuditEntry
from santuni.directory.models import Phone, Service
from santuni.directory.tests.factories import ServiceFactory
from santuni.listings.models import ListingChange

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
TODAY = date(2026, 12, 1)


def profile_form(**changes):
    values = {
        "phone": "",
        "email": "",
        "website": "",
        "description": "Pertubuhan untuk ujian.",
        "description_en": "",
        "head_name": "Siti Aminah binti Hassan",
        "head_phone": "+60120001111",
        "member_count": "0",
    }
    values.update(changes)
    return values


def public_page(client, organization) -> str:
    client.logout()
    return client.get(reverse("pages:organization", args=[organization.pk])).content.decode()


@time_machine.travel("2026-12-01 10:00 +08:00")
def test_a_phone_change_waits_for_the_officer_then_shows_with_todays_date(client, personas):
    organization = personas.cbo.organization
    sign_in(client, personas.cbo_head)
    response = client.post(reverse("listings:profile_edit"), profile_form(phone="06-762 8899"))
    assert response.status_code == 302
    change = ListingChange.objects.get()
    assert change.proposed == {"phone": "+6067628899"}
    assert not Phone.objects.filter(number="+6067628899").exists()
    assert "06-762 8899" not in public_page(client, organization)
    # The district's officer hears of it, with a link to the change and no personal data.
    assert mail.outbox[-1].to == [personas.district_officer.user.email]
    assert str(change.pk) in mail.outbox[-1].body

    sign_in(client, personas.district_officer)
    queue = client.get(reverse("listings:review_queue")).content.decode()
    assert reverse("listings:review", args=[change.pk]) in queue
    review = client.get(reverse("listings:review", args=[change.pk])).content.decode()
    assert "06-762 8899" in review
    client.post(reverse("listings:review", args=[change.pk]), {"decision": "approve"})

    page = public_page(client, organization)
    assert "06-762 8899" in page
    assert "1 Disember 2026" in page
    organization.cbo.refresh_from_db()
    assert organization.cbo.assured_date == TODAY
    assert mail.outbox[-1].to == [personas.cbo_head.user.email]
    entry = AuditEntry.objects.get(action="listing_change.approved")
    assert entry.user == personas.district_officer.user
    assert entry.membership == personas.district_officer.membership
    assert entry.changes["phone"] == ["", "+6067628899"]
    assert entry.changes["assured_date"] == [None, "2026-12-01"]


def test_a_bad_phone_keeps_what_was_typed_and_says_why(client, personas):
    sign_in(client, personas.cbo_head)
    response = client.post(
        reverse("listings:profile_edit"), profile_form(phone="12", email="baru@example.invalid")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error"' in html
    assert "baru@example.invalid" in html
    assert not ListingChange.objects.exists()


def test_withdrawing_consent_hides_the_head_at_once(client, personas):
    cbo = personas.cbo
    cbo.head_consent = True
    cbo.save()
    assert "Siti Aminah" in public_page(client, cbo.organization)
    sign_in(client, personas.cbo_head)
    client.post(reverse("listings:profile_edit"), profile_form())  # consent box left unticked
    assert "Siti Aminah" not in public_page(client, cbo.organization)
    assert not ListingChange.objects.exists()
    assert AuditEntry.objects.filter(action="listing.consent_withdrawn").exists()


def test_a_second_edit_replaces_the_waiting_one(client, personas):
    sign_in(client, personas.cbo_head)
    client.post(reverse("listings:profile_edit"), profile_form(email="satu@example.invalid"))
    # The form shows the waiting edit, so nothing typed is lost.
    assert "satu@example.invalid" in client.get(reverse("listings:profile_edit")).content.decode()
    client.post(reverse("listings:profile_edit"), profile_form(email="dua@example.invalid"))
    client.post(reverse("listings:profile_edit"), profile_form(email="dua@example.invalid"))
    pending = ListingChange.objects.filter(status=ListingChange.Status.PENDING)
    assert [c.proposed for c in pending] == [{"email": "dua@example.invalid"}]


def test_a_service_edit_reaches_the_search_once_verified(client, personas):
    service = ServiceFactory(organization=personas.cbo.organization, name="Kelas jahitan")
    sign_in(client, personas.cbo_head)
    form = {
        "name": "Kelas jahitan ibu tunggal",
        "status": "active",
        "description": "Perkhidmatan untuk ujian.",
    }
    client.post(reverse("listings:service_edit", args=[service.pk]), form)
    search = reverse("directory:search")
    assert "jahitan ibu tunggal" not in client.get(search, {"q": "ibu tunggal"}).content.decode()
    change = ListingChange.objects.get()
    sign_in(client, personas.district_officer)
    client.post(reverse("listings:review", args=[change.pk]), {"decision": "approve"})
    service.refresh_from_db()
    assert service.name == "Kelas jahitan ibu tunggal"
    assert service.assured_date == timezone.localdate()
    assert service.assurer_email == personas.district_officer.user.email
    client.logout()
    found = client.get(search, {"q": "ibu tunggal"}).content.decode()
    assert "Kelas jahitan ibu tunggal" in re.sub(r"</?mark>", "", found)


def test_returning_a_change_needs_a_note_and_leaves_the_listing(client, personas):
    sign_in(client, personas.cbo_head)
    client.post(reverse("listings:profile_edit"), profile_form(email="baru@example.invalid"))
    change = ListingChange.objects.get()
    sign_in(client, personas.district_officer)
    url = reverse("listings:review", args=[change.pk])
    assert client.post(url, {"decision": "return", "note": ""}).status_code == 200
    client.post(url, {"decision": "return", "note": "Emel ini tidak sah, sila semak."})
    change.refresh_from_db()
    assert change.status == ListingChange.Status.REJECTED
    personas.cbo.organization.refresh_from_db()
    assert personas.cbo.organization.email == ""
    assert "Emel ini tidak sah" in mail.outbox[-1].body
    # Approving afterwards (another tab) changes nothing.
    client.post(url, {"decision": "approve"})
    change.refresh_from_db()
    assert change.status == ListingChange.Status.REJECTED


def test_the_officer_sees_a_field_changed_since_the_edit(client, personas):
    sign_in(client, personas.cbo_head)
    client.post(reverse("listings:profile_edit"), profile_form(email="baru@example.invalid"))
    organization = personas.cbo.organization
    organization.email = "admin.ubah@example.invalid"
    organization.save()
    sign_in(client, personas.district_officer)
    change = ListingChange.objects.get()
    html = client.get(reverse("listings:review", args=[change.pk])).content.decode()
    assert 'class="moved"' in html and "admin.ubah@example.invalid" in html


def test_listings_not_verified_for_a_year(client, personas):
    fresh = ServiceFactory(organization=personas.cbo.organization, name="Baru disemak")
    fresh.assured_date = timezone.localdate() - timedelta(days=30)
    fresh.save()
    stale = ServiceFactory(organization=personas.cbo.organization, name="Lama tidak disemak")
    Service.objects.filter(pk=stale.pk).update(
        assured_date=timezone.localdate() - timedelta(days=400)
    )
    agency_service = ServiceFactory(organization=personas.agency, name="Bukan CBO")
    sign_in(client, personas.district_officer)
    html = client.get(reverse("listings:unverified")).content.decode()
    assert "Lama tidak disemak" in html and "Baru disemak" not in html
    assert personas.cbo.organization.name in html and agency_service.name not in html
    client.post(reverse("listings:verify_listing", args=["service", stale.pk]))
    client.post(reverse("listings:verify_listing", args=["cbo", personas.cbo.organization.pk]))
    client.get(reverse("pages:home"))  # shows the two "marked as verified" messages
    html = client.get(reverse("listings:unverified")).content.decode()
    assert "Lama tidak disemak" not in html
    assert personas.cbo.organization.name not in html
    # Another district's officer sees none of Seremban's listings.
    sign_in(client, personas.other_district_officer)
    html = client.get(reverse("listings:unverified")).content.decode()
    assert personas.other_cbo.organization.name not in html


def service_edits(head, count: int) -> None:
    """`count` services of the head's CBO, each with a renaming waiting for verification."""
    from santuni.listings.services import listing_change_submit

    for i in range(count):
        organization = head.membership.organization
        listing_change_submit(
            actor=head.membership,
            organization=organization,
            service=ServiceFactory(organization=organization),
            values={"name": f"Nama baru {i}"},
        )


def test_the_queue_takes_the_same_queries_however_long(
    client, personas, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, personas.district_officer)
    service_edits(personas.cbo_head, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("listings:review_queue"))
    service_edits(personas.other_cbo_head, 20)
    with django_assert_max_num_queries(len(few)):
        html = client.get(reverse("listings:review_queue")).content.decode()
    assert html.count('class="card"') == 23
