"""Builds of the printed booklet: requested by officers, run by the background worker or
the command, reused while the data is unchanged, given up when their worker dies.

The background task is `santuni.reports.booklet.builds.build_booklet`: django-tasks stores that
path in each queued row and the worker imports it from there, so it stays at this path
(migration 0003 moved the rows queued under its old one).
"""

import logging
import operator
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from santuni.accounts.models import Membership, Role
from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.directory.models import CboProfile
from santuni.geo.models import District

from ..models import Booklet
from . import layout

logger = logging.getLogger(__name__)

# A build queued this long without a worker taking it, or running this long without its
# progress moving, has died with its worker: it is not waited for (DIES_AFTER).
STALE_AFTER = timedelta(minutes=30)
SILENT_AFTER = timedelta(minutes=5)

# --- builds, reused while the data is unchanged ------------------------------------------------

IN_PROGRESS = (Booklet.Status.QUEUED, Booklet.Status.RUNNING)
# The one rule for a build that has died with its worker: a queued one no worker took within
# STALE_AFTER of the request, a running one whose progress has not moved for SILENT_AFTER.
DIES_AFTER = {
    Booklet.Status.QUEUED: ("created_at", STALE_AFTER),
    Booklet.Status.RUNNING: ("updated_at", SILENT_AFTER),
}


def is_stale(booklet: Booklet, now=None) -> bool:
    """Queued or running, but its worker has surely stopped: the build is not waited for."""
    rule = DIES_AFTER.get(booklet.status)
    if rule is None:
        return False
    since, limit = rule
    return getattr(booklet, since) < (now or timezone.now()) - limit


def stale_rows(now=None) -> Q:
    """The rows `is_stale` holds true of, as a filter."""
    now = now or timezone.now()
    return reduce(
        operator.or_,
        (
            Q(status=status, **{f"{since}__lt": now - limit})
            for status, (since, limit) in DIES_AFTER.items()
        ),
    )


def file_exists(booklet: Booklet) -> bool:
    return bool(booklet.file) and booklet.file.storage.exists(booklet.file.name)


def finished(district: District, language: str, fingerprint: str) -> Booklet | None:
    """A finished booklet of exactly this content, whose file is still there."""
    for booklet in Booklet.objects.filter(
        district=district, language=language, fingerprint=fingerprint, status=Booklet.Status.DONE
    ).order_by("-finished_at"):
        if file_exists(booklet):
            return booklet
    return None


def latest_finished(booklets, limit: int = 12) -> list[Booklet]:
    """The newest finished booklet of each district and language among `booklets` whose file
    is still there, newest first: what the download page offers, without reading the
    directory (whether one is up to date is found out when it is asked for)."""
    seen, found = set(), []
    for booklet in booklets.filter(status=Booklet.Status.DONE).order_by("-finished_at")[
        : limit * 2
    ]:
        key = (booklet.district_id, booklet.language)
        if key not in seen and file_exists(booklet):
            seen.add(key)
            found.append(booklet)
    return found[:limit]


class BuildUnderWay(Exception):
    """A booklet of the same content is being built by a worker now."""

    def __init__(self, booklet: Booklet):
        super().__init__(booklet.pk)
        self.booklet = booklet


class Throttled:
    """layout.Progress passed on at each new stage, and within one at most once every `every`
    seconds: an entry or a page at a time would be thousands of writes."""

    def __init__(self, every: float):
        self.every = every
        self.stage: str | None = None
        self.at = 0.0

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.at < self.every:
            return
        self.stage, self.at = stage, now
        self.report(stage, done, total)

    def report(self, stage: str, done: int, total: int) -> None:
        raise NotImplementedError


class SavedProgress(Throttled):
    """layout.Progress written to the booklet's row for its status page, at most twice a second;
    each write is also the build's sign of life (updated_at)."""

    def __init__(self, booklet: Booklet, every: float = 0.5):
        super().__init__(every)
        self.booklet_id = booklet.pk

    def report(self, stage: str, done: int, total: int) -> None:
        moved = Booklet.objects.filter(pk=self.booklet_id, status=Booklet.Status.RUNNING).update(
            stage=stage, done=done, total=total, updated_at=timezone.now()
        )
        if not moved:
            # Judged dead and replaced by a newer build (or removed): this one stops.
            raise RuntimeError(f"Booklet {self.booklet_id} is no longer being built.")


