"""The world the access tests work in: every persona, and a row of every kind that a URL names
or the admin lists, made once per test module and rolled back after it.

Building it takes longer than a request, so a module builds it once (`kept_world`) and each
test runs in a savepoint inside it (pytest-django's `db`), which undoes what the test wrote.
"""

import uuid
from contextlib import contextmanager
from datetime import date
from datetime import time as clock
from types import SimpleNamespace

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_tasks_db.models import DBTaskResult, get_date_max

from santuni.accounts.models import Role
from santuni.accounts.services import invitation_send
from santuni.accounts.tests.personas import PERSONAS, make_personas, make_user, sign_in
from santuni.cases.models import PublicHoliday
from santuni.cases.services.cases import attachment_add, case_note_add
from santuni.cases.tests.factories import jkm_service, make_case, make_referral
from santuni.directory.models import (
    Contact,
    Phone,
    Program,
    Schedule,
    ServiceArea,
    ServiceAtLocation,
)
from santuni.directory.tests.factories import ServiceFactory
from santuni.listings.services import listing_change_submit
from santuni.reports.models import Booklet
from santuni.search.models import SynonymFamily
from santuni.training.tests.factories import AttendanceFactory, EventFactory

# What the world's attachment and booklet files hold, and a recovery code of its own.
ATTACHMENT_BYTES = b"%PDF-1.4 surat sampel"
BOOKLET_BYTES = b"%PDF-1.7 buku kecil sampel"
RECOVERY_CODE = "rahsia12"


def build_world() -> SimpleNamespace:
    """Made through the domain functions where there is one, as users would make it."""
    p = make_personas()
    # The cases app's world (santuni.cases.tests.test_access): the CBO member of p.cbo opened
    # the case, the head referred it to the agency's JKM service.
    case = make_case(p.cbo_member)
    jkm = jkm_service(p)
    referral = make_referral(p.cbo_head, case, jkm)
    attachment = attachment_add(
        actor=p.cbo_member.membership,
        case_id=case.pk,
        upload=SimpleUploadedFile("surat.pdf", ATTACHMENT_BYTES, content_type="application/pdf"),
    )
    note = case_note_add(
        actor=p.cbo_member.membership,
        case_id=case.pk,
        text="Nota sulit tentang klien.",
        submission_key=uuid.uuid4(),
    )
    # The accounts app's world (santuni.accounts.tests.test_access).
    service = ServiceFactory(
        organization=p.cbo.organization, name="Kelas mengaji OKU", terms=["mangsa-krt"]
    )
    change = listing_change_submit(
        actor=p.cbo_head.membership,
        organization=p.cbo.organization,
        values={"email": "baru@example.invalid"},
    ).change
    # The training app's world (santuni.training.tests.test_pages).
    event = EventFactory(name="Kursus Ketua CBO Rasah")
    attendance = AttendanceFactory(
        event=event, organization=p.cbo.organization, name="Halimah binti Yusuf"
    )
    booklet = Booklet.objects.create(
        district=p.district,
        language="ms",
        fingerprint="sampel",
        status=Booklet.Status.DONE,
        pages=1,
        finished_at=timezone.now(),
    )
    booklet.file.save("sampel.pdf", ContentFile(BOOKLET_BYTES))
    # The CBO head invites a member: the invitation is the head's to cancel.
    invitation, _link = invitation_send(
        actor=p.cbo_head.membership,
        email="ahli.baru@example.invalid",
        role=Role.CBO_MEMBER,
        name="Ahli Baru",
    )
    # Someone who forgot their password and never signs in here: the link stays good.
    forgetful, _device = make_user("lupa@example.invalid", "Pengguna Lupa")
    world = SimpleNamespace(
        p=p,
        case=case,
        referral=referral,
        attachment=attachment,
        note=note,
        jkm=jkm,
        service=service,
        change=change,
        event=event,
        attendance=attendance,
        booklet=booklet,
        invitation=invitation,
        reset=(
            urlsafe_base64_encode(force_bytes(forgetful.pk)),
            default_token_generator.make_token(forgetful),
        ),
    )
    _admin_rows(world)
    return world


