"""Keeps the search index in step with the directory.

Every write path calls `index_services` (or `index_related`) inside its own transaction, so
the index changes with the data or not at all. Defunct services are taken out: the public
never finds them. Deleting a service deletes its document (cascade).
"""

import math
import time
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Prefetch, Q

from santuni.directory.models import Address, Attribute, Service, ServiceAtLocation

from . import synonyms
from .models import IndexedFamily, SearchDocument, SearchWord
from .text import fold, reserved, stemmed_text

BATCH = 500
STATUS_RANK = {Service.Status.ACTIVE: 0, Service.Status.TEMPORARILY_CLOSED: 1}
MAX_WORD = 60


def _services(ids: list) -> list[Service]:
    return list(
        Service.objects.filter(pk__in=ids)
        .exclude(status=Service.Status.DEFUNCT)
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    Prefetch(
                        "location__addresses",
                        queryset=Address.objects.select_related("district", "mukim"),
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
        Attribute.objects.filter(link_entity="service", link_id__in=ids)
        .select_related("taxonomy_term")
        .order_by("taxonomy_term__taxonomy__code", "taxonomy_term__position", "taxonomy_term_id")
    )
    for row in rows:
        found.setdefault(row.link_id, []).extend(
            [row.taxonomy_term.name, row.taxonomy_term.name_en, row.value]
        )
        facets.setdefault(row.link_id, []).append(term_facet(row.taxonomy_term_id))
    return found, facets


# Facet tokens: the filters as words of their own, so that a filter is a posting-list
# intersection inside the full-text query. Their column weighs nothing. They are `reserved`:
# no typed word is one of them, so a search cannot list a district's or a mukim's services.
def district_facet(pk) -> str:
    return reserved(f"d{pk}")


def whole_district_facet(pk) -> str:
    return reserved(f"w{pk}")


def mukim_facet(pk) -> str:
    return reserved(f"m{pk}")


def name_facet(token: str) -> str:
    """A name's token again among the facets: "in the name" without a column filter,
    which would make SQLite read every match's positions."""
    return reserved(f"a{token}")


def term_facet(pk) -> str:
    return reserved(f"t{str(pk).replace('-', '')}")


# Grid cells (degrees) that hold a document's position: "near me" takes its candidates from
# the cells around the person, the smallest (about 550 m) first, then ones twice as large,
# up to about 35 km.
CELL_SIZES = (0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32)


def _cell_token(size: float, y: int, x: int) -> str:
    def number(n: int) -> str:
        return f"n{-n}" if n < 0 else str(n)

    return reserved(f"g{CELL_SIZES.index(size)}y{number(y)}x{number(x)}")


def _cell(latitude: float, longitude: float, size: float) -> tuple[int, int]:
    return math.floor(latitude / size), math.floor(longitude / size)


def cell_facet(latitude: float, longitude: float, size: float) -> str:
    return _cell_token(size, *_cell(latitude, longitude, size))


def cell_facets(latitude: float, longitude: float, size: float) -> tuple[str, ...]:
    """The cell holding a position and the eight around it."""
    y, x = _cell(latitude, longitude, size)
    return tuple(_cell_token(size, y + dy, x + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def _places(service: Service) -> tuple[list[str], list[str]]:
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
                facets.append(district_facet(address.district_id))
            if not location.publishes("addresses"):
                continue
            names += [address.city, address.district.name if address.district_id else ""]
            names.append(address.mukim.name if address.mukim_id else "")
            if address.mukim_id:
                facets.append(mukim_facet(address.mukim_id))
    for area in sorted(service.service_areas.all(), key=lambda a: a.pk):
        names += [area.name, area.district.name if area.district_id else ""]
        names.append(area.mukim.name if area.mukim_id else "")
        if area.district_id:
            facets.append(district_facet(area.district_id))
            if area.mukim_id is None:
                facets.append(whole_district_facet(area.district_id))
        if area.mukim_id:
            facets.append(mukim_facet(area.mukim_id))
    return names, facets


def _position(service: Service) -> tuple[float | None, float | None]:
    for link in sorted(service.service_at_locations.all(), key=lambda sal: sal.location_id):
        location = link.location
        if location.has_public_position:
            return location.latitude, location.longitude
    return None, None


class _IndexedFamilies:
    """The families whose tokens the index holds (IndexedFamily), as of the last check."""

    def __init__(self):
        self.tokens: frozenset[str] = frozenset()
        self.version = None
        self.checked = 0.0

    def load(self, recheck_seconds: float = 5.0) -> frozenset[str]:
        now = time.monotonic()
        if self.version is None or now - self.checked >= recheck_seconds:
            self.checked = now
            version = IndexedFamily.objects.aggregate(n=Count("id"), top=Max("id"))
            if version != self.version:
                self.tokens = frozenset(IndexedFamily.objects.values_list("token", flat=True))
                self.version = version
        return self.tokens


INDEXED = _IndexedFamilies()


def forget() -> None:
    INDEXED.version = None


def _members_by_first_key(tokens: frozenset[str]) -> dict[str, list]:
    """What `text.family_tokens` needs for the indexed families of today."""
    found: dict[str, list] = {}
    for family in synonyms.families():
        if family.token in tokens:
            for keys in family.keys:
                found.setdefault(keys[0], []).append((keys, family.token))
    return found


def document(
    service: Service,
    terms: list[str],
    facets: list[str],
    seen: set[str],
    families: dict[str, list],
) -> SearchDocument:
    names = [service.name, service.name_en, service.alternate_name]
    descriptions = [
        service.description,
        service.description_en,
        service.eligibility_description,
        service.eligibility_description_en,
        service.application_process,
        service.application_process_en,
        service.alert,
        service.alert_en,
    ]
    organization = service.organization
    related = [*terms, organization.name, organization.name_en, organization.alternate_name]
    latitude, longitude = _position(service)
    places, place_facets = _places(service)
    if latitude is not None and longitude is not None:
        place_facets += [cell_facet(latitude, longitude, size) for size in CELL_SIZES]
    name = stemmed_text(" ".join(filter(None, names)), seen, families)
    return SearchDocument(
        service=service,
        name=name,
        terms=stemmed_text(" ".join(filter(None, related + places)), seen, families),
        body=stemmed_text(" ".join(filter(None, descriptions)), seen, families),
        names_folded="| " + " | ".join(fold(n) for n in names if n) + " |",
        status_rank=STATUS_RANK.get(service.status, 2),
        latitude=latitude,
        longitude=longitude,
        assured_date=service.assured_date,
        facets=" ".join(sorted({*facets, *place_facets, *map(name_facet, name.split())})),
    )


def index_services(ids: Iterable) -> int:
    """(Re)indexes these services; returns how many documents were written."""
    ids = list(dict.fromkeys(ids))
    written = 0
    with transaction.atomic():
        # Read now, in this transaction: what the queries will take the index to hold.
        families = _members_by_first_key(INDEXED.load(recheck_seconds=0))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            services = _services(chunk)
            terms, facets = _terms([s.pk for s in services])
            seen: set[str] = set()
            documents = [
                document(
                    s, [t for t in terms.get(s.pk, []) if t], facets.get(s.pk, []), seen, families
                )
                for s in services
            ]
            listed = {s.pk for s in services}
            SearchDocument.objects.filter(
                service__in=[i for i in chunk if i not in listed]
            ).delete()
            SearchDocument.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["service"],
                update_fields=[
                    "name",
                    "terms",
                    "body",
                    "names_folded",
                    "status_rank",
                    "latitude",
                    "longitude",
                    "assured_date",
                    "facets",
                ],
            )
            SearchWord.objects.bulk_create(
                [SearchWord(word=w) for w in seen if 3 <= len(w) <= MAX_WORD],
                ignore_conflicts=True,
            )
            written += len(documents)
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
        linked = Attribute.objects.filter(link_entity="service", taxonomy_term__in=terms)
        query |= Q(pk__in=linked.values("link_id"))
    found = Service.objects.filter(query).exclude(pk__in=list(done))
    return index_services(found.values_list("pk", flat=True).distinct())


def affected_services(objects: Iterable) -> list:
    """The services whose index documents show something of these records."""
    from santuni.directory import models as m

    ids: list = []
    for obj in objects:
        if isinstance(obj, m.Service):
            ids.append(obj.pk)
        elif isinstance(obj, m.ServiceAtLocation | m.ServiceArea):
            ids.append(obj.service_id)
        elif isinstance(obj, m.Attribute) and obj.link_entity == m.Attribute.LinkEntity.SERVICE:
            ids.append(obj.link_id)
        elif isinstance(obj, m.Organization):
            ids += obj.services.values_list("pk", flat=True)
        elif isinstance(obj, m.Location | m.Address):
            location = obj.location_id if isinstance(obj, m.Address) else obj.pk
            links = m.ServiceAtLocation.objects.filter(location=location)
            ids += links.values_list("service_id", flat=True)
        elif isinstance(obj, m.TaxonomyTerm):
            linked = m.Attribute.objects.filter(link_entity="service", taxonomy_term=obj)
            ids += linked.values_list("link_id", flat=True)
    return list(dict.fromkeys(ids))


def register_families() -> None:
    """Today's families become the ones whose tokens the index holds. Only right for an
    empty index, or right before every document is written anew (`rebuild`)."""
    IndexedFamily.objects.all().delete()
    IndexedFamily.objects.bulk_create(
        {
            f.token: IndexedFamily(token=f.token, members=", ".join(" ".join(k) for k in f.keys))
            for f in synonyms.families()
        }.values()
    )


def optimize() -> None:
    """After many writes at once: SQLite's full-text index merged into one segment, without
    the deleted entries that would slow every search (PostgreSQL's VACUUM does this)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")


def rebuild() -> int:
    """The whole index from scratch, with the tokens of today's families."""
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        SearchWord.objects.all().delete()
        register_families()
        written = index_services(Service.objects.order_by("pk").values_list("pk", flat=True))
        optimize()
    return written
