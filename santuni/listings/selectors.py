"""What CBO heads and district officers see of listings and their pending changes."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import Http404

from santuni.accounts.models import Role
from santuni.directory.models import CboProfile, Organization, Service

from .models import ListingChange


def cbo_of_head(membership) -> Organization:
    """The CBO a CBO head keeps, or PermissionDenied for any other role."""
    if membership is None or membership.role != Role.CBO_HEAD:
        raise PermissionDenied
    return Organization.objects.select_related("cbo__district").get(pk=membership.organization_id)


def service_of_head(membership, service_id) -> Service:
    """One of the head's CBO's services: Http404 if it is not theirs (or does not exist)."""
    organization = cbo_of_head(membership)
    try:
        return Service.objects.select_related("organization__cbo").get(
            pk=service_id, organization=organization
        )
    except Service.DoesNotExist:
        raise Http404 from None


def pending_change(organization: Organization, service: Service | None):
    """The listing's change waiting for verification, if any (there is at most one)."""
    return ListingChange.objects.filter(
        organization=organization, service=service, status=ListingChange.Status.PENDING
    ).first()


def listing_changes_of(organization: Organization):
    return (
        ListingChange.objects.filter(organization=organization)
        .exclude(status=ListingChange.Status.REPLACED)
        .select_related("service")
        .order_by("-submitted_at")
    )


def _officer_district(membership) -> int:
    if membership is None or membership.role != Role.DISTRICT_OFFICER:
        raise PermissionDenied
    return membership.district_id


def changes_waiting(membership):
    """The district officer's queue, oldest first."""
    return ListingChange.objects.filter(
        district=_officer_district(membership), status=ListingChange.Status.PENDING
    ).select_related("organization", "service", "submitted_by__user")


def change_for_review(membership, change_id) -> ListingChange:
    try:
        return ListingChange.objects.select_related(
            "organization__cbo", "service", "submitted_by__user"
        ).get(pk=change_id, district=_officer_district(membership))
    except ListingChange.DoesNotExist:
        raise Http404 from None


def due_for_verification(today) -> tuple[QuerySet, QuerySet]:
    """Active CBOs and their services that are not defunct, not verified for
    VERIFY_EVERY_DAYS (or never): the district officer's list and the dashboards' count."""
    due = today - timedelta(days=settings.SANTUNI["VERIFY_EVERY_DAYS"])
    stale = Q(assured_date__isnull=True) | Q(assured_date__lt=due)
    cbos = CboProfile.objects.filter(stale, is_active=True)
    services = Service.objects.filter(stale, organization__cbo__isnull=False).exclude(
        status=Service.Status.DEFUNCT
    )
    return cbos, services


def unverified_listings(membership, today) -> tuple[QuerySet, QuerySet]:
    """The district's CBOs and CBO services due for verification, oldest first."""
    district = _officer_district(membership)
    cbos, services = due_for_verification(today)
    cbos = (
        cbos.filter(district=district)
        .select_related("organization")
        .order_by(F("assured_date").asc(nulls_first=True), "organization__name")
    )
    services = (
        services.filter(organization__cbo__district=district)
        .select_related("organization")
        .order_by(F("assured_date").asc(nulls_first=True), "name")
    )
    return cbos, services


def listing_for_verification(membership, kind: str, listing_id):
    district = _officer_district(membership)
    model = Service if kind == "service" else Organization
    where = (
        {"organization__cbo__district": district}
        if kind == "service"
        else {"cbo__district": district}
    )
    try:
        return model.objects.select_related(
            "organization__cbo" if kind == "service" else "cbo"
        ).get(pk=listing_id, **where)
    except (Service.DoesNotExist, Organization.DoesNotExist, ValidationError):
        raise Http404 from None
