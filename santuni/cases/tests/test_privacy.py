"""A person's data is protected: MyKad encrypted at rest, never in logs, URLs, the search index
or error pages; every look at a record is audited; the person can take their data away and
withdraw consent, which anonymises them; closed cases are anonymised after the retention."""

import json
import logging
import sqlite3
import tempfile
import uuid
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from santuni.accounts.tests.personas import sign_in
from santuni.audit.models import AuditEntry
from santuni.cases.models import Attachment, CaseNote, Client, Referral
from santuni.cases.services import cases, referrals
from santuni.directory.selectors import SearchQuery, services_search
from santuni.lib.domain import Refusal

from .factories import (
    CLIENT_NAME,
    CLIENT_PHONE,
    DUPLICATE,
    MYKAD,
    jkm_service,
    make_case,
    make_referral,
    malay,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
MYKAD_DIGITS = MYKAD.replace("-", "")
OKU_CARD = "OKU-7788123"
SECRETS = (CLIENT_NAME, MYKAD, MYKAD_DIGITS, CLIENT_PHONE, "123456789")


def database_file() -> bytes:
    """The database file's bytes (SQLite's backup API copies it; needs committed data)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return path.read_bytes()


def database_text() -> bytes:
    """Every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalogue)
            chunks.extend(repr(row).encode() for row in cursor.fetchall())
    return b"\n".join(chunks)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mykad_and_oku_card_are_encrypted_at_rest(personas):
    case = make_case(personas.cbo_head, oku_card=OKU_CARD)
    stored = database_file() if connection.vendor == "sqlite" else database_text()
    assert CLIENT_NAME.encode() in stored  # the scan sees the table
    for secret in (MYKAD_DIGITS, MYKAD, OKU_CARD):
        assert secret.encode() not in stored
    client = Client.objects.get(pk=case.client_id)
    assert (client.mykad, client.oku_card) == (MYKAD_DIGITS, OKU_CARD)


