"""A privacy scan: two people are recorded through the real forms (MyKad typed with and without
dashes), referred, noted and exported, by a CBO head, the JKM focal point and the district
officer; then every place data ends up is searched for their details. DESIGN.md: MyKad numbers
are encrypted at rest, and nothing personal is in the search index, an export of the
directory, a log line or a URL. Pages for people not allowed to see the person (other CBOs,
the public, error pages, dashboards) show none of it; pages for those who are show a MyKad
number only masked, except the person's own data export.

Complements santuni/cases/tests/test_privacy.py (each rule on its own, with data made by the
services): here one flow goes through the views, and the scan reads the sinks whole — the
database through `manage.py backup` (its raw bytes, free pages included), every logger at
DEBUG with the SQL and its parameters, the text messages and emails, every response, the
search index's tables and the HSDS export in each format. A confidential location's own words
(a shelter's description, directions, contacts) are scanned for in the same sinks, with the
pages, the API and the booklet, by santuni/tests/test_confidential_scan.py.
"""

import io
import logging
import subprocess
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from santuni.accounts.tests.personas import sign_in
from santuni.cases.models import Case, Client, Referral
from santuni.cases.tests.factories import CLIENT_NAME, CLIENT_PHONE, MYKAD, jkm_service
from santuni.directory import indexing
from santuni.directory.models import Organization, Service
from santuni.directory.tests.factories import ServiceFactory
from santuni.reports.dashboards.tables import REPORTS
from santuni.reports.models import Booklet

pytestmark = [
    # Committed, so that pg_dump (another process) sees it; the seed data comes back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("on_commit_at_once"),
]

# The MyKad numbers of the test data (cases/tests/factories.py, test_privacy.py), as typed.
MYKADS = (MYKAD, "900101051235")
OKU_CARD = "OKU-7788123"
OTHER_NAME, OTHER_PHONE = "Ahmad bin Contoh", "019-876 5432"
SITUATION = "Ibu tunggal, tiga anak, pendapatan RM900 sebulan."
OTHER_SITUATION = "Warga emas tinggal seorang, tidak dapat berjalan."
NOTE = "Nota sulit: bekas suami datang ke rumah semalam."
SUMMARY = "Perlu tempat selamat malam ini."


def mykad_forms(number: str) -> tuple[str, ...]:
    digits = number.replace("-", "")
    return (digits, f"{digits[:6]}-{digits[6:8]}-{digits[8:]}")


ENCRYPTED = tuple(form for number in MYKADS for form in mykad_forms(number)) + (OKU_CARD,)
# Each person: MyKad and OKU card, name, phone as stored and shown, address, their story.
FIRST = (*mykad_forms(MYKADS[0]), OKU_CARD, CLIENT_NAME)
FIRST += (CLIENT_PHONE[3:], "012-345 6789")  # 123456789: in +60123456789, wa.me/60123456789
FIRST += ("Jalan Sampel", SITUATION, NOTE, SUMMARY)
SECOND = (*mykad_forms(MYKADS[1]), OTHER_NAME, "198765432", "876 5432", "Kampung Contoh")
SECOND += (OTHER_SITUATION,)
PERSONAL = FIRST + SECOND
# What a page may not show, by who looks: nobody's details; only masked MyKad numbers (those
# who may see the person); the other CBO's head sees their own person, not the first.
HIDES = {"nothing": PERSONAL, "masked": ENCRYPTED[:-1], "their own": FIRST + ENCRYPTED[:-1]}


def found(data: bytes | str, needles=PERSONAL) -> list[str]:
    if isinstance(data, str):
        data = data.encode()
    return [n for n in needles if n.encode() in data]


