"""The demo capacity-building programmes and events, with sample attendance of the demo CBOs."""

import json
from datetime import date
from pathlib import Path

from django.db import transaction

from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.directory.models import Organization, Taxonomy, TaxonomyTerm
from santuni.geo.models import District
from santuni.training.models import Attendance, AttendeeRole, Event, Programme

from .directory import DemoDataError, bilingual, demo_id

DEMO_EVENTS = Path(__file__).resolve().parent / "data" / "training_events.json"


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
            id=demo_id("programme", programme_row["key"]),
            defaults={
                **bilingual(programme_row, "name", "description"),
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
                id=demo_id("event", event_row["key"]),
                defaults={
                    **bilingual(event_row, "name", "place", "description"),
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
                            id=demo_id(
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
    trail.record(
        actor=None,
        action=Action.TRAINING_DEMO_LOADED,
        object_type="training.demo",
        object_id=path.name,
        changes=counts,
    )
    return counts


def _organization(key: str, *, cbo: bool) -> Organization:
    found = Organization.objects.filter(id=demo_id("organization", key))
    if cbo:
        found = found.filter(cbo__isnull=False)
    organization = found.first()
    if organization is None:
        what = "CBO" if cbo else "organization"
        raise DemoDataError(f"unknown demo {what} {key!r}: load the directory's demo data first")
    return organization
