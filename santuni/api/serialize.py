"""Directory records as HSDS 3.0 objects (with Santuni's profile), for the API and exports.

Empty values are left out rather than written as "" or null: HSDS types most fields as
plain strings with formats (email, uri), which an empty string would fail.
A confidential location, and every record hanging from it, carries only the fields
`santuni.directory.confidential.published_fields` allows: the rest never leaves.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from uuid import UUID

from django.db.models import QuerySet

from santuni.directory.confidential import belongs_to_confidential, published_fields
from santuni.directory.models import (
    Address,
    Attribute,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

from .tables import TABLES, Table

BATCH = 200


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
    # Filled per batch by `load`: attributes by (entity, id); owned records by
    # (table, key) then parent id; the locations loaded on the way.
    attributes: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)
    locations: list = field(default_factory=list)


def plain(table: Table, obj, options: Options, confidential: bool | None = None) -> dict:
    """The object's own fields: what a list item carries. `confidential`: whether it is a
    confidential location or hangs from one (None: read from the object)."""
    if confidential is None:
        confidential = belongs_to_confidential(obj)
    allowed = published_fields(table.model) if confidential else None

    def shown(name: str) -> bool:
        return allowed is None or name in allowed

    out = {"id": str(obj.pk)}
    for name in table.translated:
        malay = getattr(obj, name) if shown(name) else ""
        english = getattr(obj, f"{name}_en") if shown(f"{name}_en") else ""
        _put(out, name, (english or malay) if options.lang == "en" else malay)
        _put(out, f"{name}_en", english)
    for name in table.fields:
        if shown(name):
            _put(out, name, getattr(obj, name))
    for name in table.parents:
        if shown(name):
            _put(out, f"{name}_id", getattr(obj, f"{name}_id"))
    add_extras = EXTRAS.get(table.name)
    # Extras are about the record as published (a location's flag), not more of its fields.
    if add_extras and (allowed is None or allowed):
        add_extras(obj, out, options)
    return out


def nested(table_name: str, obj, options: Options, confidential: bool | None = None) -> dict:
    """The object with the records it owns, as loaded by `load`; what hangs from a
    confidential location carries only what may be published, or is left out."""
    table = TABLES[table_name]
    if confidential is None:
        confidential = belongs_to_confidential(obj)
    out = plain(table, obj, options, confidential)
    for child in table.children:
        if confidential and not published_fields(TABLES[child.table].model):
            continue
        if child.key == "attributes":
            rows = options.attributes.get((table_name, obj.pk), [])
            items = [plain(TABLES["attribute"], row, options, confidential) for row in rows]
        else:
            rows = options.children.get((table_name, child.key), {}).get(obj.pk, [])
            # A record may reach a shelter another way than through this parent (a
            # service's link to it): asked of each, except by the way already known.
            items = [
                nested(
                    child.table,
                    row,
                    options,
                    confidential or belongs_to_confidential(row, came_from=child.fk),
                )
                for row in rows
            ]
        if items:
            out[child.key] = items
    return out


def _location_extra(location: Location, out: dict, options: Options) -> None:
    if location.is_confidential:
        out["confidential"] = True


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


# --- loading: one query per kind of record and batch, whatever the batch size -------------

RELATED = {
    "address": ("district", "mukim"),
    "service_area": ("district", "mukim"),
    "organization": ("cbo__district",),
    "service": ("organization__cbo__district", "program"),
    "service_at_location": ("location",),
}
PREFETCH = {
    "organization": ("cbo__mukims", "cbo__target_groups"),
    "service": ("organization__cbo__mukims", "organization__cbo__target_groups"),
}


def _load_children(table_name: str, objects: list, options: Options) -> None:
    """Loads the records these objects own (by id, so the order is the same everywhere)."""
    ids = [obj.pk for obj in objects]
    if not ids:
        return
    for child in TABLES[table_name].children:
        if child.key == "attributes":
            continue
        rows = list(
            TABLES[child.table]
            .model.objects.filter(**{f"{child.fk}__in": ids})
            .select_related(*RELATED.get(child.table, ()))
            .prefetch_related(*PREFETCH.get(child.table, ()))
            .order_by("pk")
        )
        grouped = options.children.setdefault((table_name, child.key), {})
        for row in rows:
            grouped.setdefault(getattr(row, f"{child.fk}_id"), []).append(row)
        _load_children(child.table, rows, options)
        if child.table == "location":
            options.locations.extend(rows)


def load(table_name: str, objects: list, options: Options) -> None:
    """Everything the nested form of these objects shows, in a fixed number of queries."""
    options.children, options.locations = {}, []
    _load_children(table_name, objects, options)
    if table_name == "service":
        groups = options.children.get(("service", "service_at_locations"), {}).values()
        links = [sal for group in groups for sal in group]
    else:
        links = objects if table_name == "service_at_location" else []
    places = {sal.location_id: sal.location for sal in links}
    _load_children("location", list(places.values()), options)
    linked = {"location": [*places, *(location.pk for location in options.locations)]}
    if table_name in ("service", "organization"):
        linked[table_name] = [obj.pk for obj in objects]
    load_attributes(options, linked)


def load_attributes(options: Options, links: dict[str, Iterable]) -> None:
    """One query per kind of linked record for the attributes of a batch."""
    found: dict = defaultdict(list)
    for entity, ids in links.items():
        ids = list(ids)
        if not ids:
            continue
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
    links = options.children.get(("service", "service_at_locations"), {}).get(service.pk, [])
    for item, sal in zip(out.get("service_at_locations", []), links, strict=True):
        item["location"] = nested("location", sal.location, options)
    return out


def _batches(items, size: int = BATCH) -> Iterator[list]:
    """Rows a batch at a time, in order, holding one batch in memory: from a queryset, or
    from a sequence of records already ranked (search results)."""
    if isinstance(items, QuerySet):
        model = items.model
        ids = items.values_list("pk", flat=True).iterator(chunk_size=size)
        chunks = iter(lambda: list(islice(ids, size)), [])
    else:
        model = Service
        chunks = ([o.pk for o in items[i : i + size]] for i in range(0, len(items), size))
    table = TABLE_OF.get(model, "")
    for chunk in chunks:
        if not chunk:
            continue
        found = model.objects.filter(pk__in=chunk).select_related(*RELATED.get(table, ()))
        found = found.prefetch_related(*PREFETCH.get(table, ()))
        by_id = {obj.pk: obj for obj in found}
        yield [by_id[pk] for pk in chunk if pk in by_id]


def iter_full_services(services: QuerySet[Service], options: Options) -> Iterator[dict]:
    """Full services in the queryset's order (flat memory however many)."""
    for batch in _batches(services):
        load("service", batch, options)
        yield from (service_full(service, options) for service in batch)


