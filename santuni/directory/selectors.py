"""Read queries for the public directory, including the search behind the results page.

`services_search` is the one entry point of every search of services (the results page,
the API, a referral's service picker), with words or without: it asks the search engine
and gives `ServiceResults`.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Case,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from santuni.geo.distance import KM_PER_DEGREE, squared_degrees
from santuni.geo.models import District, Mukim, State
from santuni.geo.places import gazetteer
from santuni.search import engine

from .models import (
    WEEKDAYS,
    Address,
    Attribute,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

NO_DISTANCE = 1e9
CARD_FIELDS = (
    *("id", "status", "organization", "name", "name_en", "description", "description_en"),
    *("organization__name", "organization__name_en", "organization__is_sample"),
)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    state: State | None = None
    district: District | None = None
    mukim: Mukim | None = None
    target_group: TaxonomyTerm | None = None
    need: TaxonomyTerm | None = None
    open_now: bool = False
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None  # only services this close (needs a position)

    @property
    def near(self) -> bool:
        return self.position is not None

    @property
    def position(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The text's words, split once for the whole search."""
        return tuple(engine.words(self.text))


def _at_service_locations(**lookups):
    return ServiceAtLocation.objects.filter(**lookups).values("service_id")


# Filters are `id IN (subquery)` rather than correlated EXISTS: the database works out each
# subquery once, which keeps a filtered search fast on a national directory.