def _admin_rows(w) -> None:
    """A row for every table the admin lists that the rest of the world leaves empty."""
    p = w.p
    location = p.agency.locations.get()
    Group.objects.create(name="Pegawai sampel")
    Program.objects.create(organization=p.agency, name="Program Sampel", description="Untuk ujian.")
    Phone.objects.create(organization=p.agency, number="+6067628899")
    Schedule.objects.create(
        service=w.jkm, byday="MO,TU,WE,TH,FR", opens_at=clock(8), closes_at=clock(17)
    )
    Contact.objects.create(organization=p.agency, name="Kaunter JKM")
    ServiceArea.objects.create(service=w.jkm, district=p.district)
    ServiceAtLocation.objects.create(service=w.jkm, location=location)
    SynonymFamily.objects.create(members="warga emas, orang tua")
    PublicHoliday.objects.create(date=date(2026, 8, 31), name="Hari Kebangsaan")
    DBTaskResult.objects.create(
        args_kwargs={"args": [str(w.booklet.pk)], "kwargs": {}},
        task_path="santuni.reports.booklet.builds.build_booklet",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),  # as the database backend stores "no time set"
        exception_class_path="",
        traceback="",
    )
    # Recovery codes, of a persona who has an authenticator too (a CBO head has none: a device
    # would ask them for a second factor).
    device = StaticDevice.objects.create(
        user=p.district_officer.user, name="recovery", confirmed=True
    )
    StaticToken.objects.create(device=device, token=RECOVERY_CODE)
    who = {"user_agent": "Ujian", "ip_address": "192.0.2.1", "username": "salah@example.invalid"}
    who |= {"http_accept": "text/html", "path_info": "/akaun/masuk"}
    AccessAttempt.objects.create(**who, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**who)
    AccessLog.objects.create(**who)


def signed_in_sessions(p) -> dict[str, str]:
    """Each persona's session key, signed in (both factors) as `sign_in` does. The sessions
    outlive the tests' savepoints, so a test need not sign in again: signing in is slower
    than most requests."""
    return {
        name: sign_in(Client(), getattr(p, name)).cookies[settings.SESSION_COOKIE_NAME].value
        for name in PERSONAS
    }


def client_as(world, who: str) -> Client:
    """A fresh client with the persona's session, or a visitor's (`anonymous`)."""
    client = Client()
    if who in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
    return client


@contextmanager
def kept_world(django_db_blocker, media_root):
    """The world, alive while the module's tests run, and undone after the last."""
    with (
        django_db_blocker.unblock(),
        # The sessions are made once for the module: a slow run must not find the last
        # password check (REAUTH_SECONDS) too old for the dangerous pages.
        override_settings(
            MEDIA_ROOT=media_root, SANTUNI={**settings.SANTUNI, "REAUTH_SECONDS": 3600}
        ),
        transaction.atomic(),
    ):
        world = build_world()
        world.sessions = signed_in_sessions(world.p)
        world.tables = {}  # what the tests build from the world, kept with it
        yield world
        transaction.set_rollback(True)


# --- what a refused request must leave as it was ---------------------------------------------

# Signing in and every request renew a session row; nothing else changes on a refusal.
UNWATCHED = {"sessions.Session"}


def _tables():
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.label not in UNWATCHED
    ]


def row_counts() -> dict[str, int]:
    """How many rows every table holds, in one query (cheap enough after every request)."""
    tables = _tables()
    quote = connection.ops.quote_name
    # The table names are the models' own, quoted: nothing here comes from a request.
    counts = [f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in tables]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts))
        return dict(zip((m._meta.label for m in tables), cursor.fetchone(), strict=True))


def snapshot() -> dict[str, list]:
    """Every row of every table as stored: a write of any kind shows as a difference. Read
    with plain SQL, which is ten times faster than through the models (no decrypting)."""
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for m in _tables():
            table, pk = quote(m._meta.db_table), quote(m._meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608 (as above)
            rows[m._meta.label] = cursor.fetchall()
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])
