"""The audit trail: one append-only, hash-chained row per write made by a domain function.

Each row carries an HMAC (with AUDIT_KEY) of its content and of the row before it, so a row
altered or removed inside the trail breaks the chain. Rows cut from its end leave a shorter
chain that still holds: a signed checkpoint kept apart from the database (a file, written by
`backup` and `verify_audit_chain`) says how far the trail went.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from santuni.lib.files import write_private

from .actions import Action
from .models import AuditEntry

GENESIS = "0" * 64
# How new rows are signed (AuditEntry.version). 1: the content and the previous row's hash
# (rows written before versions). 2: also the row's id and its version, so that a row cannot
# be renumbered or moved in the trail. A row is checked with the formula it was written with.
VERSION = 2
# Values of these fields never reach the trail, whatever object they belong to.
SECRET_WORDS = ("password", "token", "secret", "key", "otp", "recovery")
REDACTED = "[removed]"
# A number no other PostgreSQL advisory lock in Santuni uses.
_PG_LOCK = 7_242_011


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def redact(changes: dict[str, Any]) -> dict[str, Any]:
    """The change with secret fields' values removed (nested dictionaries too)."""
    clean: dict[str, Any] = {}
    for field, value in changes.items():
        if any(word in field.lower() for word in SECRET_WORDS):
            clean[field] = REDACTED
        elif isinstance(value, dict):
            clean[field] = redact(value)
        else:
            clean[field] = _plain(value)
    return clean


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [before, after]} for the fields whose value differs."""
    return {
        field: [before.get(field), after.get(field)]
        for field in after
        if _plain(before.get(field)) != _plain(after.get(field))
    }


def _key() -> bytes:
    return (settings.SANTUNI["AUDIT_KEY"] or settings.SECRET_KEY).encode()


def entry_hash(entry: AuditEntry) -> str:
    signed = [
        entry.previous_hash,
        entry.at.isoformat(),
        entry.user_id,
        entry.membership_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.changes,
    ]
    if entry.version >= 2:
        signed = ["santuni.audit", entry.version, entry.pk, *signed]
    content = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(_key(), content.encode(), hashlib.sha256).hexdigest()


def _next_id() -> int:
    """The id the next row gets, taken before it is written so that its hash covers it: the
    table's own sequence, so that ids are never reused, not even those of rows removed."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        else:
            # AUTOINCREMENT's record of the highest id ever given (inside the write lock).
            cursor.execute(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0) + 1",
                [table],
            )
        return cursor.fetchone()[0]


def record(
    *,
    actor: models.Model | None,
    action: Action,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
    user=None,
) -> AuditEntry:
    """Appends one row in the caller's transaction. `actor` is the membership (role) the
    person acts in (santuni.accounts.models.Membership); None means the system (a command).
    `action` is a member of `Action`: a plain string, however well spelt, is refused, so that
    every kind of row the trail holds is listed in one place."""
    if not isinstance(action, Action):
        raise TypeError(f"An audit action is a member of santuni.audit.actions.Action: {action!r}")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        # Appends are serialised so that each row chains to the one before it. SQLite
        # transactions already hold the write lock (IMMEDIATE); PostgreSQL takes a lock
        # held until the caller's transaction ends.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        # `actor` is an accounts.Membership: the layer order keeps this module from naming it,
        # so the type checker knows it only as a model.
        if user is None and actor is not None:
            user = actor.user  # type: ignore[attr-defined]  # a Membership, unnamed here
        entry = AuditEntry(
            id=_next_id(),
            version=VERSION,
            at=timezone.now(),
            user=user,
            membership=actor,  # type: ignore[misc]  # a Membership, unnamed here
            action=action.value,
            object_type=object_type,
            object_id=object_id,
            changes=redact(changes or {}),
            previous_hash=last or GENESIS,
        )
        # Stored JSON comes back with its own key order and types; hash what will be read.
        entry.changes = json.loads(json.dumps(entry.changes, sort_keys=True))
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class Break:
    entry_id: int
    reason: str


