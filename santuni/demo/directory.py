"""The Negeri Sembilan demo directory: real public bodies, fictional sample CBOs."""

import json
import uuid
from datetime import date, time
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.directory.indexing import index_services
from santuni.directory.models import (
    Address,
    Attribute,
    CboProfile,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from santuni.geo.models import District, Mukim

DEMO_DATA = Path(__file__).resolve().parent / "data" / "negeri_sembilan.json"
# Demo records get ids derived from their keys, so reloading updates them in place and
# their links (and later their QR codes) stay the same.
DEMO_NAMESPACE = uuid.UUID("5b1e2c9a-3d0f-4f6e-9a51-7c2d8e4b6a10")
LANGUAGE_NAMES = {"ms": "Bahasa Melayu", "en": "English", "zh": "中文", "ta": "தமிழ்"}


class DemoDataError(ValueError):
    pass


def demo_id(*parts: str) -> uuid.UUID:
    """A demo record's id, from its kind and key: the same on every load, in every app's
    demo data (the training events name the directory's CBOs by their keys)."""
    return uuid.uuid5(DEMO_NAMESPACE, "/".join(parts))


def bilingual(row: dict[str, Any], *fields: str) -> dict[str, str]:
    """The Malay and English values of each field (`name`, `name_en`), empty when absent."""
    values = {}
    for field in fields:
        values[field] = row.get(field) or ""
        values[f"{field}_en"] = row.get(f"{field}_en") or ""
    return values


class _Places:
    """Looks up districts and mukims by name, once each."""

    def __init__(self):
        self.districts = {d.name.casefold(): d for d in District.objects.select_related("state")}
        self.mukims = {
            (m.district_id, m.name.casefold()): m for m in Mukim.objects.select_related("district")
        }

    def district(self, name: str | None) -> District | None:
        if not name:
            return None
        try:
            return self.districts[name.casefold()]
        except KeyError:
            raise DemoDataError(f"unknown district {name!r}") from None

    def mukim(self, district: District | None, name: str | None) -> Mukim | None:
        if not name:
            return None
        if district is None:
            raise DemoDataError(f"mukim {name!r} given without its district")
        try:
            return self.mukims[(district.pk, name.casefold())]
        except KeyError:
            raise DemoDataError(f"unknown mukim {name!r} in {district.name}") from None


def _schedules(rows: list[dict[str, Any]], **owner) -> list[Schedule]:
    return [
        Schedule(
            **owner,
            freq=Schedule.Freq.WEEKLY,
            byday=row["byday"],
            opens_at=time.fromisoformat(row["opens_at"]),
            closes_at=time.fromisoformat(row["closes_at"]),
            **bilingual(row, "description"),
        )
        for row in rows
    ]


def _phones(rows: list[dict[str, Any]], **owner) -> list[Phone]:
    return [
        Phone(
            **owner,
            number=row["number"],
            type=row.get("type") or Phone.PhoneType.VOICE,
            **bilingual(row, "description"),
        )
        for row in rows
    ]


@transaction.atomic
def demo_data_load(*, path: Path = DEMO_DATA) -> dict[str, int]:
    """Load (or reload) the Negeri Sembilan demo directory; returns counts by kind."""
    data = json.loads(path.read_text(encoding="utf-8"))
    places = _Places()
    terms = {(t.taxonomy.code, t.code): t for t in TaxonomyTerm.objects.select_related("taxonomy")}

    def term(taxonomy: str, code: str) -> TaxonomyTerm:
        try:
            return terms[(taxonomy, code)]
        except KeyError:
            raise DemoDataError(f"unknown {taxonomy} term {code!r}") from None

    counts = {"organizations": 0, "cbos": 0, "services": 0, "locations": 0}
    for org_row in data["organizations"]:
        key = org_row["key"]
        org, _ = Organization.objects.update_or_create(
            id=demo_id("organization", key),
            defaults={
                **bilingual(org_row, "name", "description"),
                "email": org_row.get("email") or "",
                "website": org_row.get("website") or "",
                "is_sample": bool(org_row.get("sample")),
            },
        )
        # Children are replaced whole: the demo file is their only source.
        org.locations.all().delete()
        org.phones.all().delete()
        Attribute.objects.filter(link_id__in=org.services.values("id")).delete()
        org.services.all().delete()
        CboProfile.objects.filter(organization=org).delete()
        Phone.objects.bulk_create(_phones(org_row.get("phones", []), organization=org))
        counts["organizations"] += 1

        if cbo_row := org_row.get("cbo"):
            district = places.district(cbo_row["district"])
            cbo = CboProfile.objects.create(
                organization=org,
                district=district,
                registration_number=cbo_row.get("registration_number") or "",
                head_name=cbo_row.get("head_name") or "",
                head_phone=cbo_row.get("head_phone") or "",
                head_consent=bool(cbo_row.get("head_consent")),
                head_appointed_date=date.fromisoformat(cbo_row["head_appointed_date"])
                if cbo_row.get("head_appointed_date")
                else None,
                member_count=cbo_row.get("member_count") or 0,
                is_active=cbo_row.get("is_active", True),
            )
            cbo.mukims.set([places.mukim(district, m) for m in cbo_row.get("mukims", [])])
            cbo.target_groups.set(
                [term(Taxonomy.TARGET_GROUPS, c) for c in cbo_row.get("target_groups", [])]
            )
            counts["cbos"] += 1

        locations = {}
        for loc_row in org_row.get("locations", []):
            district = places.district(loc_row.get("district"))
            location = Location.objects.create(
                id=demo_id("location", key, loc_row["key"]),
                organization=org,
                is_confidential=bool(loc_row.get("confidential")),
                latitude=loc_row.get("latitude"),
                longitude=loc_row.get("longitude"),
                **bilingual(loc_row, "name"),
            )
            Address.objects.create(
                location=location,
                address_1=loc_row.get("address_1") or loc_row.get("city") or "",
                city=loc_row.get("city") or "",
                postal_code=loc_row.get("postal_code") or "",
                region=district.name if district else "",
                state_province=district.state.name if district else "",
                state=district.state if district else None,
                district=district,
                mukim=places.mukim(district, loc_row.get("mukim")),
            )
            Phone.objects.bulk_create(_phones(loc_row.get("phones", []), location=location))
            Schedule.objects.bulk_create(
                _schedules(loc_row.get("schedules", []), location=location)
            )
            locations[loc_row["key"]] = location
            counts["locations"] += 1

        for index, svc_row in enumerate(org_row.get("services", [])):
            service = Service.objects.create(
                id=demo_id("service", key, str(index), slugify(svc_row["name"])),
                organization=org,
                status=svc_row.get("status") or Service.Status.ACTIVE,
                url=svc_row.get("url") or "",
                email=svc_row.get("email") or "",
                minimum_age=svc_row.get("minimum_age"),
                maximum_age=svc_row.get("maximum_age"),
                assured_date=date.fromisoformat(svc_row["assured_date"])
                if svc_row.get("assured_date")
                else None,
                **bilingual(
                    svc_row,
                    "name",
                    "description",
                    "eligibility_description",
                    "application_process",
                    "fees_description",
                ),
            )
            for loc_key in svc_row.get("locations", []):
                if loc_key not in locations:
                    raise DemoDataError(f"{key}: service refers to unknown location {loc_key!r}")
                ServiceAtLocation.objects.create(service=service, location=locations[loc_key])
            for area in svc_row.get("service_areas", []):
                district = places.district(area.get("district"))
                mukim = places.mukim(district, area.get("mukim"))
                ServiceArea.objects.create(
                    service=service,
                    district=district,
                    mukim=mukim,
                    name=(mukim or district).name if district else "",
                    extent_type="text",
                )
            Phone.objects.bulk_create(_phones(svc_row.get("phones", []), service=service))
            Schedule.objects.bulk_create(_schedules(svc_row.get("schedules", []), service=service))
            RequiredDocument.objects.bulk_create(
                RequiredDocument(service=service, **bilingual(doc, "document"))
                for doc in svc_row.get("required_documents", [])
            )
            Language.objects.bulk_create(
                Language(service=service, code=code, name=LANGUAGE_NAMES.get(code, code))
                for code in svc_row.get("languages", [])
            )
            Attribute.objects.bulk_create(
                Attribute(
                    link_entity=Attribute.LinkEntity.SERVICE,
                    link_id=service.id,
                    taxonomy_term=term(taxonomy, code),
                )
                for taxonomy, field in (
                    (Taxonomy.TARGET_GROUPS, "target_groups"),
                    (Taxonomy.NEEDS, "needs"),
                )
                for code in svc_row.get(field, [])
            )
            counts["services"] += 1
    index_services(Service.objects.values_list("pk", flat=True))
    trail.record(
        actor=None,
        action=Action.DIRECTORY_DEMO_LOADED,
        object_type="directory.demo",
        object_id=path.name,
        changes=counts,
    )
    return counts
