"""The HSDS API's queries: every filter is a WHERE clause, and filters combine with AND."""

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from santuni.directory.models import (
    Attribute,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from santuni.directory.selectors import (
    KM_PER_DEGREE,
    NO_DISTANCE,
    SearchQuery,
    ServiceResults,
    services_search,
)
from santuni.geo.models import District, Mukim
from santuni.geo.places import gazetteer
from santuni.search.text import words


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class ServiceFilters:
    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    district: District | None = None
    mukim: Mukim | None = None
    latitude: float | None = None
    longitude: float | None = None
    proximity: float | None = None  # metres

    @property
    def position(self) -> tuple[float, float] | None:
        """Where the search is from (the API takes both coordinates or neither)."""
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude


def district_named(value: str) -> District:
    """A district of any state by its Malay or English name, a spelling, its slug or its code;
    a name that districts of two states share needs the state ("Kota Bharu, Kelantan")."""
    places = gazetteer()
    name, _comma, state_name = value.partition(",")
    state = places.state(state_name) if state_name.strip() else None
    found = places.districts(name, state)
    if len(found) > 1:
        raise BadParameter(
            "district", f"several districts are called {name.strip()!r}: add the state"
        )
    if not found:
        raise BadParameter("district", f"no district called {value.strip()!r}")
    return found[0]


def mukim_named(value: str, district: District | None) -> Mukim:
    found = gazetteer().mukims(value, district)
    if not found:
        raise BadParameter("mukim", f"no mukim called {value.strip()!r}")
    if len(found) > 1:
        raise BadParameter(
            "mukim", f"several mukims are called {value.strip()!r}: give the district"
        )
    return found[0]


def _service_term_links(q: Q):
    return Attribute.objects.filter(q, link_entity=Attribute.LinkEntity.SERVICE).values("link_id")


def _own_filters(filters: ServiceFilters) -> QuerySet[Service]:
    """Services that pass the API's filters that the directory's search does not have."""
    within = Service.objects.all()
    if filters.taxonomy_term_id:
        within = within.filter(
            id__in=_service_term_links(Q(taxonomy_term=filters.taxonomy_term_id))
        )
    if filters.taxonomy_id:
        within = within.filter(
            id__in=_service_term_links(Q(taxonomy_term__taxonomy=filters.taxonomy_id))
        )
    if filters.organization_id:
        within = within.filter(organization_id=filters.organization_id)
    if filters.modified_after:
        within = within.filter(last_modified__gte=filters.modified_after)
    return within


def _near(filters: ServiceFilters) -> bool:
    return filters.latitude is not None


def _searches(filters: ServiceFilters) -> bool:
    """Whether the request is a search (text, place or position): the directory's search
    answers it; otherwise it is the listing of every service, for sync clients."""
    return bool(filters.search.strip() or filters.district or filters.mukim or _near(filters))


def _search(
    filters: ServiceFilters, within: QuerySet[Service], load: QuerySet[Service] | None = None
) -> ServiceResults:
    near = _near(filters)
    return services_search(
        SearchQuery(
            text=filters.search,
            district=filters.district,
            mukim=filters.mukim,
            latitude=filters.latitude,
            longitude=filters.longitude,
            radius_km=filters.proximity / 1000 if near and filters.proximity else None,
        ),
        within=within if within.query.has_filters() else None,
        exact_count=True,  # HSDS total_items is exact
        load=load,
    )


def services(filters: ServiceFilters, *, minimal: bool = False):
    """Services matching every filter, countable and sliceable for a page. With text, place
    or position: the directory's search (ranked, defunct services left out); otherwise all
    of them, by name, for sync clients. `minimal`: only each one's id and last change."""
    within = _own_filters(filters)
    if not _searches(filters):
        listing = within.order_by("name", "id")
        return listing.only("id", "last_modified") if minimal else listing
    if minimal:
        load = Service.objects.only("id", "last_modified")
    else:
        load = Service.objects.select_related("organization")  # every field is published
    return _search(filters, within, load)


def organizations(search: str = "") -> QuerySet[Organization]:
    found = Organization.objects.all()
    for word in words(search):
        found = found.filter(
            Q(name__icontains=word)
            | Q(name_en__icontains=word)
            | Q(alternate_name__icontains=word)
            | Q(description__icontains=word)
        )
    return (
        found.select_related("cbo__district")
        .prefetch_related("cbo__mukims", "cbo__target_groups")
        .order_by("name", "id")
    )


def postcode_centre(postcode: str) -> tuple[float, float] | None:
    """The centre of the public locations with an address in this postcode, else of the
    postcode's district in the gazetteer."""
    centre = ServiceAtLocation.objects.filter(
        location__is_confidential=False,
        location__latitude__isnull=False,
        location__addresses__postal_code=postcode,
    ).aggregate(lat=Avg("location__latitude"), lng=Avg("location__longitude"))
    if centre["lat"] is not None:
        return centre["lat"], centre["lng"]
    known = gazetteer().postcode(postcode)
    if known is not None and known.district is not None:
        return known.district.latitude, known.district.longitude
    return None


def service_at_locations(
    filters: ServiceFilters, postcode: str = ""
) -> QuerySet[ServiceAtLocation]:
    within = _own_filters(filters)
    # A search's matches, or for sync clients every service.
    ids = _search(filters, within).ids() if _searches(filters) else within.values("id")
    found = ServiceAtLocation.objects.filter(service__in=ids)
    if postcode:
        # Confidential places never match a place filter: that would reveal where they are.
        in_postcode = Q(location__addresses__postal_code=postcode, location__is_confidential=False)
        districts = District.objects.filter(
            addresses__postal_code=postcode, addresses__location__is_confidential=False
        ).values("id")
        # Services serving the districts of the postcode's public addresses, or the district
        # the gazetteer gives the postcode (a postcode no listed place has yet).
        known = gazetteer().postcode(postcode)
        serving = Q(district__in=districts)
        if known is not None and known.district is not None:
            serving |= Q(district=known.district.pk)
        covered = Exists(ServiceArea.objects.filter(serving, service=OuterRef("service")))
        found = found.filter(in_postcode | Q(covered)).distinct()
    centre = None
    if filters.proximity is not None:
        centre = postcode_centre(postcode) if postcode else None
        if filters.position is not None:
            centre = filters.position
        if centre is None:
            raise BadParameter("postcode", f"no known place with postcode {postcode!r}")
        latitude, longitude = centre
        scale = math.cos(math.radians(latitude))
        dlat = F("location__latitude") - Value(latitude)
        dlon = (F("location__longitude") - Value(longitude)) * Value(scale)
        radius = filters.proximity / 1000 / KM_PER_DEGREE
        found = (
            found.filter(location__is_confidential=False, location__latitude__isnull=False)
            .annotate(
                d2=Coalesce(
                    dlat * dlat + dlon * dlon, Value(NO_DISTANCE), output_field=FloatField()
                )
            )
            .filter(d2__lte=radius * radius)
            .order_by("d2", "id")
        )
        return found.select_related("location")
    return found.select_related("location").order_by("service__name", "id")


def taxonomy_terms(
    *, search: str = "", taxonomy_id=None, parent_id=None, top_only: bool = False
) -> QuerySet[TaxonomyTerm]:
    found = TaxonomyTerm.objects.select_related("taxonomy")
    for word in words(search):
        found = found.filter(Q(name__icontains=word) | Q(name_en__icontains=word))
    if taxonomy_id:
        found = found.filter(taxonomy=taxonomy_id)
    if parent_id:
        found = found.filter(parent=parent_id)
    if top_only:
        found = found.filter(parent__isnull=True)
    return found.order_by("taxonomy__name", "position", "name", "id")
