"""The printed booklet: what its pages show (read back from the PDF, QR codes decoded from
page images), that it is reused until the data changes, its progress page, who may use it,
and the command."""

import io
import os
import re
import stat
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from santuni.accounts.models import Membership, Role
from santuni.accounts.tests.personas import PERSONAS, sign_in
from santuni.aid.selectors import welfare_office
from santuni.directory.indexing import index_services
from santuni.directory.models import (
    CboProfile,
    Location,
    Organization,
    Phone,
    ServiceAtLocation,
    TaxonomyTerm,
)
from santuni.directory.tests.factories import (
    AddressFactory,
    CboProfileFactory,
    LocationFactory,
    ServiceFactory,
    mukim,
    seremban,
    weekday_hours,
)
from santuni.geo.models import District
from santuni.lib.phones import phone_display
from santuni.reports.booklet import builds, layout
from santuni.reports.models import Booklet

BASE_URL = "https://santuni.example.my"
# Every test here is a database test, those reading the module's demo booklet too: tests
# without the mark run after the transactional ones, which leave the database empty.
pytestmark = pytest.mark.django_db


def require_weasyprint() -> None:
    """Skips (or, with SANTUNI_REQUIRE_BROWSER=1 as in CI, fails) without WeasyPrint's Pango."""
    try:
        import weasyprint  # noqa: F401
    except (OSError, ImportError) as exc:
        message = (
            "The booklet tests need WeasyPrint's system libraries: run "
            f"`apt-get install -y libpango-1.0-0 libpangoft2-1.0-0` ({exc})."
        )
        if os.environ.get("SANTUNI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SANTUNI_REQUIRE_BROWSER=1 but WeasyPrint cannot run: {message}")
        pytest.skip(message)


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, whitespace made single spaces (a name may wrap)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    return [" ".join(page.get_textpage().get_text_range().split()) for page in document]


def page_lines(pdf: bytes, number: int) -> list[str]:
    import pypdfium2

    text = pypdfium2.PdfDocument(pdf)[number - 1].get_textpage().get_text_range()
    return [line.strip() for line in text.splitlines() if line.strip()]


def page_image(pdf: bytes, number: int):
    import pypdfium2

    return pypdfium2.PdfDocument(pdf)[number - 1].render(scale=2).to_pil()


def qr_codes(pdf: bytes, number: int) -> set[str]:
    import zxingcpp

    return {found.text for found in zxingcpp.read_barcodes(page_image(pdf, number))}


def page_of(texts: list[str], needle: str, start: int = 1) -> int:
    """The first page (numbered from 1, from `start`) whose text has `needle`."""
    for number, text in enumerate(texts, start=1):
        if number >= start and needle in text:
            return number
    raise AssertionError(f"{needle!r} is on no page")