def test_keys_rotate_without_losing_a_number(personas, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SANTUNI = {**settings.SANTUNI, "FIELD_KEYS": [old]}
    case = make_case(personas.cbo_head)
    settings.SANTUNI = {**settings.SANTUNI, "FIELD_KEYS": [new, old]}
    call_command("rotate_field_keys", stdout=StringIO())
    settings.SANTUNI = {**settings.SANTUNI, "FIELD_KEYS": [new]}
    assert Client.objects.get(pk=case.client_id).mykad == MYKAD_DIGITS
    settings.SANTUNI = {**settings.SANTUNI, "FIELD_KEYS": [Fernet.generate_key().decode()]}
    with pytest.raises(ValueError, match="cannot be decrypted"):
        Client.objects.get(pk=case.client_id)


def test_a_second_record_of_the_same_mykad_in_the_district_is_flagged_not_revealed(
    client, personas
):
    make_case(personas.other_cbo_head)
    sign_in(client, personas.cbo_head)
    response = client.post(reverse("cases:case_new") + "?tahap=normal", case_form(), follow=True)
    page = response.content.decode()
    assert malay(DUPLICATE) in page
    assert personas.other_cbo.organization.name not in page


def test_the_district_officer_sees_which_cases_may_be_the_same_person(client, personas):
    theirs = make_case(personas.other_cbo_head)
    ours = make_case(personas.cbo_head)
    someone_else = make_case(personas.cbo_head, mykad="900101051235", sex="m")
    sign_in(client, personas.district_officer)
    page = client.get(reverse("cases:case", args=[ours.pk])).content.decode()
    assert reverse("cases:case", args=[theirs.pk]) in page
    assert reverse("cases:case", args=[someone_else.pk]) not in page
    # A CBO head is only warned when recording, never shown the other CBO's case.
    sign_in(client, personas.cbo_head)
    page = client.get(reverse("cases:case", args=[ours.pk])).content.decode()
    assert reverse("cases:case", args=[theirs.pk]) not in page


def case_form(**changes):
    values = {
        "urgency": "normal",
        "category": "financial",
        "situation": "Ibu tunggal, tiga anak, pendapatan RM900 sebulan.",
        "name": CLIENT_NAME,
        "sex": "f",
        "mykad": MYKAD,
        "phone": "012-345 6789",
        "address": "No. 12, Jalan Sampel",
        "consent_method": "written",
        "consent_purposes": ["record", "share", "contact"],
        "submission_key": str(uuid.uuid4()),
    }
    values.update(changes)
    return values


def test_no_personal_data_in_logs_urls_or_the_search_index_during_the_whole_flow(
    client, personas, caplog, settings
):
    settings.SANTUNI = {
        **settings.SANTUNI,
        "MESSAGE_BACKEND": "santuni.cases.messaging.ConsoleBackend",
    }
    service = jkm_service(personas)
    caplog.set_level(logging.DEBUG)
    addresses = []

    def visit(response):
        addresses.append(response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"])
        addresses.extend(url for url, _status in getattr(response, "redirect_chain", []))
        return response

    sign_in(client, personas.cbo_head)
    page = visit(
        client.post(
            reverse("cases:case_new") + "?tahap=immediate",
            case_form(urgency="immediate"),
            follow=True,
        )
    )
    case_id = page.resolver_match.kwargs["case_id"]
    visit(client.get(reverse("cases:referral_new", args=[case_id]) + "?q=bantuan"))
    visit(
        client.post(
            reverse("cases:referral_new", args=[case_id]),
            {
                "service": service.pk,
                "mode": "live",
                "summary": "Perlu tempat selamat malam ini.",
                "submission_key": str(uuid.uuid4()),
                "send": "1",
            },
            follow=True,
        )
    )
    referral = Referral.objects.get(case_id=case_id)
    visit(client.get(reverse("cases:client_export", args=[case_id])))
    sign_in(client, personas.agency_focal_point)
    visit(client.get(reverse("cases:referrals")))
    for action in ("accept", "start"):
        referral.refresh_from_db()
        visit(
            client.post(
                reverse("cases:referral", args=[referral.pk]),
                {"action": action, "version": referral.version},
                follow=True,
            )
        )
    # Someone else's case: the error page says nothing of the person.
    sign_in(client, personas.other_cbo_head)
    refused = visit(client.get(reverse("cases:case", args=[case_id])))
    assert refused.status_code == 404
    assert CLIENT_NAME not in refused.content.decode()

    assert "text message to user" in caplog.text  # the log is captured, and it is urgent
    for secret in SECRETS:
        assert secret not in caplog.text
        assert all(secret not in address for address in addresses)
    assert not list(services_search(SearchQuery(text=CLIENT_NAME)))


def test_every_look_at_a_record_is_in_the_audit_trail(client, personas):
    case = make_case(personas.cbo_head)
    referral = make_referral(personas.cbo_head, case, jkm_service(personas))
    seen = AuditEntry.objects.filter(action="client.viewed", object_id=str(case.client_id))
    sign_in(client, personas.cbo_head)
    client.get(reverse("cases:case", args=[case.pk]))
    sign_in(client, personas.agency_focal_point)
    client.get(reverse("cases:referral", args=[referral.pk]))
    sign_in(client, personas.district_officer)
    client.get(reverse("cases:case", args=[case.pk]))
    who = list(seen.order_by("id").values_list("user_id", "changes"))
    assert [user for user, _changes in who] == [
        personas.cbo_head.user.pk,
        personas.agency_focal_point.user.pk,
        personas.district_officer.user.pk,
    ]
    assert [changes["through"] for _user, changes in who] == ["case", "referral", "case"]


def test_the_agency_sees_what_it_needs_not_the_case(client, personas):
    case = make_case(personas.cbo_head)
    cases.case_note_add(actor=personas.cbo_head.membership, case_id=case.pk, text="Nota dalaman")
    referral = make_referral(personas.cbo_head, case, jkm_service(personas))
    sign_in(client, personas.agency_focal_point)
    page = client.get(reverse("cases:referral", args=[referral.pk])).content.decode()
    assert CLIENT_NAME in page
    assert "Perlukan perlindungan" in page  # the summary written for them
    for hidden in (MYKAD_DIGITS[-4:], "Nota dalaman", "Suami memukul"):
        assert hidden not in page
    assert reverse("cases:case", args=[case.pk]) not in page
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 403


def test_the_person_can_take_their_data(client, personas):
    case = make_case(personas.cbo_head)
    sign_in(client, personas.cbo_head)
    response = client.get(reverse("cases:client_export", args=[case.pk]))
    assert (
        response["Content-Disposition"] == f'attachment; filename="santuni-{case.reference}.json"'
    )
    data = json.loads(response.content)
    assert data["client"]["name"] == CLIENT_NAME
    assert data["client"]["mykad"] == MYKAD_DIGITS
    assert data["cases"][0]["reference"] == case.reference
    assert AuditEntry.objects.filter(action="client.exported").count() == 1


def test_withdrawn_consent_anonymises_and_stops_the_referrals(client, personas, mailoutbox):
    case = make_case(personas.cbo_head, oku_card=OKU_CARD)
    cases.case_note_add(actor=personas.cbo_head.membership, case_id=case.pk, text="Nota")
    cases.attachment_add(
        actor=personas.cbo_head.membership,
        case_id=case.pk,
        upload=SimpleUploadedFile("ic.pdf", b"%PDF-1.4 sample", content_type="application/pdf"),
    )
    stored = Attachment.objects.get().file.name
    referral = make_referral(personas.cbo_head, case, jkm_service(personas))
    sign_in(client, personas.cbo_head)
    response = client.post(reverse("cases:consent_withdraw", args=[case.pk]))
    assert response.status_code == 302

    person = Client.objects.get(pk=case.client_id)
    assert person.anonymised_at is not None
    assert (person.name, person.mykad, person.mykad_hash, person.phone, person.address) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert (person.oku_card, person.household, person.date_of_birth) == ("", "", None)
    # What statistics count stays.
    assert (person.sex, person.age, person.district_id) == ("f", 41, personas.district.pk)
    assert (person.mukim, person.household_size) == (None, None)
    assert not CaseNote.objects.exists()
    assert not Attachment.objects.exists()
    from django.core.files.storage import default_storage

    assert not default_storage.exists(stored)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CANCELLED
    assert referral.summary == ""
    case.refresh_from_db()
    assert case.status == "closed"
    assert any(personas.agency_focal_point.user.email in m.to for m in mailoutbox)
    for secret in (CLIENT_NAME, MYKAD_DIGITS, OKU_CARD):
        assert secret.encode() not in database_text()
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert CLIENT_NAME not in page


def test_closed_cases_are_anonymised_after_the_retention_period(personas, settings):
    settings.SANTUNI = {**settings.SANTUNI, "CASE_RETENTION_DAYS": 30}
    with time_machine.travel(datetime(2026, 1, 5, 10, tzinfo=timezone.get_current_timezone())):
        closed = make_case(personas.cbo_head)
        cases.case_close(actor=personas.cbo_head.membership, case_id=closed.pk, version=None)
        still_open = make_case(personas.cbo_head, mykad="")
    with time_machine.travel(datetime(2026, 2, 3, 10, tzinfo=timezone.get_current_timezone())):
        assert cases.clients_anonymise_expired() == 0
    with time_machine.travel(datetime(2026, 2, 5, 10, tzinfo=timezone.get_current_timezone())):
        call_command("anonymise_closed_cases", stdout=StringIO())
    assert Client.objects.get(pk=closed.client_id).name == ""
    assert Client.objects.get(pk=still_open.client_id).name == CLIENT_NAME
    assert AuditEntry.objects.filter(action="client.anonymised", user=None).count() == 1


def test_a_case_with_a_referral_still_open_cannot_be_closed(personas):
    case = make_case(personas.cbo_head)
    make_referral(personas.cbo_head, case, jkm_service(personas))
    with pytest.raises(Refusal):
        cases.case_close(actor=personas.cbo_head.membership, case_id=case.pk, version=None)


def test_attachments_are_checked_and_served_only_to_who_sees_the_case(client, personas):
    case = make_case(personas.cbo_head)
    sign_in(client, personas.cbo_head)
    url = reverse("cases:case_attach", args=[case.pk])
    big = SimpleUploadedFile(
        "big.pdf", b"0" * (5 * 1024 * 1024 + 1), content_type="application/pdf"
    )
    page = client.post(url, {"file": big}).content.decode()
    assert "5 MB" in page
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    assert "PDF, JPEG" in client.post(url, {"file": exe}).content.decode()
    disguised = SimpleUploadedFile("surat.pdf", b"MZ\x90\x00", content_type="application/pdf")
    assert "PDF, JPEG" in client.post(url, {"file": disguised}).content.decode()
    good = SimpleUploadedFile("surat.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    assert client.post(url, {"file": good}).status_code == 302
    item = Attachment.objects.get()
    download = client.get(reverse("cases:attachment", args=[item.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 ok"
    assert CLIENT_NAME not in download["Content-Disposition"]
    sign_in(client, personas.other_cbo_head)
    assert client.get(reverse("cases:attachment", args=[item.pk])).status_code == 404


def test_nothing_can_be_added_about_a_person_who_withdrew_consent(client, personas):
    case = make_case(personas.cbo_head)
    cases.consent_withdraw(actor=personas.cbo_head.membership, case_id=case.pk)
    sign_in(client, personas.cbo_head)
    note = client.post(reverse("cases:case_note", args=[case.pk]), {"text": "Telefon baru 0123"})
    assert note.status_code == 200
    pdf = SimpleUploadedFile("ic.pdf", b"%PDF-1.4", content_type="application/pdf")
    attach = client.post(reverse("cases:case_attach", args=[case.pk]), {"file": pdf})
    assert attach.status_code == 200
    assert not CaseNote.objects.exists()
    assert not Attachment.objects.exists()


def test_withdrawal_closes_cases_and_referrals_through_their_usual_steps(personas):
    case = make_case(personas.cbo_head)
    referral = make_referral(personas.cbo_head, case, jkm_service(personas))
    focal = personas.agency_focal_point.membership
    referrals.referral_accept(actor=focal, referral_id=referral.pk, version=None)
    referrals.referral_complete(
        actor=focal, referral_id=referral.pk, version=None, outcome="service_delivered"
    )
    cases.consent_withdraw(actor=personas.cbo_head.membership, case_id=case.pk)
    referral.refresh_from_db()
    case.refresh_from_db()
    assert (referral.status, referral.close_reason) == ("closed", "client_withdrew")
    assert referral.outcome == "service_delivered"  # what statistics count stays
    assert (case.status, case.version) == ("closed", 2)
    assert AuditEntry.objects.filter(action="case.closed", object_id=str(case.pk)).exists()


def test_the_agency_no_longer_sees_the_person_once_the_referral_is_finished(client, personas):
    case = make_case(personas.cbo_head)
    referral = make_referral(personas.cbo_head, case, jkm_service(personas))
    referrals.referral_cancel(
        actor=personas.cbo_head.membership, referral_id=referral.pk, version=None
    )
    sign_in(client, personas.agency_focal_point)
    page = client.get(reverse("cases:referral", args=[referral.pk])).content.decode()
    inbox = client.get(reverse("cases:referrals")).content.decode()
    assert referral.reference in page
    assert referral.reference in inbox
    for text in (CLIENT_NAME, "Perlukan perlindungan"):
        assert text not in page
    assert CLIENT_NAME not in inbox


def test_a_failed_email_is_logged_and_the_others_still_go(personas, monkeypatch, caplog):
    from django.core import mail

    from santuni.cases import notify

    real = notify.send_mail

    def flaky(subject, body, sender, to, **kwargs):
        if to == [personas.district_officer.user.email]:
            raise ConnectionRefusedError("smtp down")
        return real(subject, body, sender, to, **kwargs)

    monkeypatch.setattr(notify, "send_mail", flaky)
    case = make_case(personas.cbo_head, urgency="immediate")
    referral = make_referral(personas.cbo_head, case, jkm_service(personas))
    assert referral.status == Referral.Status.SENT
    assert [m.to for m in mail.outbox] == [[personas.agency_focal_point.user.email]]
    assert "email about referral" in caplog.text
    assert "ConnectionRefusedError" in caplog.text