def readable(data: bytes) -> bytes:
    """A response or file as bytes to search: XLSX and zip archives are unpacked."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return data


class Logs(logging.Handler):
    """Every record of every logger, at DEBUG, formatted with its traceback."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[tuple[str, str]] = []

    def emit(self, record):
        self.lines.append((record.name, self.format(record)))

    @contextmanager
    def everywhere(self):
        loggers = [logging.getLogger()] + [
            logger
            for logger in logging.root.manager.loggerDict.values()
            if isinstance(logger, logging.Logger)
        ]
        levels = {logger: logger.level for logger in loggers}
        for logger in loggers:
            logger.setLevel(logging.DEBUG)
        attached = [logging.getLogger()] + [logger for logger in loggers if not logger.propagate]
        for logger in attached:
            logger.addHandler(self)
        # Django logs each query with its parameters (django.db.backends) only when asked.
        connection.force_debug_cursor = True
        try:
            yield self
        finally:
            connection.force_debug_cursor = False
            for logger in attached:
                logger.removeHandler(self)
            for logger, level in levels.items():
                logger.setLevel(level)


class Browser:
    """The test client, keeping every response with who saw it and what it may show (HIDES);
    "export" is the person's own data, in full."""

    def __init__(self, client):
        self.client = client
        self.seen: list[tuple[str, str, str, object]] = []
        self.persona = "anonymous"

    def as_(self, personas, name: str | None):
        sign_in(self.client, getattr(personas, name) if name else None)
        if name is None:
            self.client.logout()
        self.persona = name or "anonymous"
        return self

    def get(self, url: str, shows: str = "nothing", **kwargs):
        return self._keep(url, shows, self.client.get(url, **kwargs))

    def post(self, url: str, data: dict, shows: str = "masked"):
        response = self._keep(url, shows, self.client.post(url, data))
        while response.status_code in (301, 302, 303) and response["Location"].startswith("/"):
            response = self.get(response["Location"], shows)
        return response

    def _keep(self, url, shows, response):
        self.seen.append((self.persona, url, shows, response))
        return response


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def case_form(**changes) -> dict:
    values = {
        "urgency": "high",
        "category": "financial",
        "situation": SITUATION,
        "name": CLIENT_NAME,
        "sex": "f",
        "mykad": MYKAD,
        "phone": "012-345 6789",
        "address": "No. 12, Jalan Sampel, Rasah",
        "household_size": "4",
        "household": "Tiga anak: 4, 7 dan 10 tahun",
        "oku_card": OKU_CARD,
        "consent_method": "written",
        "consent_purposes": ["record", "share", "contact"],
        "submission_key": str(uuid.uuid4()),
    }
    values.update(changes)
    return values