def _open_filter(moment: datetime) -> Q:
    local = timezone.localtime(moment)
    day, clock, today = WEEKDAYS[local.weekday()], local.time(), local.date()
    open_rules = (
        Schedule.objects.filter(
            freq=Schedule.Freq.WEEKLY,
            byday__contains=day,
            opens_at__lte=clock,
            closes_at__gte=clock,
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    )
    open_places = open_rules.filter(location__isnull=False).values("location_id")
    return Q(id__in=open_rules.filter(service__isnull=False).values("service_id")) | Q(
        id__in=_at_service_locations(location__in=open_places)
    )


def _nearest_squared_distance(latitude: float, longitude: float) -> Subquery:
    """Squared distance in degrees to the service's nearest public location.

    Equirectangular approximation: accurate to well under 1% within a state, and plain
    arithmetic both SQLite and PostgreSQL can order by.
    """
    scale = math.cos(math.radians(latitude))
    dlat = F("location__latitude") - Value(latitude)
    dlon = (F("location__longitude") - Value(longitude)) * Value(scale)
    nearest = (
        ServiceAtLocation.objects.filter(
            service=OuterRef("pk"),
            location__is_confidential=False,
            location__latitude__isnull=False,
        )
        .annotate(d2=dlat * dlat + dlon * dlon)
        .order_by("d2")
        .values("d2")[:1]
    )
    return Subquery(nearest, output_field=FloatField())


def _facets(query: SearchQuery) -> engine.Facets:
    """The query's place and term filters as the facet tokens `indexing` gives each service
    (each tuple: one of them is needed). A place: services located in it or serving it; a
    mukim also takes the services that serve its whole district, and never matches a
    confidential place's address (`indexing._places`)."""
    found: list[tuple[str, ...]] = []
    if query.mukim is not None:
        found.append(
            (
                engine.mukim_facet(query.mukim.pk),
                engine.whole_district_facet(query.mukim.district_id),
            )
        )
    elif query.district is not None:
        found.append((engine.district_facet(query.district.pk),))
    elif query.state is not None:
        # A state: services located in or serving any of its districts.
        found.append(
            tuple(
                engine.district_facet(d.pk)
                for d in gazetteer().districts_by_id.values()
                if d.state_id == query.state.pk
            )
        )
    for term in (query.target_group, query.need):
        if term is not None:
            found.append((engine.term_facet(term.pk),))
    return tuple(found)


class Distance(TypedDict):
    distance_d2: float  # squared, in degrees, to the nearest public place (NO_DISTANCE: none)


def _with_distance(
    services: QuerySet[Service], position: tuple[float, float]
) -> "QuerySet[WithAnnotations[Service, Distance]]":
    """Each service's squared distance (degrees) to its nearest public location."""
    return services.annotate(
        distance_d2=Coalesce(
            _nearest_squared_distance(*position),
            Value(NO_DISTANCE),
            output_field=FloatField(),
        )
    )


def _narrowed(
    query: SearchQuery, *, within: QuerySet[Service] | None, now: datetime | None
) -> tuple[QuerySet[Service], bool]:
    """Listed services that pass the filters no facet can hold (the caller's `within`, open
    now, a radius), and whether any of them applied."""
    services = (within if within is not None else Service.objects.all()).exclude(
        status=Service.Status.DEFUNCT
    )
    narrowed = within is not None
    if query.open_now:
        services = services.filter(_open_filter(now or timezone.now()))
        narrowed = True
    position = query.position
    if position is not None and (query.radius_km is not None or not query.words):
        services = _with_distance(services, position)  # to filter by, or to order by
        if query.radius_km is not None:
            radius = query.radius_km / KM_PER_DEGREE
            services = services.filter(distance_d2__lte=radius * radius)
            narrowed = True
    return services, narrowed


def filtered_services(
    query: SearchQuery, *, within: QuerySet[Service] | None = None, now: datetime | None = None
) -> tuple[QuerySet[Service], bool]:
    """Listed services that pass the query's filters, and whether any filter applied."""
    services, narrowed = _narrowed(query, within=within, now=now)
    facets = _facets(query)
    if facets:
        services = services.filter(pk__in=engine.keys_holding(facets))
    return services, narrowed or bool(facets)


class ServiceResults:
    """What a search found: its services in order, loaded a page at a time (countable and
    sliceable, for a Paginator), with the stems to mark in them and a "did you mean"."""

    def __init__(
        self, found: engine.Results, load: QuerySet[Service], *, in_load_order: bool = False
    ):
        self.found = found
        self.load = load  # how a page's services are fetched (annotations included)
        # A listing's `load` has the listing's order: a page is then one query, its keys a
        # subquery.
        self.in_load_order = in_load_order

    @property
    def matched(self) -> frozenset[str]:
        return self.found.matched

    @property
    def suggestion(self) -> str:
        return self.found.suggestion

    @property
    def capped(self) -> bool:
        """Whether counting stopped at its cap (the page says "more than 1,000")."""
        return self.found.capped

    def count(self) -> int:
        return self.found.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, int):
            found = self[item : item + 1]
            if not found:
                raise IndexError(item)
            return found[0]
        start = item.start or 0
        limit = None if item.stop is None else item.stop - start
        keys = self.found.page(offset=start, limit=limit).keys
        services = self.load.filter(pk__in=keys)
        if self.in_load_order:
            return list(services)
        by_id = {s.pk: s for s in services}
        return [by_id[pk] for pk in keys if pk in by_id]

    def __iter__(self):
        return iter(self[0 : self.count()])

    def ids(self):
        """Every service's id, for a `__in` lookup (never loading the services)."""
        return self.found.every_key()


def services_search(
    query: SearchQuery,
    *,
    within: QuerySet[Service] | None = None,
    now: datetime | None = None,
    exact_count: bool = False,
    load: QuerySet[Service] | None = None,
) -> ServiceResults:
    """Services for the results page and the API: ranked by the search index when words are
    given (see `santuni.search.ranking`), otherwise active first, nearest first, by name.

    Place and term filters are facet tokens the search engine applies; the rest (open now,
    a radius, the API's own filters in `within`) a subquery of the services that pass them.
    The services are ready for `attach_listing_details`; loaded with `load` (default: what
    a result card shows, with words; every field, without).
    """
    services, narrowed = _narrowed(query, within=within, now=now)
    if query.words:
        found = engine.find(
            words=query.words,
            facets=_facets(query),
            within=services if narrowed else None,
            near=query.position,
            count_cap=None if exact_count else engine.COUNT_CAP,
        )
        if load is None:
            # What a result card shows; its distance comes from its places
            # (`attach_listing_details`).
            load = Service.objects.select_related("organization").only(*CARD_FIELDS)
        return ServiceResults(found, load.order_by())
    ordering: list[Case | str] = [
        Case(
            When(status=Service.Status.ACTIVE, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ]
    if query.near:
        ordering.append("distance_d2")
    ordering += ["name", "id"]
    found = engine.find(words=(), facets=_facets(query), within=services.order_by(*ordering))
    if load is None:
        load = Service.objects.select_related("organization")
    if query.position is not None:
        load = _with_distance(load, query.position)  # to order by, and the distance a card shows
    return ServiceResults(found, load.order_by(*ordering), in_load_order=True)


def _listing_prefetches() -> list:
    """What a result card shows of a service: phones, places and areas."""
    return [
        "phones",
        "organization__phones",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                Prefetch(
                    "location__addresses",
                    queryset=Address.objects.select_related("district", "mukim"),
                ),
                "location__phones",
            ),
        ),
        Prefetch("service_areas", queryset=ServiceArea.objects.select_related("district", "mukim")),
    ]


