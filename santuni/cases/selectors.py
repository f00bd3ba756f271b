"""Who sees which cases and referrals, and the lists (inboxes) built on that.

A CBO head sees the CBO's cases; a CBO member the cases they opened; an agency focal point
the referrals sent to their organisation from the district or state they act in (not the case
behind them); a district officer everything in the district, a state officer everything in
the state (read, not worked on: the district officers do that). Anyone else sees nothing, and
an id they guess is a 404.
"""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from santuni.accounts.models import Membership, Role
from santuni.directory.models import Service, ServiceArea, ServiceAtLocation, TaxonomyTerm
from santuni.directory.selectors import SearchQuery, services_search
from santuni.geo.models import District

from .models import (
    LATE_STEPS,
    TARGET_GROUPS,
    Case,
    Notification,
    Referral,
    ReferralEvent,
    overdue_filter,
)

# Who works on cases (notes, documents); and who reads them, the state officer too.
CASE_ROLES = (Role.CBO_MEMBER, Role.CBO_HEAD, Role.DISTRICT_OFFICER)
CASE_READERS = (*CASE_ROLES, Role.STATE_OFFICER)
REFERRAL_ROLES = (*CASE_READERS, Role.AGENCY_FOCAL_POINT)
# Officers who see every case of their area, and a person recorded twice in it.
OFFICERS = (Role.DISTRICT_OFFICER, Role.STATE_OFFICER)


def cases_visible_to(membership: Membership) -> QuerySet[Case]:
    cases = Case.objects.all()
    if membership.role == Role.CBO_HEAD:
        return cases.filter(organization=membership.organization_id)
    if membership.role == Role.CBO_MEMBER:
        return cases.filter(organization=membership.organization_id, opened_by=membership)
    if membership.role == Role.DISTRICT_OFFICER:
        return cases.filter(district=membership.district_id)
    if membership.role == Role.STATE_OFFICER:
        return cases.filter(membership.area("district", "state"))
    return cases.none()


def referrals_visible_to(membership: Membership) -> QuerySet[Referral]:
    if membership.role == Role.AGENCY_FOCAL_POINT:
        # Drafts and records of a person who went on their own are the sender's business. A
        # referral's district is its case's.
        return Referral.objects.filter(
            membership.area("district", "state"),
            organization=membership.organization_id,
            mode=Referral.Mode.LIVE,
            sent_at__isnull=False,
        )
    if membership.role in OFFICERS:
        # A referral's district and state are its case's: read from the referrals' own
        # indexes, not through the cases.
        return Referral.objects.filter(membership.area("district", "state"))
    return Referral.objects.filter(case__in=cases_visible_to(membership))


def case_for(membership: Membership, case_id, *, lock: bool = False) -> Case:
    cases = cases_visible_to(membership)
    if lock:
        cases = cases.select_for_update(of=("self",))
    case = cases.select_related("client", "organization", "district", "opened_by__user").filter(
        pk=case_id
    )
    try:
        return case.get()
    except Case.DoesNotExist:
        raise Http404 from None


def referral_for(membership: Membership, referral_id, *, lock: bool = False) -> Referral:
    referrals = referrals_visible_to(membership)
    if lock:
        referrals = referrals.select_for_update(of=("self",))
    referral = referrals.select_related(
        "case__client__mukim",
        "case__organization",
        "case__opened_by__user",
        "service",
        "organization",
        "district",
    ).filter(pk=referral_id)
    try:
        return referral.get()
    except Referral.DoesNotExist:
        raise Http404 from None


def possible_duplicates(membership: Membership, case: Case) -> list[Case]:
    """For an officer, who sees the whole district or state: other people's cases recorded
    with the same MyKad number (by its keyed hash), perhaps by another CBO."""
    client = case.client
    if membership.role not in OFFICERS or not client.mykad_hash:
        return []
    return list(
        cases_visible_to(membership)
        .filter(client__mykad_hash=client.mykad_hash, client__anonymised_at__isnull=True)
        .exclude(client=client)
        .select_related("organization")
        .order_by("-opened_at")[:10]
    )


# How many services the picker offers for the words typed.
PICKER_SIZE = 10


@dataclass(frozen=True)
class ServiceChoice:
    """A service as the picker offers it: what a person recognises it by, never its id."""

    service: Service
    # Where it is (its public places) or, without one, the districts it covers.
    districts: tuple[str, ...]

    @property
    def where(self) -> str:
        shown = ", ".join(self.districts[:2])
        more = len(self.districts) - 2
        return f"{shown} +{more}" if more > 0 else shown


def _districts(service: Service, first: District) -> tuple[str, ...]:
    """The districts of the service's public places, else of its areas; the case's first.
    A confidential place (a shelter) is never placed, not even by its district."""
    found = [
        address.district
        for sal in service.service_at_locations.all()
        if not sal.location.is_confidential
        for address in sal.location.addresses.all()
        if address.district is not None
    ] or [area.district for area in service.service_areas.all() if area.district is not None]
    unique = sorted(set(found), key=lambda d: (d.pk != first.pk, d.tr.name))
    return tuple(d.tr.name for d in unique)