def render(district, language: str) -> bytes:
    prepared = layout.prepare(district, language)
    pdf, _pages = layout.make_pdf(prepared.final_html(timezone.localdate()))
    return pdf


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The Seremban booklet of the demo data in Malay and in English, rendered once for the
    module; the data is rolled back afterwards."""
    require_weasyprint()
    with (
        django_db_blocker.unblock(),
        override_settings(SANTUNI={**settings.SANTUNI, "BASE_URL": BASE_URL}),
        transaction.atomic(),
    ):
        call_command("load_demo_data", verbosity=0)
        district = seremban()
        cbos = list(
            CboProfile.objects.filter(district=district, is_active=True).select_related(
                "organization"
            )
        )
        shelters = list(Location.objects.filter(is_confidential=True).prefetch_related("addresses"))
        facts = {
            "ms": render(district, "ms"),
            "en": render(district, "en"),
            "consenting": [c for c in cbos if c.head_consent and c.head_name],
            "refusing": [c for c in cbos if not c.head_consent and c.head_name],
            "cbo": next(
                c
                for c in cbos
                if c.organization.name.startswith("Persatuan Penduduk Taman Ampangan")
            ).organization,
            "shelters": shelters,
            "shelter_lines": [a.address_1 for s in shelters for a in s.addresses.all()],
            "mukims": [m.name for m in district.mukims.order_by("name")],
        }
        with translation.override("ms"):
            listed = layout._cbo_entries(district) + layout._service_entries(district)
        facts["names"] = {entry.url: entry.name for entry, _keys in listed}
        transaction.set_rollback(True)
    facts["ms_text"] = page_texts(facts["ms"])
    facts["en_text"] = page_texts(facts["en"])
    return facts


# --- what the pages show -----------------------------------------------------------------------


def test_the_cover_names_the_district_santuni_and_the_date(demo):
    cover = demo["ms_text"][0]
    assert "Direktori CBO KPWKM @ Seremban" in cover
    assert "Santuni" in cover
    with translation.override("ms"):
        assert formats.date_format(timezone.localdate(), "j F Y") in cover
    # The page as a picture has something printed on it: the cover is not blank.
    image = page_image(demo["ms"], 1).convert("L")
    assert image.getextrema()[0] < 100


def test_the_hotlines_page_has_the_national_numbers_and_the_district_office(demo):
    texts = demo["ms_text"]
    number = page_of(texts, "019-261 5999")
    hotlines = texts[number - 1]
    for shown in ("999", "112", "15999", "03-3000 8858", "018-988 8058", "03-8000 8000"):
        assert shown in hotlines
    assert "Pejabat Kebajikan Masyarakat Daerah Seremban" in hotlines
    # It comes before the contents and the listings, and says to call 999 first.
    assert number < page_of(texts, "Mukim Ampangan")
    assert "999" in texts[number - 1].split("15999")[0]


def test_the_contents_page_numbers_lead_to_each_mukim(demo):
    texts = demo["ms_text"]
    contents = page_of(texts, "Mukim Setul")  # the first page naming it is the contents
    lines = page_lines(demo["ms"], contents)
    for name in demo["mukims"]:
        line = next(line for line in lines if line.startswith(f"Mukim {name}"))
        page = int(re.search(r"(\d+)$", line).group(1))
        assert page > contents
        assert f"Mukim {name}" in texts[page - 1], (name, page)


def test_cbos_are_listed_under_their_mukim_with_a_qr_code_to_their_page(demo):
    texts = demo["ms_text"]
    organization = demo["cbo"]
    page = page_of(texts, organization.name, start=page_of(texts, "Mukim Ampangan", start=5))
    url = f"{BASE_URL}{reverse('pages:organization', args=[organization.pk])}"
    assert url in qr_codes(demo["ms"], page)
    assert "(Contoh)" in organization.name and "Contoh" in texts[page - 1]


def test_every_qr_code_on_a_page_opens_an_entry_printed_on_it(demo):
    texts = demo["ms_text"]
    first = page_of(texts, "Mukim Rasah", start=5)
    decoded = 0
    for page in (first, first + 1, page_of(texts, "Warga emas", start=first + 2)):
        for url in qr_codes(demo["ms"], page):
            assert demo["names"][url] in texts[page - 1], (url, page)
            decoded += 1
    assert decoded >= 4


def test_a_head_is_printed_only_with_consent(demo):
    text = " ".join(demo["ms_text"])
    assert demo["consenting"] and demo["refusing"]
    for cbo in demo["consenting"]:
        assert cbo.head_name in text
    for cbo in demo["refusing"]:
        assert cbo.head_name not in text
        assert phone_display(cbo.head_phone).display not in text


def test_a_confidential_address_is_never_printed(demo):
    assert demo["shelter_lines"]
    for language in ("ms_text", "en_text"):
        text = " ".join(demo[language])
        for line in demo["shelter_lines"]:
            assert line not in text
        for shelter in demo["shelters"]:
            assert shelter.name not in text


def test_the_index_gives_the_page_each_entry_is_on(demo):
    texts = demo["ms_text"]
    # The contents' last line (before the page number) is the index's.
    contents = page_of(texts, "Mukim Setul")
    start = int(re.search(r"(\d+)$", page_lines(demo["ms"], contents)[-2]).group(1))
    checked = 0
    for number in range(start, len(texts) + 1):
        for line in page_lines(demo["ms"], number):
            found = re.match(r"^(.*\w.*?)\s*\.{3,}\s*(\d+)$", line)
            if not found or len(found.group(1)) < 12:
                continue  # a name wrapped over two lines: its end is too short to look for
            # Without Liberation Sans (DejaVu only) the extracted index text reads a hyphen as
            # U+FFFE; the printed page shows a hyphen.
            name, page = found.group(1).strip().replace("\ufffe", "-"), int(found.group(2))
            assert page < start and name in texts[page - 1], (name, page)
            checked += 1
    assert checked >= 20


def test_the_footer_numbers_the_pages(demo):
    for number in (2, 5, len(demo["ms_text"])):
        assert page_lines(demo["ms"], number)[-1] == str(number)


def test_the_malay_booklet_is_in_malay(demo):
    whole = " ".join(demo["ms_text"])
    for words in ("Kandungan", "CBO mengikut mukim", "Indeks", "Contoh"):
        assert words in whole
    for english in ("Contents", "CBOs by mukim", "About this booklet"):
        assert english not in whole


def test_the_english_booklet_is_in_english_with_english_links(demo):
    texts = demo["en_text"]
    whole = " ".join(texts)
    for words in ("Emergency numbers", "Contents", "Index", "Sample"):
        assert words in whole
    assert "(Contoh)" not in whole
    organization = demo["cbo"]
    page = page_of(texts, organization.name_en or organization.name, start=5)
    url = f"{BASE_URL}/en{reverse('pages:organization', args=[organization.pk])}"
    assert url in qr_codes(demo["en"], page)


def test_the_aid_quick_reference_has_each_scheme_and_the_poverty_line(demo):
    text = " ".join(demo["en_text"])
    for shown in ("Elderly Assistance (BWE)", "RM600", "RM2,402", "RM2,589", "DOSM"):
        assert shown in text


# --- reading the data ------------------------------------------------------------------------


def small_directory(count: int) -> None:
    """`count` CBOs and `count` services in Seremban (2 × count entries), each with everything
    an entry prints."""
    rasah = mukim("Rasah")
    for n in range(count):
        cbo = CboProfileFactory(head_consent=n % 2 == 0)
        cbo.mukims.add(rasah)
        cbo.target_groups.add(*TaxonomyTerm.objects.filter(code="oku"))
        Phone.objects.create(organization=cbo.organization, number=f"+606765{n:04d}")
        AddressFactory(location=LocationFactory(organization=cbo.organization), mukim=rasah)
        service = ServiceFactory(organization=cbo.organization, terms=["warga-emas", "oku"])
        location = LocationFactory(organization=cbo.organization, is_confidential=n == 0)
        AddressFactory(location=location, mukim=rasah)
        ServiceAtLocation.objects.create(service=service, location=location)
        index_services([service.pk])  # as the admin and the import do
        Phone.objects.create(service=service, number=f"+6013400{n:04d}")
        weekday_hours(service)


def prepare_queries(district) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        layout.prepare(district, "ms")
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_reading_the_booklet_takes_the_same_queries_for_2_or_10_entries():
    small_directory(1)
    two = prepare_queries(seremban())
    small_directory(4)
    ten = prepare_queries(seremban())
    assert layout.prepare(seremban(), "ms").entries == 10
    assert len(two) == len(ten) == 22
    # Nothing personal is read: no case, client or referral table is touched.
    assert not [sql for sql in ten if "cases_" in sql]


@pytest.mark.django_db
def test_hours_a_head_and_a_confidential_place_as_the_html_prints_them():
    small_directory(2)
    html = layout.prepare(seremban(), "en").html
    assert "Monday–Friday 08:00–17:00" in html
    assert "Siti Aminah binti Hassan" in html  # the first CBO's head consents
    assert html.count("Siti Aminah binti Hassan") == 1  # the second's does not
    assert "For safety, a shelter's address is not printed" in html


KL = ZoneInfo("Asia/Kuala_Lumpur")


@pytest.mark.django_db
def test_the_fingerprint_follows_the_data_not_the_day(time_machine):
    small_directory(1)
    district = seremban()
    time_machine.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=KL), tick=False)
    first = layout.prepare(district, "ms")
    monday = first.final_html(timezone.localdate())
    time_machine.move_to(datetime(2026, 3, 4, 16, 30, tzinfo=KL), tick=False)
    later = layout.prepare(district, "ms")
    wednesday = later.final_html(timezone.localdate())
    assert later.fingerprint == first.fingerprint
    # The cover's date is the day it is built, although the fingerprint is the same.
    with translation.override("ms"):
        second, fourth = (
            formats.date_format(d, "j F Y") for d in (date(2026, 3, 2), date(2026, 3, 4))
        )
    assert second in monday and second not in wednesday
    assert fourth in wednesday and fourth not in monday
    assert layout.prepare(district, "en").fingerprint != first.fingerprint
    organization = Organization.objects.first()
    organization.name = "Nama Baharu"
    organization.save()
    assert layout.prepare(district, "ms").fingerprint != first.fingerprint


# --- reused until the data changes, built in the background -----------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("on_commit_at_once", "media")
def test_a_second_request_reuses_the_booklet_until_a_name_changes(client, personas, monkeypatch):
    require_weasyprint()
    sign_in(client, personas.district_officer)
    built = []
    real = layout.make_pdf
    monkeypatch.setattr(layout, "make_pdf", lambda *a, **k: built.append(1) or real(*a, **k))

    first = client.post(reverse("reports:booklet"), {"language": "ms"})
    made = Booklet.objects.get()
    assert first["Location"] == reverse("reports:booklet_status", args=[made.pk])
    assert made.status == Booklet.Status.DONE and made.pages >= 5
    status = client.get(first["Location"]).content.decode()
    assert reverse("reports:booklet_file", args=[made.pk]) in status

    again = client.post(reverse("reports:booklet"), {"language": "ms"})
    assert again["Location"] == first["Location"]
    assert Booklet.objects.count() == 1 and len(built) == 1
    page = client.get(reverse("reports:booklet")).content.decode()
    assert reverse("reports:booklet_file", args=[made.pk]) in page

    organization = personas.cbo.organization
    organization.name = "Pertubuhan Sampel Rasah Prihatin Baharu"
    organization.save()
    changed = client.post(reverse("reports:booklet"), {"language": "ms"})
    newer = Booklet.objects.exclude(pk=made.pk).get()
    assert changed["Location"] == reverse("reports:booklet_status", args=[newer.pk])
    assert newer.fingerprint != made.fingerprint and len(built) == 2
    assert "Baharu" in " ".join(page_texts(newer.file.read()))


@pytest.mark.django_db
@pytest.mark.usefixtures("on_commit_at_once", "media")
def test_the_download_is_a_pdf_with_a_readable_name(client, personas):
    require_weasyprint()
    sign_in(client, personas.district_officer)
    client.post(reverse("reports:booklet"), {"language": "en"})
    made = Booklet.objects.get()
    response = client.get(reverse("reports:booklet_file", args=[made.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="direktori-cbo-seremban-en.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_the_build_reports_each_stage_in_order(personas, monkeypatch):
    require_weasyprint()
    seen = []
    monkeypatch.setattr(
        builds.SavedProgress,
        "__call__",
        lambda self, stage, done=0, total=0: seen.append(stage),
    )
    queued = Booklet.objects.create(district=personas.district, language="ms", fingerprint="x")
    builds.run_queued(queued.pk)
    order = [stage for n, stage in enumerate(seen) if stage not in seen[:n]]
    assert order == [layout.READING, layout.ENTRIES, layout.LAYOUT, layout.WRITING]
    queued.refresh_from_db()
    assert queued.status == Booklet.Status.DONE and queued.fingerprint != "x"


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_a_failed_build_says_so_and_offers_to_try_again(client, personas, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(layout, "make_pdf", broken)
    queued = Booklet.objects.create(district=personas.district, language="ms", fingerprint="x")
    with pytest.raises(RuntimeError):
        builds.run_queued(queued.pk)
    queued.refresh_from_db()
    assert queued.status == Booklet.Status.FAILED and "no fonts" in queued.error
    sign_in(client, personas.district_officer)
    page = client.get(reverse("reports:booklet_status", args=[queued.pk])).content.decode()
    assert 'role="alert"' in page
    assert f'action="{reverse("reports:booklet")}"' in page and 'value="ms"' in page
    assert "hx-trigger" not in page


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_the_status_page_shows_progress_and_polls_until_done(client, personas):
    running = Booklet.objects.create(
        district=personas.district,
        language="ms",
        fingerprint="x",
        status=Booklet.Status.RUNNING,
        stage=layout.ENTRIES,
        done=5,
        total=10,
    )
    sign_in(client, personas.district_officer)
    url = reverse("reports:booklet_status", args=[running.pk])
    page = client.get(url).content.decode()
    assert '<progress aria-label="' in page and 'max="10" value="5"' in page
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 3s"' in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="booklet-progress"') and "<html" not in fragment

    running.status, running.pages, running.stage = Booklet.Status.DONE, 12, ""
    running.file.save("x.pdf", ContentFile(b"%PDF-1.7 test"))
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert reverse("reports:booklet_file", args=[running.pk]) in done
    assert "12" in done and "hx-trigger" not in done


@pytest.mark.django_db
def test_a_build_that_never_finished_counts_as_failed(client, personas):
    stuck = Booklet.objects.create(
        district=personas.district,
        language="ms",
        fingerprint="x",
        status=Booklet.Status.QUEUED,
        created_at=timezone.now() - timedelta(hours=2),
    )
    sign_in(client, personas.district_officer)
    page = client.get(reverse("reports:booklet_status", args=[stuck.pk])).content.decode()
    assert 'role="alert"' in page and "hx-trigger" not in page


@pytest.mark.django_db
def test_a_district_officer_prints_only_their_district(client, personas):
    sign_in(client, personas.district_officer)
    page = client.get(reverse("reports:booklet")).content.decode()
    assert 'name="district"' not in page and "Seremban" in page
    port_dickson = District.objects.get(slug="port-dickson")
    client.post(reverse("reports:booklet"), {"district": port_dickson.pk, "language": "ms"})
    assert Booklet.objects.get().district == personas.district


@pytest.mark.django_db
def test_a_ministry_admin_chooses_the_district(client, personas):
    sign_in(client, personas.ministry_admin)
    page = client.get(reverse("reports:booklet")).content.decode()
    assert 'name="district"' in page
    port_dickson = District.objects.get(slug="port-dickson")
    response = client.post(
        reverse("reports:booklet"), {"district": port_dickson.pk, "language": "en"}
    )
    made = Booklet.objects.get()
    assert (made.district, made.language, made.status) == (port_dickson, "en", "queued")
    assert response["Location"] == reverse("reports:booklet_status", args=[made.pk])


@pytest.mark.django_db
@pytest.mark.usefixtures("on_commit_at_once", "media")
def test_a_cbo_head_downloads_the_booklet_of_their_district(client, personas):
    """The booklet is for CBO heads to carry: My account leads a head to it, and the head gets
    their CBO's district's booklet (the public directory only), never another district's."""
    require_weasyprint()
    sign_in(client, personas.cbo_head)
    home = client.get(reverse("pages:home")).content.decode()
    assert f'href="{reverse("reports:booklet")}"' in home
    page = client.get(reverse("reports:booklet"))
    assert page.status_code == 200
    assert 'name="district"' not in page.content.decode()
    assert "Daerah: Seremban" in page.content.decode()

    port_dickson = District.objects.get(slug="port-dickson")
    asked = client.post(reverse("reports:booklet"), {"district": port_dickson.pk, "language": "ms"})
    made = Booklet.objects.get()
    assert (made.district, made.language, made.status) == (personas.district, "ms", "done")
    assert made.requested_by == personas.cbo_head.user
    assert asked["Location"] == reverse("reports:booklet_status", args=[made.pk])
    status = client.get(asked["Location"]).content.decode()
    download = reverse("reports:booklet_file", args=[made.pk])
    assert download in status
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="direktori-cbo-seremban-ms.pdf"' in response["Content-Disposition"]
    text = " ".join(page_texts(b"".join(response.streaming_content)))
    assert "Seremban" in text and personas.cbo.organization.name in text


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_a_cbo_head_of_another_district_gets_only_that_district(client, personas):
    elsewhere = CboProfileFactory(district=District.objects.get(slug="port-dickson"))
    head = Membership.objects.create(
        user=personas.outsider.user, role=Role.CBO_HEAD, organization=elsewhere.organization
    )
    seremban_booklet = Booklet.objects.create(
        district=personas.district, language="ms", fingerprint="x", status="done", pages=1
    )
    seremban_booklet.file.save("x.pdf", ContentFile(b"%PDF-1.7 test"))
    sign_in(client, personas.outsider)
    assert head.district is None  # the CBO's listing says where it is
    page = client.get(reverse("reports:booklet")).content.decode()
    assert "Daerah: Port Dickson" in page
    assert reverse("reports:booklet_file", args=[seremban_booklet.pk]) not in page
    for name in ("reports:booklet_status", "reports:booklet_file"):
        assert client.get(reverse(name, args=[seremban_booklet.pk])).status_code == 404
    assert not builds.may_print(head, personas.district)
    assert builds.may_print(head, elsewhere.district)