def verify_chain(batch: int = 2000) -> tuple[int, Break | None]:
    """Checks every row in order, each with the formula of its version; returns how many were
    checked and the first broken link."""
    previous, version = GENESIS, 1
    checked = 0
    for entry in _in_order(batch):
        if entry.previous_hash != previous:
            return checked, Break(entry.pk, "its link to the row before it does not match")
        if not 1 <= entry.version <= VERSION:
            return checked, Break(entry.pk, f"its chain version ({entry.version}) is unknown")
        if entry.version < version:
            # Versions only go up along the trail: an older one here was written in.
            return checked, Break(entry.pk, "its chain version is older than the row before it")
        if entry_hash(entry) != entry.hash:
            return checked, Break(entry.pk, "its content does not match its hash")
        previous, version = entry.hash, entry.version
        checked += 1
    return checked, None


def _in_order(batch: int) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last_id = rows[-1].pk


# --- the checkpoint: where the trail ended, kept apart from it ----------------------------


class CheckpointError(Exception):
    """The trail lost rows since the checkpoint, or the checkpoint cannot be trusted: in
    words for the operator (a clause, to follow "but"), naming ids and counts, never a row's
    content."""


@dataclass(frozen=True)
class Checkpoint:
    last_id: int | None  # None: the trail was empty
    last_hash: str
    count: int  # rows up to and including last_id
    at: str  # when it was taken (ISO 8601)

    def signature(self) -> str:
        signed = ["santuni.audit.checkpoint", self.last_id, self.last_hash, self.count, self.at]
        content = json.dumps(signed, separators=(",", ":"))
        return hmac.new(_key(), content.encode(), hashlib.sha256).hexdigest()


def checkpoint_path() -> Path:
    return Path(settings.SANTUNI["AUDIT_CHECKPOINT"])


def _now_checkpoint() -> Checkpoint:
    """Where the trail ends now. Rows are only appended after the last one, so the count of
    rows up to it stays the same while others are being written."""
    at = timezone.now().isoformat()
    last = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        return Checkpoint(None, GENESIS, 0, at)
    return Checkpoint(last[0], last[1], AuditEntry.objects.filter(id__lte=last[0]).count(), at)


def read_checkpoint() -> Checkpoint | None:
    """The last checkpoint written (None: none yet), after checking its signature."""
    path = checkpoint_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise CheckpointError(f"the audit checkpoint {path} cannot be read ({error})") from None
    try:
        point = Checkpoint(data["last_id"], data["last_hash"], data["count"], data["at"])
        signature = str(data["signature"])
    except (KeyError, TypeError):
        raise CheckpointError(f"{path} is not an audit checkpoint") from None
    if not hmac.compare_digest(signature, point.signature()):
        raise CheckpointError(
            f"the audit checkpoint {path} does not match its signature: it was altered, or "
            "written with another AUDIT_KEY"
        )
    return point


def missing_since(point: Checkpoint) -> str | None:
    """What the trail lost at its end since `point`, in words (None: nothing)."""
    if point.last_id is None:
        return None
    there = AuditEntry.objects.filter(pk=point.last_id).values_list("hash", flat=True).first()
    count = AuditEntry.objects.filter(id__lte=point.last_id).count()
    if there == point.last_hash and count == point.count:
        return None
    if there is None:
        what = "which is gone"
    elif there != point.last_hash:
        what = "which has changed"
    else:
        what = f"of which {count} are left"
    now = _now_checkpoint()
    ends = f", up to entry #{now.last_id}" if now.last_id is not None else ""
    return (
        f"rows are missing from the audit trail: the checkpoint of {point.at} "
        f"({checkpoint_path()}) saw {point.count} rows up to entry #{point.last_id}, {what}; "
        f"the trail now holds {AuditEntry.objects.count()} rows{ends}. The checkpoint is kept "
        "as it was"
    )


def write_checkpoint(*, compare: bool = True) -> tuple[Checkpoint, Checkpoint | None]:
    """A new checkpoint at the trail's end (and the one before it). With `compare`, only when
    the trail still holds what the last one saw: else CheckpointError, and the last one stays,
    so that a later run reports the same loss rather than take it as the new normal."""
    before = None
    try:
        before = read_checkpoint()
    except CheckpointError:
        if compare:
            raise
    if compare and before is not None and (missing := missing_since(before)):
        raise CheckpointError(missing)
    point = _now_checkpoint()
    content = {**point.__dict__, "signature": point.signature()}
    write_private(checkpoint_path(), json.dumps(content, indent=2) + "\n")
    return point, before