def the_flow(browser: Browser, personas) -> dict:
    """What the people do, through the pages; returns the ids the scan needs."""
    service = jkm_service(personas, description="Bantuan kewangan dan tempat selamat.")
    ServiceFactory(organization=personas.cbo.organization, name="Dapur Komuniti Rasah")
    indexing.rebuild()

    b = browser.as_(personas, "cbo_head")
    # Immediate danger: the agency is also sent a text message.
    page = b.post(reverse("cases:case_new") + "?tahap=immediate", case_form(urgency="immediate"))
    case_id = page.resolver_match.kwargs["case_id"]
    b.get(reverse("cases:case", args=[case_id]), "masked")
    b.get(reverse("cases:referral_new", args=[case_id]) + "?q=bantuan", "masked")
    b.post(
        reverse("cases:referral_new", args=[case_id]),
        {
            "service": service.pk,
            "mode": "live",
            "summary": SUMMARY,
            "submission_key": str(uuid.uuid4()),
            "send": "1",
        },
    )
    b.post(
        reverse("cases:case_note", args=[case_id]),
        {"text": NOTE, "submission_key": str(uuid.uuid4())},
    )
    b.get(reverse("cases:client_export", args=[case_id]), "export")
    b.get(reverse("cases:cases"), "masked")
    b.get(reverse("cases:referrals"), "masked")
    b.get(reverse("cases:notifications"), "masked")

    # The other CBO records a second person, MyKad typed without dashes.
    b = browser.as_(personas, "other_cbo_head")
    other = b.post(
        reverse("cases:case_new") + "?tahap=normal",
        case_form(
            urgency="normal",
            name=OTHER_NAME,
            sex="m",
            mykad=MYKADS[1],
            phone=OTHER_PHONE,
            address="Lot 5, Kampung Contoh",
            oku_card="",
            situation=OTHER_SITUATION,
        ),
        shows="their own",
    )
    other_case = other.resolver_match.kwargs["case_id"]
    # ... and cannot see the first (an error page), nor find it.
    b.get(reverse("cases:case", args=[case_id]))
    b.get(reverse("cases:cases"), "their own")
    b.get(reverse("cases:referrals"), "their own")

    referral = Referral.objects.get(case_id=case_id)
    b = browser.as_(personas, "agency_focal_point")
    b.get(reverse("cases:referrals"), "masked")
    for action, extra in (
        ("accept", {}),
        ("start", {}),
        ("complete", {"reason": "service_delivered"}),
    ):
        referral.refresh_from_db()
        page = reverse("cases:referral", args=[referral.pk])
        b.get(page, "masked")
        b.post(page, {"action": action, "version": referral.version, **extra})
    b.get(reverse("cases:case", args=[case_id]))  # the receiving side does not see the case

    b = browser.as_(personas, "district_officer")
    b.get(reverse("cases:case", args=[case_id]), "masked")
    b.get(reverse("cases:case", args=[other_case]), "masked")
    b.get(reverse("cases:dashboard"))
    b.get(reverse("reports:dashboard"))
    for slug, report in REPORTS.items():
        if personas.district_officer.membership.role in report.roles:
            for fmt in ("csv", "xlsx"):
                b.get(reverse("reports:export", kwargs={"table": slug, "fmt": fmt}))

    b = browser.as_(personas, "ministry_admin")
    b.get(reverse("accounts:audit"))
    b.get(reverse("reports:dashboard"))

    b = browser.as_(personas, "outsider")
    b.get(reverse("cases:case", args=[case_id]))
    b = browser.as_(personas, None)
    b.get(reverse("cases:case", args=[case_id]))
    b.get(reverse("cases:client_export", args=[case_id]))
    b.get(reverse("directory:home"))
    for words in ("bantuan", "Rasah"):
        b.get(reverse("directory:search") + f"?q={words}")
    for found_service in Service.objects.all():
        b.get(reverse("directory:service", args=[found_service.pk]))
    for organization in Organization.objects.all():
        b.get(reverse("pages:organization", args=[organization.pk]))
    for endpoint in ("services", "organizations", "service_at_locations", "taxonomy_terms"):
        b.get(f"/api/hsds/{endpoint}?per_page=100")
    for found_service in Service.objects.all():
        b.get(f"/api/hsds/services/{found_service.pk}")
    for organization in Organization.objects.all():
        b.get(f"/api/hsds/organizations/{organization.pk}")
    return {"case": case_id, "other_case": other_case}


def database_dump(tmp_path: Path) -> bytes:
    """The database as `manage.py backup` writes it; PostgreSQL's compressed archive is read
    back as SQL (pg_restore to a file) to be searched."""
    saved = tmp_path / "scan.backup"
    call_command("backup", str(saved), stdout=io.StringIO())
    if connection.vendor == "sqlite":
        return saved.read_bytes()
    from santuni.lib.backup import pg_environment, pg_tool

    tool = pg_tool("pg_restore", connection.pg_version)
    env = pg_environment(connection.settings_dict)
    return subprocess.run(  # noqa: S603 - our own tool and file
        [tool, "--file=-", str(saved)], env=env, capture_output=True, check=True
    ).stdout


def search_index_rows() -> bytes:
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("search_"):
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalogue)
                rows.extend(repr(row).encode() for row in cursor.fetchall())
    return b"\n".join(rows)


def hsds_exports(tmp_path: Path) -> dict[str, bytes]:
    out = {}
    for fmt, name in (("json", "hsds.json"), ("ndjson", "hsds.ndjson"), ("csv", "hsds.zip")):
        call_command("export_hsds", "--format", fmt, str(tmp_path / name), stderr=io.StringIO())
        out[fmt] = readable((tmp_path / name).read_bytes())
    return out