def service_item(service: Service, options: Options) -> dict:
    return plain(TABLES["service"], service, options)


def iter_full_organizations(
    organizations: QuerySet[Organization], options: Options, *, full_service: bool
) -> Iterator[dict]:
    """Organizations with what they own and their services (items, or full services)."""
    for batch in _batches(organizations, size=50):
        services: dict = defaultdict(list)
        found = Service.objects.filter(organization__in=batch).order_by("name", "id")
        if full_service:
            for item in iter_full_services(found, Options(lang=options.lang)):
                services[item["organization"]["id"]].append(item)
        else:
            for service in found:
                services[str(service.organization_id)].append(service_item(service, options))
        load("organization", batch, options)
        for organization in batch:
            item = nested("organization", organization, options)
            item["services"] = services.get(str(organization.pk), [])
            yield item


def iter_full_service_at_locations(
    links: QuerySet[ServiceAtLocation], options: Options
) -> Iterator[dict]:
    for batch in _batches(links):
        load("service_at_location", batch, options)
        for sal in batch:
            out = nested("service_at_location", sal, options)
            out["location"] = nested("location", sal.location, options)
            yield out


def taxonomy_term_out(term: TaxonomyTerm, options: Options) -> dict:
    return plain(TABLES["taxonomy_term"], term, options)


def taxonomy_out(taxonomy: Taxonomy, options: Options) -> dict:
    return plain(TABLES["taxonomy"], taxonomy, options)


TABLE_OF = {table.model: name for name, table in TABLES.items()}