@pytest.mark.django_db
def test_a_state_officer_chooses_a_district_of_its_state_only(client, personas):
    """Offered its state's districts; another state's is refused by the form, and nothing is
    queued."""
    alor_gajah = District.objects.get(
        state=personas.other_state_officer.membership.state, slug="alor-gajah"
    )
    sign_in(client, personas.state_officer)
    page = client.get(reverse("reports:booklet")).content.decode()
    assert 'name="district"' in page and "Port Dickson" in page and "Alor Gajah" not in page
    response = client.post(
        reverse("reports:booklet"), {"district": alor_gajah.pk, "language": "ms"}
    )
    assert response.status_code == 200 and not Booklet.objects.exists()
    port_dickson = District.objects.get(slug="port-dickson")
    response = client.post(
        reverse("reports:booklet"), {"district": port_dickson.pk, "language": "ms"}
    )
    made = Booklet.objects.get()
    assert made.district == port_dickson
    assert response["Location"] == reverse("reports:booklet_status", args=[made.pk])


# --- who may use the pages -------------------------------------------------------------------

# The CBO heads' CBOs are in Seremban, as the booklet is; the other officer's in Port Dickson.
PRINTERS = {
    "ministry_admin": 200,
    "district_officer": 200,
    "other_district_officer": 200,
    "state_officer": 200,
    "other_state_officer": 200,
    "cbo_head": 200,
    "other_cbo_head": 200,
}
# Seremban's booklet: its district's officer and CBO heads, its state's officer and the
# ministry see it.
OWN_DISTRICT = {**PRINTERS, "other_district_officer": 404, "other_state_officer": 404}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [*PERSONAS, "anonymous"])
def test_who_may_open_the_booklet_pages(client, personas, persona, media):
    done = Booklet.objects.create(
        district=personas.district,
        language="ms",
        fingerprint="x",
        status=Booklet.Status.DONE,
        pages=1,
    )
    done.file.save("x.pdf", ContentFile(b"%PDF-1.7 test"))
    sign_in(client, getattr(personas, persona, None))
    pages = [
        (reverse("reports:booklet"), PRINTERS),
        (reverse("reports:booklet_status", args=[done.pk]), OWN_DISTRICT),
        (reverse("reports:booklet_file", args=[done.pk]), OWN_DISTRICT),
    ]
    for url, allowed in pages:
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302
            assert reverse("accounts:sign_in") in response["Location"]
        else:
            assert response.status_code == allowed.get(persona, 403), (url, persona)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cbo_member", "agency_focal_point", "outsider", "anonymous"])
