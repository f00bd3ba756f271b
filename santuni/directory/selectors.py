"""Read queries for the public directory, including the search behind the results page.

`services_search` is the one entry point the results page uses: words typed go to the ranked
full-text index of santuni.search, filters alone to a plain query.
"""

import math
from dataclasses import dataclass, replace
from datetime import datetime

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
from santuni.geo.models import District, Mukim
from santuni.search.index import district_facet, mukim_facet, term_facet, whole_district_facet
from santuni.search.ranking import COUNT_CAP, ranked
from santuni.search.text import words

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

NO_DISTANCE = 1e9
CARD_FIELDS = (
    *("id", "status", "organization", "name", "name_en", "description", "description_en"),
    *("organization__name", "organization__name_en", "organization__is_sample"),
)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
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
        return self.latitude is not None and self.longitude is not None


def _term_links(term_filter: Q):
    return Attribute.objects.filter(term_filter, link_entity=Attribute.LinkEntity.SERVICE).values(
        "link_id"
    )


def _at_service_locations(**lookups):
    return ServiceAtLocation.objects.filter(**lookups).values("service_id")


# Filters are `id IN (subquery)` rather than correlated EXISTS: the database works out each
# subquery once, which keeps a filtered search fast on a national directory.


def _place_filter(district: District, mukim: Mukim | None) -> Q:
    """Services located in, or covering, the district or mukim."""
    if mukim is not None:
        # A shelter's mukim would narrow down where it is: it matches by its service area only.
        located = _at_service_locations(
            location__addresses__mukim=mukim, location__is_confidential=False
        )
        covers = ServiceArea.objects.filter(
            Q(mukim=mukim) | Q(district=mukim.district_id, mukim__isnull=True)
        ).values("service_id")
        return Q(id__in=located) | Q(id__in=covers)
    located = _at_service_locations(location__addresses__district=district)
    covers = ServiceArea.objects.filter(district=district).values("service_id")
    return Q(id__in=located) | Q(id__in=covers)


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


def _facets(query: SearchQuery) -> tuple[tuple[str, ...], ...]:
    """The query's place and term filters as the search index's facet tokens (each tuple:
    one of them is needed), matching what `_place_filter` and `_term_links` select."""
    found = []
    if query.mukim is not None:
        found.append((mukim_facet(query.mukim.pk), whole_district_facet(query.mukim.district_id)))
    elif query.district is not None:
        found.append((district_facet(query.district.pk),))
    for term in (query.target_group, query.need):
        if term is not None:
            found.append((term_facet(term.pk),))
    return tuple(found)


def _with_distance(services: QuerySet[Service], query: SearchQuery) -> QuerySet[Service]:
    """Each service's squared distance (degrees) to its nearest public location."""
    return services.annotate(
        distance_d2=Coalesce(
            _nearest_squared_distance(query.latitude, query.longitude),
            Value(NO_DISTANCE),
            output_field=FloatField(),
        )
    )


def filtered_services(
    query: SearchQuery, *, within: QuerySet[Service] | None = None, now: datetime | None = None
) -> tuple[QuerySet[Service], bool]:
    """Listed services that pass the query's filters, and whether any filter applied."""
    services = (within if within is not None else Service.objects.all()).exclude(
        status=Service.Status.DEFUNCT
    )
    filtered = within is not None
    if query.district or query.mukim:
        services = services.filter(
            _place_filter(query.mukim.district if query.mukim else query.district, query.mukim)
        )
        filtered = True
    for term in (query.target_group, query.need):
        if term is not None:
            services = services.filter(id__in=_term_links(Q(taxonomy_term=term)))
            filtered = True
    if query.open_now:
        services = services.filter(_open_filter(now or timezone.now()))
        filtered = True
    if query.near and (query.radius_km is not None or not words(query.text)):
        services = _with_distance(services, query)  # to filter by, or to order by
        if query.radius_km is not None:
            radius = query.radius_km / KM_PER_DEGREE
            services = services.filter(distance_d2__lte=radius * radius)
            filtered = True
    return services, filtered


def services_search(
    query: SearchQuery,
    *,
    within: QuerySet[Service] | None = None,
    now: datetime | None = None,
    exact_count: bool = False,
    load: QuerySet[Service] | None = None,
):
    """Services for the results page and the API: ranked by the search index when words are
    given (see `santuni.search.query`), otherwise active first, nearest first, by name.

    Returns something a Paginator takes (a queryset, or ranked results); its services are
    ready for `attach_listing_details`. Ranked services are loaded with `load` (default:
    the fields a result card shows).
    """
    if words(query.text):
        # Place and term filters run inside the full-text query, as facet tokens; the rest
        # (open now, a radius, the API's own) as a subquery.
        rest = replace(query, district=None, mukim=None, target_group=None, need=None)
        services, filtered = filtered_services(rest, within=within, now=now)
        if load is None:
            # What a result card shows; its distance comes from its places
            # (`attach_listing_details`).
            load = Service.objects.select_related("organization").only(*CARD_FIELDS)
        load = load.order_by()
        return ranked(
            query.text,
            services,
            filtered=filtered,
            latitude=query.latitude,
            longitude=query.longitude,
            load=load,
            facets=_facets(query),
            count_cap=None if exact_count else COUNT_CAP,
        )
    services, filtered = filtered_services(query, within=within, now=now)
    ordering = [
        Case(
            When(status=Service.Status.ACTIVE, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ]
    if query.near:
        ordering.append("distance_d2")
    ordering += ["name", "id"]
    return services.select_related("organization").order_by(*ordering)


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
        squared_degrees(sal.location.latitude, sal.location.longitude, latitude, longitude)
        for sal in service.service_at_locations.all()
        if sal.location.has_public_position
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
