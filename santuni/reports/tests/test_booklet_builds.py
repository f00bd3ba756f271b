"""Builds of the printed booklet: one at a time, given up when their worker dies, reused or
pruned, their progress saved; who may ask for one; and the background task, found where
queued rows name it."""

import importlib
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.management.base import OutputWrapper
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_tasks_db.models import DBTaskResult, get_date_max

from santuni.accounts.tests.personas import sign_in
from santuni.audit.models import AuditEntry
from santuni.geo.models import District
from santuni.reports.booklet import builds, layout
from santuni.reports.management.commands.booklet import StderrProgress
from santuni.reports.models import Booklet

pytestmark = pytest.mark.django_db


# --- a build that dies, one build at a time ---------------------------------------------------


@pytest.fixture
def quick_pdf(monkeypatch):
    """make_pdf without WeasyPrint: a stand-in PDF of three pages; returns the HTML laid out."""
    laid_out = []

    def stand_in(html, progress=layout.no_progress):
        laid_out.append(html)
        progress(layout.LAYOUT, 1, 0)
        progress(layout.WRITING, 0, 0)
        return b"%PDF-1.7 stand-in", 3

    monkeypatch.setattr(layout, "make_pdf", stand_in)
    return laid_out


def current_fingerprint(district, language="ms") -> str:
    return layout.prepare(district, language).fingerprint


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
@pytest.mark.parametrize("death", [KeyboardInterrupt, SystemExit, MemoryError])
def test_a_worker_that_dies_midway_leaves_a_failed_row(personas, monkeypatch, death):
    def dies(*args, **kwargs):
        raise death()

    monkeypatch.setattr(layout, "make_pdf", dies)
    queued = Booklet.objects.create(district=personas.district, language="ms", fingerprint="x")
    with pytest.raises(death):
        builds.run_queued(queued.pk)
    queued.refresh_from_db()
    assert queued.status == Booklet.Status.FAILED and death.__name__ in queued.error
    with pytest.raises(death):
        builds.build(district=personas.district, language="en")
    assert Booklet.objects.get(language="en").status == Booklet.Status.FAILED