def test_others_cannot_ask_for_a_booklet(client, personas, persona):
    sign_in(client, getattr(personas, persona, None))
    response = client.post(reverse("reports:booklet"), {"language": "ms"})
    assert response.status_code in (302, 403)
    assert not Booklet.objects.exists()


# --- the command -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_district_or_language(tmp_path):
    with pytest.raises(CommandError, match="Mordor"):
        call_command("booklet", "--district", "Mordor", str(tmp_path / "out.pdf"))
    with pytest.raises(CommandError, match="fr"):
        call_command("booklet", "--district", "Seremban", "--lang", "fr", str(tmp_path / "o.pdf"))
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_the_command_writes_the_pdf_and_reports_progress(tmp_path):
    require_weasyprint()
    small_directory(1)
    out, err = tmp_path / "seremban.pdf", io.StringIO()
    call_command("booklet", "--district", "seremban", "--lang", "ms", str(out), stderr=err)
    assert out.read_bytes().startswith(b"%PDF")
    lines = err.getvalue().splitlines()
    assert len(lines) >= 4 and lines[-1].startswith(str(out))
    assert "Siti Aminah binti Hassan" in " ".join(page_texts(out.read_bytes()))
    # Its copy and the one kept for the site are their owner's only (a head's phone is in it).
    kept = Path(Booklet.objects.get().file.path)
    assert [stat.S_IMODE(p.stat().st_mode) for p in (out, kept, kept.parent)] == [
        0o600,
        0o600,
        0o700,
    ]