def _fail(booklet_id, exc: BaseException) -> None:
    """Marks a build that stopped (an error, or its process ending: KeyboardInterrupt,
    SystemExit) as failed at once, so that no request waits for it."""
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    try:
        Booklet.objects.filter(pk=booklet_id, status__in=IN_PROGRESS).update(
            status=Booklet.Status.FAILED, finished_at=now, updated_at=now, error=error[:200]
        )
    except Exception:
        logger.exception("Booklet %s: its failure could not be recorded", booklet_id)


def _prune(booklet: Booklet) -> None:
    """Deletes the older finished booklets of the district in the language, rows and files:
    only the newest is offered. A file a remaining row still uses is kept (a build that found
    its content already made shares that booklet's file)."""
    older = list(
        Booklet.objects.filter(
            Q(finished_at__lte=booklet.finished_at) | Q(finished_at__isnull=True),
            district_id=booklet.district_id,
            language=booklet.language,
            status=Booklet.Status.DONE,
        ).exclude(pk=booklet.pk)
    )
    if not older:
        return
    Booklet.objects.filter(pk__in=[old.pk for old in older]).delete()
    names = {old.file.name for old in older if old.file}
    used = set(Booklet.objects.filter(file__in=names).values_list("file", flat=True))
    for name in names - used:
        try:
            booklet.file.storage.delete(name)
        except OSError:
            logger.exception("Booklet file %s could not be deleted", name)


def _produce(booklet: Booklet, prepared: layout.Prepared, progress: layout.Progress) -> Booklet:
    """Lays out and writes the PDF of `prepared` into `booklet`, which then is done."""
    pdf, pages = layout.make_pdf(
        prepared.final_html(timezone.localdate(booklet.created_at)), progress
    )
    booklet.fingerprint = prepared.fingerprint
    booklet.file.save(f"{booklet.pk}.pdf", ContentFile(pdf), save=False)
    booklet.status = Booklet.Status.DONE
    booklet.stage = ""
    booklet.done = booklet.total = prepared.entries
    booklet.pages = pages
    booklet.finished_at = booklet.updated_at = timezone.now()
    booklet.error = ""
    booklet.save()
    _prune(booklet)
    return booklet


def _start(
    *, prepared: layout.Prepared, requested_by, status: Booklet.Status
) -> tuple[Booklet, bool]:
    """A new row for a build of `prepared` and True, or the build of the same content already
    under way and False: the database allows one at a time (rep_booklet_one_build)."""
    key = {
        "district": prepared.district,
        "language": prepared.language,
        "fingerprint": prepared.fingerprint,
    }
    now = timezone.now()
    with transaction.atomic():
        # A dead build of the same content gives way first, so that the new row may take its
        # place under the constraint.
        Booklet.objects.filter(stale_rows(now), **key).update(
            status=Booklet.Status.FAILED,
            finished_at=now,
            updated_at=now,
            error="Stopped: its worker gave no sign of life.",
        )
        try:
            with transaction.atomic():
                booklet = Booklet.objects.create(
                    **key,
                    status=status,
                    total=prepared.entries,
                    requested_by=requested_by,
                    created_at=now,
                    updated_at=now,
                )
            return booklet, True
        except IntegrityError:
            # Another request started the same build meanwhile: the newest row of the content
            # is that build (no row can be created beside it).
            return Booklet.objects.filter(**key).order_by("-created_at").first(), False


def build(
    *,
    district: District,
    language: str,
    requested_by=None,
    progress: layout.Progress = layout.no_progress,
) -> Booklet:
    """The district's booklet, built now (the command, the bench) unless a finished one
    prints the same data. Raises BuildUnderWay while a worker builds the same content."""
    prepared = layout.prepare(district, language, progress)
    reused = finished(district, language, prepared.fingerprint)
    if reused is not None:
        return reused
    booklet, created = _start(
        prepared=prepared, requested_by=requested_by, status=Booklet.Status.RUNNING
    )
    if not created:
        if booklet.status == Booklet.Status.DONE and file_exists(booklet):
            return booklet
        # Still waiting for a worker: built here instead (the worker will find it taken).
        taken = Booklet.objects.filter(pk=booklet.pk, status=Booklet.Status.QUEUED).update(
            status=Booklet.Status.RUNNING, updated_at=timezone.now()
        )
        if not taken:
            raise BuildUnderWay(booklet)
        booklet.refresh_from_db()
    saved = SavedProgress(booklet)

    def both(stage: str, done: int = 0, total: int = 0) -> None:
        saved(stage, done, total)
        progress(stage, done, total)

    try:
        return _produce(booklet, prepared, both)
    except BaseException as exc:
        _fail(booklet.pk, exc)
        raise


