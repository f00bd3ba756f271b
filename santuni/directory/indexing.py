"""Each listed service's search document, kept in step with the directory.

Every write path calls `index_services` (or `index_related`) inside its own transaction, so
the index changes with the data or not at all. Defunct services, and services deleted, are
taken out: the public never finds them.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch, Q

from santuni.search import engine

from . import models

BATCH = 500
STATUS_RANK: dict[str, int] = {
    models.Service.Status.ACTIVE: 0,
    models.Service.Status.TEMPORARILY_CLOSED: 1,
}


def _services(ids: list) -> list[models.Service]:
    return list(
        models.Service.objects.filter(pk__in=ids)
        .exclude(status=models.Service.Status.DEFUNCT)
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=models.ServiceAtLocation.objects.select_related(
                    "location"
                ).prefetch_related(
                    Prefetch(
                        "location__addresses",
                        queryset=models.Address.objects.select_related("district", "mukim"),
                    )
                ),
            ),
            "service_areas__district",
            "service_areas__mukim",
        )
    )


def _terms(ids: list) -> tuple[dict, dict]:
    """Each service's term texts, and its terms' facet tokens."""
    found: dict = {}
    facets: dict = {}
    # In a fixed order: PostgreSQL's ranking weighs where words stand.
    rows = (
        models.Attribute.objects.filter(link_entity="service", link_id__in=ids)
        .select_related("taxonomy_term")
        .order_by("taxonomy_term__taxonomy__code", "taxonomy_term__position", "taxonomy_term_id")
    )
    for row in rows:
        found.setdefault(row.link_id, []).extend(
            [row.taxonomy_term.name, row.taxonomy_term.name_en, row.value]
        )
        facets.setdefault(row.link_id, []).append(engine.term_facet(row.taxonomy_term_id))
    return found, facets


def _places(service: models.Service) -> tuple[list[str], list[str]]:
    """Place names the text holds, and place facets, as the directory's place filter: located
    in, or serving. A shelter is found by its district only: its street, town and mukim
    must not lead to it: what of a place may be published (`Location.publishes`) is all its
    words."""
    names, facets = [], []
    for link in sorted(service.service_at_locations.all(), key=lambda sal: sal.location_id):
        location = link.location
        names += [getattr(location, f) for f in ("name", "name_en") if location.publishes(f)]
        for address in sorted(location.addresses.all(), key=lambda a: a.pk):
            if address.district_id:
                facets.append(engine.district_facet(address.district_id))
            if not location.publishes("addresses"):
                continue
            names += [address.city, address.district.name if address.district is not None else ""]
            names.append(address.mukim.name if address.mukim is not None else "")
            if address.mukim_id:
                facets.append(engine.mukim_facet(address.mukim_id))
    for area in sorted(service.service_areas.all(), key=lambda a: a.pk):
        names += [area.name, area.district.name if area.district is not None else ""]
        names.append(area.mukim.name if area.mukim is not None else "")
        if area.district_id:
            facets.append(engine.district_facet(area.district_id))
            if area.mukim_id is None:
                facets.append(engine.whole_district_facet(area.district_id))
        if area.mukim_id:
            facets.append(engine.mukim_facet(area.mukim_id))
    return names, facets


def _position(service: models.Service) -> tuple[float | None, float | None]:
    for link in sorted(service.service_at_locations.all(), key=lambda sal: sal.location_id):
        position = link.location.public_position
        if position is not None:
            return position
    return None, None


def document(service: models.Service, terms: list[str], facets: list[str]) -> engine.Document:
    """What the index holds of a service: its names, then its groups, needs, owner and
    places, then its descriptions."""
    organization = service.organization
    related = [*terms, organization.name, organization.name_en, organization.alternate_name]
    latitude, longitude = _position(service)
    places, place_facets = _places(service)
    return engine.Document(
        key=service.pk,
        names=[service.name, service.name_en, service.alternate_name],
        terms=related + places,
        body=[
            service.description,
            service.description_en,
            service.eligibility_description,
            service.eligibility_description_en,
            service.application_process,
            service.application_process_en,
            service.alert,
            service.alert_en,
        ],
        facets=[*facets, *place_facets],
        rank=STATUS_RANK.get(service.status, 2),
        latitude=latitude,
        longitude=longitude,
        assured_date=service.assured_date,
    )


def index_services(ids: Iterable) -> int:
    """(Re)indexes these services (those defunct or deleted are taken out); returns how many
    documents were written."""
    ids = list(dict.fromkeys(ids))
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            services = _services(chunk)
            terms, facets = _terms([s.pk for s in services])
            listed = {s.pk for s in services}
            written += engine.write(
                [
                    document(s, [t for t in terms.get(s.pk, []) if t], facets.get(s.pk, []))
                    for s in services
                ],
                gone=[i for i in chunk if i not in listed],
            )
    return written


def index_related(
    *,
    organizations: Iterable = (),
    locations: Iterable = (),
    terms: Iterable = (),
    done: Iterable = (),
) -> int:
    """Reindexes the services whose text includes these organizations, places or terms
    (except those in `done`, just indexed)."""
    organizations, locations, terms = list(organizations), list(locations), list(terms)
    if not (organizations or locations or terms):
        return 0
    query = Q(pk__in=[])
    if organizations:
        query |= Q(organization__in=organizations)
    if locations:
        query |= Q(service_at_locations__location__in=locations)
    if terms:
        linked = models.Attribute.objects.filter(link_entity="service", taxonomy_term__in=terms)
        query |= Q(pk__in=linked.values("link_id"))
    found = models.Service.objects.filter(query).exclude(pk__in=list(done))
    return index_services(found.values_list("pk", flat=True).distinct())


def affected_services(objects: Iterable) -> list:
    """The services whose index documents show something of these records."""
    ids: list = []
    for obj in objects:
        if isinstance(obj, models.Service):
            ids.append(obj.pk)
        elif isinstance(obj, models.ServiceAtLocation | models.ServiceArea):
            ids.append(obj.service_id)
        elif (
            isinstance(obj, models.Attribute)
            and obj.link_entity == models.Attribute.LinkEntity.SERVICE
        ):
            ids.append(obj.link_id)
        elif isinstance(obj, models.Organization):
            ids += obj.services.values_list("pk", flat=True)
        elif isinstance(obj, models.Location | models.Address):
            location = obj.location_id if isinstance(obj, models.Address) else obj.pk
            links = models.ServiceAtLocation.objects.filter(location=location)
            ids += links.values_list("service_id", flat=True)
        elif isinstance(obj, models.TaxonomyTerm):
            linked = models.Attribute.objects.filter(link_entity="service", taxonomy_term=obj)
            ids += linked.values_list("link_id", flat=True)
    return list(dict.fromkeys(ids))


def rebuild() -> int:
    """The whole index from scratch, with the tokens of today's families."""
    with transaction.atomic():
        engine.clear()
        written = index_services(models.Service.objects.order_by("pk").values_list("pk", flat=True))
        engine.optimize()
    return written
