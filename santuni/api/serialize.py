"""Directory records as HSDS 3.0 objects (with Santuni's profile), for the API and exports.

Empty values are left out rather than written as "" or null: HSDS types most fields as
plain strings with formats (email, uri), which an empty string would fail.
Confidential locations lose their addresses and position unless `reveal_confidential`.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from santuni.directory.models import (
    Address,
    Attribute,
    Contact,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

from .tables import TABLES, Table

BATCH = 200
LINKED_ENTITIES = ("service", "organization", "location")


def value_out(value):
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _put(out: dict, key: str, value) -> None:
    if value is not None and value != "":
        out[key] = value_out(value)


@dataclass
class Options:
    lang: str = "ms"
    reveal_confidential: bool = False
    # Filled per batch: attributes of the records being written, by (entity, id).
    attributes: dict = field(default_factory=dict)


def plain(table: Table, obj, options: Options) -> dict:
    """The object's own fields: what a list item carries."""
    out = {"id": str(obj.pk)}
    for name in table.translated:
        malay, english = getattr(obj, name), getattr(obj, f"{name}_en")
        _put(out, name, (english or malay) if options.lang == "en" else malay)
        _put(out, f"{name}_en", english)
    for name in table.fields:
        _put(out, name, getattr(obj, name))
    for name in table.parents:
        _put(out, f"{name}_id", getattr(obj, f"{name}_id"))
    extra = EXTRAS.get(table.name)
    if extra:
        extra(obj, out, options)
    return out


def nested(table_name: str, obj, options: Options) -> dict:
    """The object with the records it owns, from prefetched relations."""
    table = TABLES[table_name]
    out = plain(table, obj, options)
    for child in table.children:
        if child.key == "attributes":
            rows = options.attributes.get((table_name, obj.pk), [])
            items = [plain(TABLES["attribute"], row, options) for row in rows]
        elif table_name == "location" and child.key == "addresses" and _hidden(obj, options):
            items = []
        else:
            # By id: the same order on every database and after a round trip.
            rows = sorted(getattr(obj, child.key).all(), key=attrgetter("pk"))
            items = [nested(child.table, row, options) for row in rows]
        if items:
            out[child.key] = items
    return out


def _hidden(location: Location, options: Options) -> bool:
    return location.is_confidential and not options.reveal_confidential


def _location_extra(location: Location, out: dict, options: Options) -> None:
    if location.is_confidential:
        out["confidential"] = True
        if not options.reveal_confidential:
            for key in ("latitude", "longitude", "transportation", "transportation_en"):
                out.pop(key, None)


def _address_extra(address: Address, out: dict, options: Options) -> None:
    if address.mukim_id:
        out["mukim"] = address.mukim.name


def _service_area_extra(area: ServiceArea, out: dict, options: Options) -> None:
    if area.district_id:
        out["district"] = area.district.name
    if area.mukim_id:
        out["mukim"] = area.mukim.name


def _organization_extra(organization: Organization, out: dict, options: Options) -> None:
    if organization.is_sample:
        out["sample"] = True
    cbo = getattr(organization, "cbo", None)
    if cbo is None:
        return
    profile = {"district": cbo.district.name, "member_count": cbo.member_count}
    profile["active"] = cbo.is_active
    _put(profile, "registration_number", cbo.registration_number)
    _put(profile, "head_appointed_date", cbo.head_appointed_date)
    if cbo.head_consent:  # never published, nor exported, without the head's consent
        _put(profile, "head_name", cbo.head_name)
        _put(profile, "head_phone", cbo.head_phone)
    mukims = [mukim.name for mukim in cbo.mukims.all()]
    if mukims:
        profile["mukims"] = mukims
    groups = [str(term.pk) for term in cbo.target_groups.all()]
    if groups:
        profile["target_group_ids"] = groups
    out["cbo"] = profile


def _taxonomy_extra(taxonomy: Taxonomy, out: dict, options: Options) -> None:
    out["code"] = taxonomy.code


def _term_extra(term: TaxonomyTerm, out: dict, options: Options) -> None:
    out["taxonomy"] = term.taxonomy.code


def _attribute_extra(attribute: Attribute, out: dict, options: Options) -> None:
    out["taxonomy_term"] = plain(TABLES["taxonomy_term"], attribute.taxonomy_term, options)