def service_choices(text: str, *, district: District, exclude=None) -> list[ServiceChoice]:
    """The services the words find, to refer a person of this district to: the directory's
    own search, those in or serving the district first, then the rest of its state."""
    if not text.strip():
        return []
    found: list[Service] = []
    for query in (
        SearchQuery(text=text, district=district),
        SearchQuery(text=text, state=district.state),
    ):
        for service in services_search(query)[: PICKER_SIZE * 2]:
            usable = service.is_available and service.pk != exclude
            if usable and all(service.pk != s.pk for s in found):
                found.append(service)
        if len(found) >= PICKER_SIZE:
            break
    return _as_choices(found[:PICKER_SIZE], district)


def service_choice(service_id, *, district: District, exclude=None) -> ServiceChoice | None:
    """The service already chosen in the picker, shown again as it was offered (if it can
    still be chosen)."""
    found = Service.objects.select_related("organization").filter(
        pk=service_id, status=Service.Status.ACTIVE
    )
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return next(iter(_as_choices(list(found), district)), None)


def _as_choices(services: list[Service], district: District) -> list[ServiceChoice]:
    places = Prefetch(
        "service_at_locations",
        queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
            "location__addresses__district"
        ),
    )
    areas = Prefetch("service_areas", queryset=ServiceArea.objects.select_related("district"))
    prefetch_related_objects(services, places, areas)
    return [ServiceChoice(service, _districts(service, district)) for service in services]


def target_groups() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(taxonomy__code=TARGET_GROUPS).order_by("name")


@dataclass(frozen=True)
class ListFilter:
    status: str = ""
    urgency: str = ""
    target_group: TaxonomyTerm | None = None
    overdue: bool = False


def case_list(membership: Membership, filters: ListFilter) -> QuerySet[Case]:
    cases = cases_visible_to(membership)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.urgency:
        cases = cases.filter(urgency=filters.urgency)
    if filters.target_group:
        cases = cases.filter(client__target_groups=filters.target_group)
    # Counted per case shown, by a subquery each: a join to every referral of the district or
    # state, grouped by case, would count them all for one page (and again for its count).
    of_case = Referral.objects.filter(case=OuterRef("pk"))
    return (
        cases.select_related("client", "organization")
        .prefetch_related("client__target_groups")
        .annotate(
            open_referrals=_count(of_case.filter(status__in=Referral.OPEN)),
            returned_referrals=_count(of_case.filter(status__in=Referral.RETURNED)),
        )
        .order_by("-opened_at")
    )


def _count(queryset: QuerySet) -> Subquery:
    """COUNT(*) of a correlated queryset, as a scalar subquery (0 when nothing matches)."""
    counted = queryset.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
    return Subquery(counted.values("n"), output_field=IntegerField())


def referral_list(membership: Membership, filters: ListFilter) -> QuerySet[Referral]:
    referrals = referrals_visible_to(membership)
    if filters.status:
        referrals = referrals.filter(status=filters.status)
    if filters.urgency:
        referrals = referrals.filter(case__urgency=filters.urgency)
    if filters.target_group:
        referrals = referrals.filter(case__client__target_groups=filters.target_group)
    if filters.overdue:
        referrals = referrals.filter(overdue_filter(timezone.now()))
    return _listed(referrals).order_by("-created_at")


def _listed(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """What a list shows of each referral, read with it."""
    return referrals.select_related(
        "case__client", "case__organization", "service", "organization"
    ).prefetch_related("case__client__target_groups")


def case_timeline(case: Case) -> list[Referral]:
    """The case's referrals, each with its events in order, in two queries."""
    events = ReferralEvent.objects.select_related("actor__user", "actor__organization")
    return list(
        case.referrals.select_related("service", "organization")
        .prefetch_related(Prefetch("events", queryset=events))
        .order_by("created_at")
    )


def referral_events(referral: Referral) -> list[ReferralEvent]:
    return list(
        referral.events.select_related("actor__user", "actor__organization").order_by("at", "id")
    )


def overdue_referrals(membership: Membership, limit: int = 50) -> list[Referral]:
    """The `limit` most overdue referrals the membership sees, the latest first (by the target
    time each one missed). Step by step, each read in due order from an index on (district or
    state, status, due time) and merged: the OR of the steps would read every referral of a
    district or state."""
    now = timezone.now()
    visible = referrals_visible_to(membership).order_by()
    late: list[tuple] = []
    for status, due in LATE_STEPS:
        step = visible.filter(status=status, **{f"{due}__lt": now}).order_by(due)
        late += step.values_list(due, "pk")[:limit]
    chosen = [pk for _due, pk in sorted(late)[:limit]]
    # By their keys alone (they are the visible ones): with the district or state beside
    # them, SQLite would read the area's referrals to find them.
    found = _listed(Referral.objects.all()).in_bulk(chosen)
    return [found[pk] for pk in chosen]


def status_counts(membership: Membership) -> dict[str, int]:
    # COUNT(*): an index on (district or state, status) answers it without reading the rows.
    rows = referrals_visible_to(membership).values("status").annotate(n=Count("*"))
    return {row["status"]: row["n"] for row in rows.order_by()}


def notifications_of(user, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).select_related("referral")[:limit])


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
