"""Domain operations that write capacity-building data: attendance, and the demo events.

Programmes and events are kept by ministry admins in the admin (audited there). Audit rows
name the event, the CBO and the role, never the attendee: a volunteer's name is personal data.
"""

import json
import uuid
from datetime import date
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from santuni.accounts import audit
from santuni.accounts.models import CBO_ROLES, Membership
from santuni.directory.models import Organization, Taxonomy, TaxonomyTerm
from santuni.directory.services import DEMO_NAMESPACE, DemoDataError
from santuni.geo.models import District

from . import access
from .models import Attendance, AttendeeRole, Event, Programme

DEMO_EVENTS = Path(__file__).resolve().parent / "demo" / "events.json"
NAME_MAX = Attendance._meta.get_field("name").max_length


class AttendanceError(Exception):
    """A request the rules refuse; the message says why, in the reader's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def clean_name(name: str) -> str:
    """The name as it is kept: spaces at the ends and doubled spaces removed."""
    return " ".join(name.split())


@transaction.atomic
def attendance_add(
    *,
    actor: Membership,
    event: Event,
    organization: Organization,
    name: str,
    role: str,
    user: AbstractBaseUser | None = None,
) -> Attendance:
    """Records that a person of the CBO attended the event."""
    _require(access.records_for(actor, event, organization))
    name = clean_name(name)
    if not name:
        raise AttendanceError(_("Write the person's name."))
    if len(name) > NAME_MAX:
        raise AttendanceError(_("The name is too long; shorten it."))
    if role not in AttendeeRole.values:
        raise AttendanceError(_("Pick the person's role at the CBO."))
    if (
        user is not None
        and not Membership.objects.filter(
            user=user, organization=organization, role__in=CBO_ROLES, revoked_at__isnull=True
        ).exists()
    ):
        raise AttendanceError(_("That account is not a member of this CBO."))
    duplicate = AttendanceError(
        _("%(name)s is already on the list for this CBO at this event.") % {"name": name}
    )
    # Compared by the database's own lower(), as the unique constraint is.
    same = Attendance.objects.annotate(lower=Lower("name")).filter(
        event=event, organization=organization, lower=Lower(Value(name))
    )
    if same.exists():
        raise duplicate
    try:
        # A savepoint: a twin saved by someone else a moment ago leaves the transaction usable.
        with transaction.atomic():
            attendance = Attendance.objects.create(
                event=event,
                organization=organization,
                name=name,
                role=role,
                user=user,
                recorded_by=actor,
            )
    except IntegrityError:
        raise duplicate from None
    audit.record(
        actor=actor,
        action="attendance.added",
        obj=attendance,
        changes={
            "event": event.pk,
            "organization": organization.pk,
            "role": role,
            "user": user.pk if user is not None else None,
        },
    )
    return attendance


@transaction.atomic
def attendance_remove(*, actor: Membership, attendance: Attendance) -> None:
    """Takes a person off an event's list (recorded by mistake)."""
    _require(access.records_for(actor, attendance.event, attendance.organization))
    audit.record(
        actor=actor,
        action="attendance.removed",
        obj=attendance,
        changes={
            "event": attendance.event_id,
            "organization": attendance.organization_id,
            "role": attendance.role,
        },
    )
    attendance.delete()


# --- demo data ----------------------------------------------------------------------------


def _demo_id(*parts: str) -> uuid.UUID:
    # The directory's demo ids are made the same way (santuni.directory.services), so an
    # organisation's key here names the same record as in the directory's demo file.
    return uuid.uuid5(DEMO_NAMESPACE, "/".join(parts))


def _bilingual(row: dict, *fields: str) -> dict[str, str]:
    values = {}
    for field in fields:
        values[field] = row.get(field) or ""
        values[f"{field}_en"] = row.get(f"{field}_en") or ""
    return values


@transaction.atomic
def training_demo_load(*, path: Path = DEMO_EVENTS) -> dict[str, int]:
    """Load (or reload) the demo programmes and events and their sample attendance; the
    directory's demo data must be loaded first. Returns counts by kind."""
    data = json.loads(path.read_text(encoding="utf-8"))
    districts = {d.name.casefold(): d for d in District.objects.all()}
    terms = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy__code=Taxonomy.TARGET_GROUPS)}
    counts = {"programmes": 0, "events": 0, "attendances": 0}
    for programme_row in data["programmes"]:
        organiser = None
        if key := programme_row.get("organiser"):
            organiser = _organization(key, cbo=False)
        programme, _created = Programme.objects.update_or_create(
            id=_demo_id("programme", programme_row["key"]),
            defaults={
                **_bilingual(programme_row, "name", "description"),
                "organiser": organiser,
                "is_sample": bool(programme_row.get("sample")),
            },
        )
        try:
            programme.target_groups.set([terms[c] for c in programme_row.get("target_groups", [])])
        except KeyError as exc:
            raise DemoDataError(f"unknown target group {exc.args[0]!r}") from None
        counts["programmes"] += 1

        for event_row in programme_row.get("events", []):
            try:
                district = districts[event_row["district"].casefold()]
            except KeyError:
                raise DemoDataError(f"unknown district {event_row['district']!r}") from None
            event, _created = Event.objects.update_or_create(
                id=_demo_id("event", event_row["key"]),
                defaults={
                    **_bilingual(event_row, "name", "place", "description"),
                    "programme": programme,
                    "date": date.fromisoformat(event_row["date"]),
                    "end_date": date.fromisoformat(event_row["end_date"])
                    if event_row.get("end_date")
                    else None,
                    "district": district,
                    "is_sample": bool(event_row.get("sample")),
                },
            )
            # The list is replaced whole: the demo file is its only source.
            event.attendances.all().delete()
            rows = []
            for cbo_row in event_row.get("attendance", []):
                organization = _organization(cbo_row["cbo"], cbo=True)
                for person in cbo_row["people"]:
                    rows.append(
                        Attendance(
                            id=_demo_id(
                                "attendance", event_row["key"], cbo_row["cbo"], person["name"]
                            ),
                            event=event,
                            organization=organization,
                            name=person["name"],
                            role=AttendeeRole(person["role"]),
                        )
                    )
            Attendance.objects.bulk_create(rows)
            counts["events"] += 1
            counts["attendances"] += len(rows)
    audit.record(
        actor=None,
        action="training.demo_loaded",
        object_type="training.demo",
        object_id=path.name,
        changes=counts,
    )
    return counts


def _organization(key: str, *, cbo: bool) -> Organization:
    found = Organization.objects.filter(id=_demo_id("organization", key))
    if cbo:
        found = found.filter(cbo__isnull=False)
    organization = found.first()
    if organization is None:
        what = "CBO" if cbo else "organization"
        raise DemoDataError(f"unknown demo {what} {key!r}: load the directory's demo data first")
    return organization