EXTRAS = {
    "location": _location_extra,
    "address": _address_extra,
    "service_area": _service_area_extra,
    "organization": _organization_extra,
    "taxonomy": _taxonomy_extra,
    "taxonomy_term": _term_extra,
    "attribute": _attribute_extra,
}


# --- querysets that load everything an object's nested form needs ----------------------

ORGANIZATION_RELATED = ["organization__cbo__district"]
ORGANIZATION_PREFETCH = ["organization__cbo__mukims", "organization__cbo__target_groups"]


def _location_prefetch(prefix: str) -> list:
    return [
        Prefetch(
            f"{prefix}addresses", queryset=Address.objects.select_related("district", "mukim")
        ),
        f"{prefix}phones__languages",
        f"{prefix}schedules",
        f"{prefix}languages",
        Prefetch(f"{prefix}contacts", queryset=Contact.objects.prefetch_related("phones")),
    ]


def full_services(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.select_related(*ORGANIZATION_RELATED, "program").prefetch_related(
        *ORGANIZATION_PREFETCH,
        Prefetch("phones", queryset=Phone.objects.prefetch_related("languages")),
        "schedules",
        Prefetch("service_areas", queryset=ServiceArea.objects.select_related("district", "mukim")),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                "phones__languages",
                "schedules",
                "contacts__phones",
                *_location_prefetch("location__"),
            ),
        ),
        "languages",
        "funding",
        "cost_options",
        "required_documents",
        Prefetch("contacts", queryset=Contact.objects.prefetch_related("phones__languages")),
    )


def load_attributes(options: Options, links: dict[str, Iterable]) -> None:
    """One query for the attributes of every record in a batch."""
    found: dict = defaultdict(list)
    wanted = {entity: list(ids) for entity, ids in links.items() if ids}
    if wanted:
        for entity, ids in wanted.items():
            rows = Attribute.objects.filter(link_entity=entity, link_id__in=ids)
            for row in rows.select_related("taxonomy_term__taxonomy").order_by(
                "taxonomy_term__taxonomy__name", "taxonomy_term__position", "id"
            ):
                found[(entity, row.link_id)].append(row)
    options.attributes = found


def service_full(service: Service, options: Options) -> dict:
    out = nested("service", service, options)
    out["organization"] = plain(TABLES["organization"], service.organization, options)
    if service.program_id:
        out["program"] = plain(TABLES["program"], service.program, options)
    links = sorted(service.service_at_locations.all(), key=attrgetter("pk"))
    for item, sal in zip(out.get("service_at_locations", []), links, strict=True):
        item["location"] = nested("location", sal.location, options)
    return out


def iter_full_services(services: QuerySet[Service], options: Options) -> Iterator[dict]:
    """Full services in the queryset's order, loaded a batch at a time (flat memory)."""
    ids = list(services.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        by_id = {s.pk: s for s in full_services(Service.objects.filter(pk__in=chunk))}
        batch = [by_id[pk] for pk in chunk if pk in by_id]
        location_ids = {sal.location_id for s in batch for sal in s.service_at_locations.all()}
        load_attributes(options, {"service": chunk, "location": location_ids})
        for service in batch:
            yield service_full(service, options)


def service_item(service: Service, options: Options) -> dict:
    return plain(TABLES["service"], service, options)


def organization_full(organization: Organization, options: Options) -> dict:
    location_ids = [location.pk for location in organization.locations.all()]
    load_attributes(options, {"organization": [organization.pk], "location": location_ids})
    return nested("organization", organization, options)


def organizations_full(organizations: QuerySet[Organization]) -> QuerySet[Organization]:
    return organizations.select_related("cbo__district").prefetch_related(
        "cbo__mukims",
        "cbo__target_groups",
        "phones__languages",
        "contacts__phones",
        "funding",
        "organization_identifiers",
        "programs",
        Prefetch("locations", queryset=Location.objects.prefetch_related(*_location_prefetch(""))),
    )


def service_at_location_full(sal: ServiceAtLocation, options: Options) -> dict:
    load_attributes(options, {"location": [sal.location_id]})
    out = nested("service_at_location", sal, options)
    out["location"] = nested("location", sal.location, options)
    return out


def taxonomy_term_out(term: TaxonomyTerm, options: Options) -> dict:
    return plain(TABLES["taxonomy_term"], term, options)


def taxonomy_out(taxonomy: Taxonomy, options: Options) -> dict:
    return plain(TABLES["taxonomy"], taxonomy, options)
