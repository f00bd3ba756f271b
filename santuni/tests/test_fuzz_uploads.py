"""Oversized and malformed uploads and request bodies: each is refused with a clear
message in Malay, in a page of the site, and nothing is kept; never a server error."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from santuni.accounts.tests.personas import sign_in
from santuni.cases.models import Attachment, CaseNote
from santuni.cases.tests.factories import make_case
from santuni.reports.admin import MAX_UPLOAD_BYTES
from santuni.reports.models import AidStatistic

from .fuzz import CHARACTERS, PAGE, assert_no_server_error, assert_unreadable_page, rolled_back

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
BOUNDARY = "santuni-boundary"


def malay(message: str) -> str:
    with translation.override("ms"):
        return gettext(message)


def multipart(filename: bytes, content: bytes, content_type: bytes = b"application/pdf") -> bytes:
    """A form with one file, the file's name sent exactly as given (the test client would
    clean it first)."""
    return b"".join(
        [
            f"--{BOUNDARY}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n',
            b"Content-Type: " + content_type + b"\r\n\r\n",
            content,
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )


@pytest.fixture
def attach(client, personas, settings, tmp_path):
    """Posts a raw multipart body to a case's attachments as its CBO head."""
    settings.MEDIA_ROOT = tmp_path
    sign_in(client, personas.cbo_head)
    case = make_case(personas.cbo_head)
    url = reverse("cases:case_attach", args=[case.pk])

    def post(body: bytes, content_type: str = f"multipart/form-data; boundary={BOUNDARY}"):
        return client.generic("POST", url, body, content_type=content_type)

    post.case = case
    post.media = tmp_path
    return post


def refused(response, message: str) -> str:
    """The case page again, in Malay, with the reason beside the upload field."""
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ms">' in page
    assert escape(malay(message)) in page, message
    assert not Attachment.objects.exists()
    return page


def test_a_file_over_5_mb_is_refused(attach):
    too_big = PDF + b"0" * settings.SANTUNI["ATTACHMENT_MAX_BYTES"]
    refused(attach(multipart(b"besar.pdf", too_big)), "The file is too large: at most 5 MB.")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        (b"surat.pdf", b"MZ\x90\x00\x03 a Windows program", b"application/pdf"),
        (b"gambar.jpg", b"<?php system($_GET['c']); ?>", b"image/jpeg"),
        (b"imej.png", PDF, b"image/png"),
        (b"surat.pdf", PDF, b"text/html"),
        (b"surat.pdf.exe", b"MZ\x90\x00", b"application/octet-stream"),
    ],
    ids=["exe-as-pdf", "script-as-jpeg", "pdf-as-png", "pdf-as-html", "double-extension"],
)
def test_a_file_of_another_type_under_a_false_name_is_refused(attach, name, content, content_type):
    refused(attach(multipart(name, content, content_type)), "Attach a PDF, JPEG or PNG file.")


def test_an_empty_file_is_refused(attach):
    refused(attach(multipart(b"kosong.pdf", b"")), "The submitted file is empty.")


@pytest.mark.parametrize(
    "name",
    [
        b"../../../../etc/passwd.pdf",
        b"..\\..\\windows\\system32\\surat.pdf",
        b"/var/lib/santuni/surat.pdf",
        b"sur\x00at.pdf",
        b"\x00",
        b"x" * 500 + b".pdf",
        "ź".encode() * 300 + b".pdf",
        b"surat\r\nContent-Type: text/html.pdf",
        b"",
    ],
    ids=[
        "traversal",
        "windows-traversal",
        "absolute",
        "nul",
        "only-nul",
        "500-chars",
        "600-bytes",
        "header-injection",
        "no-name",
    ],
)
def test_a_strange_file_name_goes_no_further_than_its_case(attach, name):
    response = attach(multipart(name, PDF))
    assert_no_server_error(response)
    if response.status_code == 400:
        assert_unreadable_page(response)
        return
    if not Attachment.objects.exists():
        # No name left once cleaned: the form says a file is needed.
        refused(response, "This field is required.")
        return
    assert response.status_code == 302
    item = Attachment.objects.get()
    # Stored under a name of our own, inside the case's folder; the name shown is harmless.
    assert item.file.name.startswith(f"cases/{attach.case.pk}/")
    assert (attach.media / item.file.name).resolve().is_relative_to(attach.media.resolve())
    assert "/" not in item.name and "\\" not in item.name and "\x00" not in item.name
    assert len(item.name) <= 200


@PAGE
@given(st.binary(max_size=3000), st.text(CHARACTERS, max_size=60))
def test_a_malformed_body_is_refused_in_a_page_of_the_site(attach, body, content_type):
    with rolled_back():
        response = attach(body, content_type=content_type or "multipart/form-data")
        assert_no_server_error(response)
        if response.status_code == 400:
            assert_unreadable_page(response)
        else:
            assert response.status_code in (200, 302)
            assert response.status_code == 200 or Attachment.objects.exists()


# --- request bodies past Django's limits ---------------------------------------------------


@pytest.fixture
def note(client, personas):
    sign_in(client, personas.cbo_head)
    return reverse("cases:case_note", args=[make_case(personas.cbo_head).pk])


def assert_too_much(response) -> None:
    """The 400 page, in Malay, saying what went wrong and what to do."""
    assert_unreadable_page(response)
    page = response.content.decode()
    assert '<html lang="ms">' in page
    assert escape(malay("What was sent could not be read")) in page
    assert not CaseNote.objects.exists()


def test_a_body_over_the_memory_limit_is_refused_with_a_page(client, note):
    text = "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert_too_much(client.post(note, {"text": text}))


def test_too_many_fields_are_refused_with_a_page(client, note):
    fields = {f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert_too_much(client.post(note, {"text": "Nota", **fields}))


def test_too_many_files_are_refused_with_a_page(attach):
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{i}.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-\r\n"
        for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    assert_too_much(attach(("".join(parts) + f"--{BOUNDARY}--\r\n").encode()))


# --- the aid statistics CSV in the admin -----------------------------------------------------


@pytest.fixture
def import_csv(admin_client):
    url = reverse("admin:reports_aidstatistic_import")

    def post(name: bytes, content: bytes, content_type: bytes = b"text/csv"):
        return admin_client.generic(
            "POST",
            url,
            multipart(name, content, content_type),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )

    return post


def import_refused(response, message: str, **values) -> None:
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(malay(message) % values if values else malay(message)) in page, message
    assert AidStatistic.objects.count() == 3  # the seed only


def test_a_csv_over_2_mb_is_refused(import_csv):
    header = b"year,state,scheme,recipients,amount_rm,as_of,source,source_url\n"
    big = header + b"2024,,,1,,,KPWKM,\n" * (MAX_UPLOAD_BYTES // 18 + 1)
    response = import_csv(b"besar.csv", big)
    import_refused(response, "The file is larger than %(mb)d MB.", mb=MAX_UPLOAD_BYTES // 2**20)


def test_binary_garbage_under_a_csv_name_is_refused(import_csv):
    garbage = bytes(range(256)) * 8
    response = import_csv(b"statistik.csv", garbage, b"text/csv")
    import_refused(response, "Nothing was imported. Correct these rows and upload the file again:")


def test_an_empty_csv_is_refused(import_csv):
    import_refused(import_csv(b"kosong.csv", b""), "The submitted file is empty.")


def test_a_spreadsheet_under_a_csv_name_is_refused(import_csv):
    xlsx = b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)
    import_refused(
        import_csv(b"statistik.csv", xlsx),
        "Nothing was imported. Correct these rows and upload the file again:",
    )