def test_no_mykad_or_other_personal_data_where_design_md_says_it_never_goes(
    client, personas, settings, tmp_path
):
    settings.SANTUNI = {
        **settings.SANTUNI,
        "MESSAGE_BACKEND": "santuni.cases.messaging.ConsoleBackend",
    }
    browser = Browser(client)
    with Logs().everywhere() as logs:
        made = the_flow(browser, personas)

    # The flow did what a scan needs: both people recorded, the referral finished, a message.
    people = Client.objects.order_by("name")
    assert [(p.name, p.mykad) for p in people] == [
        (OTHER_NAME, MYKADS[1]),
        (CLIENT_NAME, MYKAD.replace("-", "")),
    ]
    assert Case.objects.get(pk=made["case"]).notes.get().text == NOTE
    assert Referral.objects.get().status == Referral.Status.COMPLETED
    assert mail.outbox

    # (1) The database holds the MyKad and OKU card numbers only encrypted.
    dump = database_dump(tmp_path)
    assert found(dump, (CLIENT_NAME, OTHER_NAME, NOTE)) == [CLIENT_NAME, OTHER_NAME, NOTE]
    assert found(dump, ENCRYPTED) == []

    # (2) Logs: no line of any logger has a person's details. The SQL log (on for the scan)
    # carries the plain columns' values, but never a MyKad or OKU card number.
    names = {name for name, _line in logs.lines}
    assert {"django.db.backends", "django.request", "santuni.cases.messaging"} <= names
    for name, line in logs.lines:
        assert found(line, ENCRYPTED if name == "django.db.backends" else PERSONAL) == [], line
    # ... nor do the text messages (in the log above) and the emails.
    for message in mail.outbox:
        parts = [message.subject, message.body, *message.to]
        parts += [content for content, _type in getattr(message, "alternatives", [])]
        assert found("\n".join(parts)) == [], message.subject

    # (3) Responses. Every address and redirect; every page, by who may see what.
    assert len(browser.seen) > 60
    shown = dict.fromkeys([*HIDES, "export"], 0)
    for persona, url, shows, response in browser.seen:
        where = f"{persona} {url} ({response.status_code})"
        assert found(url) == [] and found(response.get("Location", "")) == [], where
        assert found(response.get("Content-Disposition", "")) == [], where
        content = readable(body(response))
        if shows != "export":
            assert found(content, HIDES[shows]) == [], where
        shown[shows] += CLIENT_NAME.encode() in content or OTHER_NAME.encode() in content
    # The scan read pages that do show the person (to who may see them), and the export.
    assert shown["nothing"] == 0 and shown["masked"] >= 5 and shown["export"] == 1
    refused = [r.status_code for p, u, s, r in browser.seen if s == "nothing" and "/kes/" in u]
    assert {403, 404} <= set(refused)

    # (4) The search index, (5) the directory's HSDS export in every format.
    # The index keeps words folded and stemmed: look for the people's words that way too.
    rows = search_index_rows().lower()
    assert b"dapur" in rows and b"komuniti" in rows  # the scan sees the index
    folded = ("rohani", "ahmad", "850315", "900101", "123456789", "198765432", "7788123")
    assert found(rows, tuple(n.lower() for n in PERSONAL) + folded) == []
    for fmt, exported in hsds_exports(tmp_path).items():
        assert b"Dapur Komuniti Rasah" in exported, fmt
        assert found(exported) == [], fmt


def test_the_printed_booklet_has_nobody_in_it(client, personas, settings, tmp_path):
    from santuni.reports.tests.test_booklet import page_texts, require_weasyprint

    require_weasyprint()
    settings.MEDIA_ROOT = tmp_path / "media"
    browser = Browser(client)
    browser.as_(personas, "cbo_head").post(reverse("cases:case_new") + "?tahap=high", case_form())
    b = browser.as_(personas, "district_officer")
    b.post(reverse("reports:booklet"), {"language": "ms"}, shows="nothing")
    made = Booklet.objects.get()
    pdf = body(b.get(reverse("reports:booklet_file", args=[made.pk])))
    texts = " ".join(page_texts(pdf))
    assert personas.cbo.organization.name in texts  # the scan reads the entries
    assert found(texts) == [] and found(pdf) == []
    for _persona, url, shows, response in browser.seen:
        if shows == "nothing":
            assert found(readable(body(response))) == [], url