@pytest.mark.django_db
def test_a_booklet_that_could_not_be_queued_is_failed_not_waited_for(
    personas, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionError("the task table is gone")

    monkeypatch.setattr(builds, "build_booklet", SimpleNamespace(enqueue=broken))
    actor = personas.district_officer.membership
    with (
        pytest.raises(ConnectionError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        builds.booklet_request(actor=actor, district=personas.district, language="ms")
    assert Booklet.objects.get().status == Booklet.Status.FAILED
    monkeypatch.undo()
    again = builds.booklet_request(actor=actor, district=personas.district, language="ms")
    assert not again.reused and again.booklet.status == Booklet.Status.QUEUED


@pytest.mark.django_db
def test_a_running_build_whose_progress_stopped_is_given_up_and_replaced(client, personas):
    quiet_since = timezone.now() - timedelta(minutes=6)  # well within the 30 minutes of old
    dead = Booklet.objects.create(
        district=personas.district,
        language="ms",
        fingerprint=current_fingerprint(personas.district),
        status=Booklet.Status.RUNNING,
        stage=layout.LAYOUT,
        created_at=quiet_since,
        updated_at=quiet_since,
    )
    sign_in(client, personas.district_officer)
    page = client.get(reverse("reports:booklet_status", args=[dead.pk])).content.decode()
    assert 'role="alert"' in page and "hx-trigger" not in page
    assert f'action="{reverse("reports:booklet")}"' in page  # Try again

    response = client.post(reverse("reports:booklet"), {"language": "ms"})
    new = Booklet.objects.exclude(pk=dead.pk).get()
    assert response["Location"] == reverse("reports:booklet_status", args=[new.pk])
    assert new.status == Booklet.Status.QUEUED
    dead.refresh_from_db()
    assert dead.status == Booklet.Status.FAILED


@pytest.mark.django_db
def test_a_long_build_that_keeps_reporting_progress_is_waited_for(client, personas):
    long_ago = timezone.now() - timedelta(hours=1)
    running = Booklet.objects.create(
        district=personas.district,
        language="ms",
        fingerprint=current_fingerprint(personas.district),
        status=Booklet.Status.RUNNING,
        created_at=long_ago,
        updated_at=long_ago,
    )
    builds.SavedProgress(running)(layout.LAYOUT, 40, 0)  # a page laid out just now
    sign_in(client, personas.district_officer)
    page = client.get(reverse("reports:booklet_status", args=[running.pk])).content.decode()
    assert 'role="alert"' not in page and 'hx-trigger="every 3s"' in page
    response = client.post(reverse("reports:booklet"), {"language": "ms"})
    assert response["Location"] == reverse("reports:booklet_status", args=[running.pk])
    assert Booklet.objects.count() == 1


@pytest.mark.django_db
def test_the_status_page_and_the_requests_judge_a_dead_build_alike(personas):
    now = timezone.now()
    rows = {}
    for status, created, updated in [
        ("queued", 29, 29),
        ("queued", 31, 0),
        ("running", 31, 4),
        ("running", 1, 6),
        ("done", 120, 120),
        ("failed", 120, 120),
    ]:
        rows[(status, created, updated)] = Booklet.objects.create(
            district=personas.district,
            language="ms",
            fingerprint=f"{status}-{created}-{updated}",
            status=status,
            created_at=now - timedelta(minutes=created),
            updated_at=now - timedelta(minutes=updated),
        )
    by_query = set(Booklet.objects.filter(builds.stale_rows(now)).values_list("pk", flat=True))
    by_row = {b.pk for b in rows.values() if builds.is_stale(b, now)}
    assert by_query == by_row == {rows[("queued", 31, 0)].pk, rows[("running", 1, 6)].pk}


@pytest.mark.django_db
def test_two_builds_of_the_same_booklet_cannot_be_under_way(personas):
    key = {"district": personas.district, "language": "ms", "fingerprint": "same"}
    Booklet.objects.create(**key, status=Booklet.Status.QUEUED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booklet.objects.create(**key, status=Booklet.Status.RUNNING)
    # Finished and failed ones may be many.
    Booklet.objects.create(**key, status=Booklet.Status.DONE)
    Booklet.objects.create(**key, status=Booklet.Status.FAILED)
    Booklet.objects.create(**key, status=Booklet.Status.FAILED)


@pytest.mark.django_db
def test_a_request_at_the_same_time_joins_the_build_under_way(personas, monkeypatch):
    enqueued = []
    monkeypatch.setattr(builds, "build_booklet", SimpleNamespace(enqueue=enqueued.append))
    first = Booklet.objects.create(
        district=personas.district,
        language="ms",
        fingerprint=current_fingerprint(personas.district),
    )
    asked = builds.booklet_request(
        actor=personas.ministry_admin.membership, district=personas.district, language="ms"
    )
    assert asked.reused and asked.booklet == first
    assert Booklet.objects.count() == 1 and not enqueued


# --- who may ask, and the audit trail ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("ministry_admin", True),
        ("district_officer", True),
        ("other_district_officer", False),
        # Negeri Sembilan's state officer prints its districts' booklets; Melaka's does not.
        ("state_officer", True),
        ("other_state_officer", False),
        ("agency_focal_point", False),
        ("cbo_head", True),
        ("cbo_member", False),
        ("outsider", False),
    ],
)
def test_only_an_officer_of_the_district_or_its_state_or_a_cbo_head_may_ask_for_its_booklet(
    personas, persona, allowed
):
    actor = getattr(personas, persona).membership

    def ask():
        return builds.booklet_request(actor=actor, district=personas.district, language="ms")

    if not allowed:
        with pytest.raises(PermissionDenied):
            ask()
        assert not Booklet.objects.exists() and not AuditEntry.objects.exists()
        return
    asked = ask()
    entry = AuditEntry.objects.get(action="booklet.requested")
    assert entry.membership == actor and entry.object_id == str(asked.booklet.pk)
    assert entry.changes == {"district": str(personas.district.pk), "language": "ms"}


# --- the request page is cheap ----------------------------------------------------------------


def finished_booklet(district, language="ms", *, days_ago=0, pages=4, name="b.pdf") -> Booklet:
    at = timezone.now() - timedelta(days=days_ago)
    made = Booklet.objects.create(
        district=district,
        language=language,
        fingerprint=f"{district.pk}-{language}-{days_ago}",
        status=Booklet.Status.DONE,
        pages=pages,
        created_at=at,
        finished_at=at,
    )
    made.file.save(name, ContentFile(b"%PDF-1.7 test"))
    return made


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
# (One of them counts the unread notifications in the header, as on every signed-in page.)
@pytest.mark.parametrize(
    ("persona", "queries"), [("district_officer", 9), ("ministry_admin", 10), ("cbo_head", 10)]
)
def test_the_request_page_lists_the_latest_booklets_without_reading_the_directory(
    client, personas, monkeypatch, django_assert_num_queries, persona, queries
):
    def unread(*args, **kwargs):
        raise AssertionError("the page read the directory")

    monkeypatch.setattr(layout, "prepare", unread)
    port_dickson = District.objects.get(slug="port-dickson")
    older = finished_booklet(personas.district, days_ago=3)
    newest = finished_booklet(personas.district, days_ago=1, pages=6)
    english = finished_booklet(personas.district, "en", days_ago=2)
    elsewhere = finished_booklet(port_dickson)
    sign_in(client, getattr(personas, persona))
    client.get(reverse("reports:booklet"))  # the session, read once
    with django_assert_num_queries(queries):
        page = client.get(reverse("reports:booklet")).content.decode()
    link = reverse("reports:booklet_file", args=[newest.pk])
    assert link in page and "6 halaman" in page
    with translation.override("ms"):
        assert formats.date_format(timezone.localtime(newest.finished_at), "j F Y H:i") in page
    assert reverse("reports:booklet_file", args=[english.pk]) in page
    # Only the newest of a district and language is offered.
    assert reverse("reports:booklet_file", args=[older.pk]) not in page
    shown_elsewhere = reverse("reports:booklet_file", args=[elsewhere.pk]) in page
    assert shown_elsewhere == (persona == "ministry_admin")

    # More booklets, the same queries.
    for n in range(4):
        finished_booklet(District.objects.exclude(pk=personas.district.pk)[n], "en")
    with django_assert_num_queries(queries):
        client.get(reverse("reports:booklet"))


# --- older booklets pruned, a missing file ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("quick_pdf")
def test_a_finished_booklet_replaces_the_older_ones_of_its_district_and_language(personas, media):
    old = finished_booklet(personas.district, days_ago=5, name="old.pdf")
    english = finished_booklet(personas.district, "en", days_ago=5, name="en.pdf")
    other = finished_booklet(District.objects.get(slug="port-dickson"), days_ago=5, name="pd.pdf")
    old_file = media / old.file.name
    assert old_file.exists()

    new = builds.build(district=personas.district, language="ms")
    assert new.status == Booklet.Status.DONE and (media / new.file.name).exists()
    assert not Booklet.objects.filter(pk=old.pk).exists() and not old_file.exists()
    for kept in (english, other):
        assert Booklet.objects.filter(pk=kept.pk).exists() and (media / kept.file.name).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("quick_pdf")
def test_a_booklet_sharing_the_file_of_the_one_it_replaces_keeps_it(personas, media):
    first = builds.build(district=personas.district, language="ms")
    # Asked for while the data was different, run when it was the same again.
    queued = Booklet.objects.create(district=personas.district, language="ms", fingerprint="y")
    builds.run_queued(queued.pk)
    queued.refresh_from_db()
    assert queued.status == Booklet.Status.DONE and queued.file.name == first.file.name
    assert not Booklet.objects.filter(pk=first.pk).exists()
    assert (media / queued.file.name).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_a_booklet_whose_file_is_gone_is_not_offered(client, personas):
    gone = finished_booklet(personas.district)
    gone.file.delete(save=False)
    gone.file.name = "booklets/gone.pdf"
    gone.save()
    sign_in(client, personas.district_officer)
    link = reverse("reports:booklet_file", args=[gone.pk])
    assert link not in client.get(reverse("reports:booklet")).content.decode()
    status = client.get(reverse("reports:booklet_status", args=[gone.pk])).content.decode()
    assert link not in status and 'role="alert"' in status
    assert f'action="{reverse("reports:booklet")}"' in status
    response = client.get(link)
    assert response.status_code == 404
    assert "Buku kecil ini tidak lagi disimpan" in response.content.decode()


# --- progress -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_is_written_at_each_stage_and_then_held_back(personas):
    long_ago = timezone.now() - timedelta(hours=1)
    running = Booklet.objects.create(
        district=personas.district,
        language="ms",
        fingerprint="x",
        status=Booklet.Status.RUNNING,
        updated_at=long_ago,
    )
    stream = io.StringIO()
    saved = builds.SavedProgress(running, every=60)
    printed = StderrProgress(OutputWrapper(stream), every=60)
    for progress in (saved, printed):
        progress(layout.ENTRIES, 25, 100)
        progress(layout.ENTRIES, 50, 100)  # within a minute of the last: held back
        progress(layout.LAYOUT, 1, 0)
    running.refresh_from_db()
    assert (running.stage, running.done) == (layout.LAYOUT, 1)
    assert running.updated_at > long_ago
    assert len(stream.getvalue().splitlines()) == 2


# --- the background task --------------------------------------------------------------------------

TASK_PATH = "santuni.reports.booklet.builds.build_booklet"
moving = importlib.import_module("santuni.reports.migrations.0003_booklet_task_path")


def task_row(task_path: str, status: str = "READY") -> DBTaskResult:
    """A row as the database backend stores an enqueued task."""
    return DBTaskResult.objects.create(
        args_kwargs={"args": ["00000000-0000-0000-0000-000000000000"], "kwargs": {}},
        task_path=task_path,
        status=status,
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )


def test_the_booklet_task_is_stored_and_found_at_its_documented_path():
    assert builds.build_booklet.module_path == TASK_PATH
    # What the worker does with a row it takes.
    found = task_row(TASK_PATH).task
    assert found.func is builds.build_booklet.func


def test_builds_queued_under_the_old_path_wait_for_the_task_at_the_new_one():
    assert moving.NEW == TASK_PATH
    waiting = task_row(moving.OLD)
    done = task_row(moving.OLD, status="SUCCESSFUL")

    moving.forwards(apps, None)
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert waiting.task_path == TASK_PATH
    assert waiting.task.func is builds.build_booklet.func
    # A task that already ran keeps the path it ran under.
    assert done.task_path == moving.OLD

    moving.backwards(apps, None)
    waiting.refresh_from_db()
    assert waiting.task_path == moving.OLD
