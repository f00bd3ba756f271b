"""The audit trail: one append-only, hash-chained row per write made by a domain function."""

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEntry, Membership

GENESIS = "0" * 64
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
    clean = {}
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
    content = json.dumps(
        [
            entry.previous_hash,
            entry.at.isoformat(),
            entry.user_id,
            entry.membership_id,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.changes,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hmac.new(_key(), content.encode(), hashlib.sha256).hexdigest()


def record(
    *,
    actor: Membership | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
    user=None,
) -> AuditEntry:
    """Appends one row in the caller's transaction. `actor` None means the system (a command)."""
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
        entry = AuditEntry(
            at=timezone.now(),
            user=user if user is not None else (actor.user if actor else None),
            membership=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes=redact(changes or {}),
            previous_hash=last or GENESIS,
        )
        # Stored JSON comes back with its own key order and types; hash what will be read.
        entry.changes = json.loads(json.dumps(entry.changes, sort_keys=True))
        entry.hash = entry_hash(entry)
        entry.save()
    return entry


@dataclass(frozen=True)
class Break:
    entry_id: int
    reason: str


def verify_chain(batch: int = 2000) -> tuple[int, Break | None]:
    """Checks every row in order; returns how many were checked and the first broken link."""
    previous = GENESIS
    checked = 0
    for entry in _in_order(batch):
        if entry.previous_hash != previous:
            return checked, Break(entry.pk, "its link to the row before it does not match")
        if entry_hash(entry) != entry.hash:
            return checked, Break(entry.pk, "its content does not match its hash")
        previous = entry.hash
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