@dataclass
class Request:
    booklet: Booklet
    reused: bool  # True when a finished (or already queued) booklet answers the request


def own_district_id(actor: Membership) -> int | None:
    """The district whose booklet a district officer or CBO head prints: the officer's own, the
    CBO's (the district the head acts in, else the one in the CBO's listing)."""
    if actor.role == Role.DISTRICT_OFFICER:
        return actor.district_id
    if actor.role == Role.CBO_HEAD:
        if actor.district_id is not None:
            return actor.district_id
        return (
            CboProfile.objects.filter(organization=actor.organization_id)
            .values_list("district", flat=True)
            .first()
        )
    return None


def may_print(actor: Membership | None, district: District) -> bool:
    """A district officer prints their own district's booklet, a CBO head its CBO's district's
    (the booklet holds the public directory only), a state officer those of its state's
    districts, a ministry admin any district's."""
    if actor is None or actor.revoked_at is not None:
        return False
    if actor.role == Role.MINISTRY_ADMIN:
        return True
    if actor.role == Role.STATE_OFFICER:
        return actor.covers(district)
    return own_district_id(actor) == district.pk


def _enqueue(booklet_id: str) -> None:
    try:
        build_booklet.enqueue(booklet_id)
    except BaseException as exc:
        # Never to be taken by a worker: not to be waited for either.
        _fail(booklet_id, exc)
        raise


def booklet_request(*, actor: Membership, district: District, language: str) -> Request:
    """Answers an officer's request: the finished booklet of the current data, one already on
    its way, or a new one queued for the background worker. Audited."""
    if not may_print(actor, district):
        raise PermissionDenied
    prepared = layout.prepare(district, language)
    with transaction.atomic():
        reused = finished(district, language, prepared.fingerprint)
        if reused is not None:
            answer = Request(reused, True)
        else:
            booklet, created = _start(
                prepared=prepared, requested_by=actor.user, status=Booklet.Status.QUEUED
            )
            answer = Request(booklet, not created)
            if created:
                booklet_id = str(booklet.pk)
                transaction.on_commit(lambda: _enqueue(booklet_id))
        trail.record(
            actor=actor,
            action=Action.BOOKLET_REQUESTED,
            obj=answer.booklet,
            changes={"district": district, "language": language},
        )
    return answer


def run_queued(booklet_id) -> Booklet:
    """Builds a queued booklet (the background task). The data is read again: what is
    printed is what the directory holds when the build runs."""
    # Taken from the queue once: a task run twice, or a row the command took over or that was
    # given up for dead, is left as it is.
    claimed = Booklet.objects.filter(pk=booklet_id, status=Booklet.Status.QUEUED).update(
        status=Booklet.Status.RUNNING, updated_at=timezone.now()
    )
    booklet = Booklet.objects.select_related("district__state").get(pk=booklet_id)
    if not claimed:
        return booklet
    progress = SavedProgress(booklet)
    try:
        prepared = layout.prepare(booklet.district, booklet.language, progress)
        same = finished(booklet.district, booklet.language, prepared.fingerprint)
        if same is not None:
            # The data changed back to a booklet built meanwhile: its file serves both.
            booklet.fingerprint, booklet.file, booklet.pages = (
                same.fingerprint,
                same.file,
                same.pages,
            )
            booklet.status, booklet.stage = Booklet.Status.DONE, ""
            booklet.done = booklet.total = prepared.entries
            booklet.finished_at = booklet.updated_at = timezone.now()
            booklet.save()
            _prune(booklet)
            return booklet
        booklet.refresh_from_db()
        return _produce(booklet, prepared, progress)
    except BaseException as exc:
        logger.exception("Booklet %s failed", booklet_id)
        _fail(booklet_id, exc)
        raise


def download_name(booklet: Booklet) -> str:
    """direktori-cbo-seremban-ms.pdf"""
    return f"direktori-cbo-{booklet.district.slug}-{booklet.language}.pdf"


@task()
def build_booklet(booklet_id: str) -> int:
    """The background task: builds the queued booklet; returns its number of pages."""
    return run_queued(booklet_id).pages or 0