# --- the hotlines page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_office_line_prints_the_office_own_numbers_only(personas):
    office = personas.agency  # Pejabat Kebajikan Masyarakat Daerah Seremban
    place = office.locations.get()
    service = ServiceFactory(organization=office)
    at_place = ServiceAtLocation.objects.create(service=service, location=place)
    Phone.objects.create(organization=office, number="+6067621111", description="Kaunter")
    Phone.objects.create(organization=office, service=service, number="+6067622222")
    Phone.objects.create(organization=office, service_at_location=at_place, number="+6067623333")
    line = layout._office_line(welfare_office(personas.district))
    assert line.numbers == ["06-762 1111"]
    assert "06-762 1111: Kaunter" in line.note


@pytest.mark.django_db
def test_the_national_hotlines_come_from_the_settings(settings):
    settings.SANTUNI = {
        **settings.SANTUNI,
        "EMERGENCY": {
            **settings.SANTUNI["EMERGENCY"],
            "wao": "+60312345678",
            "tina_whatsapp": "+60123456789",
            "jkm_hq": "+60387654321",
        },
    }
    with translation.override("en"):
        shown = {line.name: line.numbers for line in layout._hotlines()}
    assert shown["Women's Aid Organisation (WAO)"] == ["03-1234 5678", "TINA WhatsApp 012-345 6789"]
    assert shown["JKM headquarters"] == ["03-8765 4321"]


# --- the deploy check --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://127.0.0.1:8000", True),
        ("https://localhost", True),
        ("https://[::1]:8443", True),
        ("http://santuni.example.my", True),
        ("https://santuni.example.my", False),
        ("https://santuni.example.my/", False),
    ],
)
def test_the_deploy_check_asks_for_a_public_https_base_url(settings, url, warned):
    settings.SANTUNI = {**settings.SANTUNI, "BASE_URL": url}
    deploy = [m for m in run_checks(include_deployment_checks=True) if m.id == "santuni.W002"]
    assert bool(deploy) == warned
    if warned:
        assert "SANTUNI_BASE_URL" in deploy[0].hint
    # Only `check --deploy` asks: a local checkout runs without it.
    assert not [m for m in run_checks() if m.id == "santuni.W002"]