def attach_listing_details(
    services: list[Service], position: tuple[float, float] | None = None
) -> list[Service]:
    """Adds what a result card shows: places, phones, target groups and, from `position`,
    the distance (km) to the nearest public place.

    A fixed number of queries whatever the page size.
    """
    if not services:
        return services
    prefetch_related_objects(services, *_listing_prefetches())
    terms_by_service: dict = {s.id: [] for s in services}
    for attribute in (
        Attribute.objects.filter(link_entity="service", link_id__in=list(terms_by_service))
        .select_related("taxonomy_term__taxonomy")
        .order_by("taxonomy_term__position")
    ):
        terms_by_service[attribute.link_id].append(attribute.taxonomy_term)
    for service in services:
        terms = terms_by_service[service.id]
        service.target_groups = [t for t in terms if t.taxonomy.code == Taxonomy.TARGET_GROUPS]
        service.needs = [t for t in terms if t.taxonomy.code == Taxonomy.NEEDS]
        service.call_number = _first_phone(service)
        d2 = getattr(service, "distance_d2", None)
        if d2 is None and position is not None:
            d2 = _nearest_place_d2(service, *position)
        service.distance_km = (
            math.sqrt(d2) * KM_PER_DEGREE if d2 is not None and d2 < NO_DISTANCE else None
        )
    return services


def _nearest_place_d2(service: Service, latitude: float, longitude: float) -> float:
    """As `_nearest_squared_distance`, from the prefetched places."""
    found = [
        squared_degrees(*place, latitude, longitude)
        for sal in service.service_at_locations.all()
        if (place := sal.location.public_position) is not None
    ]
    return min(found, default=NO_DISTANCE)


def _first_phone(service: Service) -> str:
    """The number a result card offers to call: the service's, its place's, or its owner's."""
    for phones in [
        service.phones.all(),
        *(sal.location.phones.all() for sal in service.service_at_locations.all()),
        service.organization.phones.all(),
    ]:
        for phone in phones:
            if phone.type != "fax":
                return phone.number
    return ""


def service_detail(service_id) -> Service:
    """One service with everything its public page shows; raises Service.DoesNotExist."""
    service = (
        Service.objects.select_related("organization__cbo", "program")
        .prefetch_related(
            *_listing_prefetches(),
            "service_at_locations__location__schedules",
            "schedules",
            "required_documents",
            "languages",
            "cost_options",
        )
        .get(pk=service_id)
    )
    attach_listing_details([service])
    return service


def organization_detail(organization_id) -> Organization:
    """One organization with its CBO profile, phones and services."""
    organization = (
        Organization.objects.select_related("cbo__district")
        .prefetch_related(
            "phones",
            "cbo__mukims",
            "cbo__target_groups",
            Prefetch(
                "locations",
                queryset=Location.objects.prefetch_related(
                    Prefetch("addresses", queryset=Address.objects.select_related("mukim")),
                    "phones",
                ),
            ),
        )
        .get(pk=organization_id)
    )
    organization.listed_services = attach_listing_details(
        list(
            organization.services.exclude(status=Service.Status.DEFUNCT)
            .select_related("organization")
            .order_by("name")
        )
    )
    return organization


def target_group_terms() -> list[TaxonomyTerm]:
    return list(TaxonomyTerm.objects.filter(taxonomy__code=Taxonomy.TARGET_GROUPS))


def need_terms() -> list[TaxonomyTerm]:
    return list(TaxonomyTerm.objects.filter(taxonomy__code=Taxonomy.NEEDS))
