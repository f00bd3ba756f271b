"""Where to apply: the district welfare office (Pejabat Kebajikan Masyarakat Daerah) of the
directory, and its aid service, for the screener's answer and its referral."""

from django.db.models import Case, Count, Prefetch, Q, When

from santuni.directory.models import Attribute, Location, Organization, Service
from santuni.geo.models import District

OFFICE_NAME = "Pejabat Kebajikan Masyarakat Daerah"
AID_NEED = "bantuan-kewangan"


def welfare_office(district: District | None) -> Organization | None:
    """The district's welfare office as listed in the directory (address in the district)."""
    if district is None:
        return None
    locations = Location.objects.filter(is_confidential=False).prefetch_related("addresses")
    return (
        Organization.objects.filter(
            name__startswith=OFFICE_NAME, locations__addresses__district=district
        )
        .annotate(
            services_open=Count("services", filter=Q(services__status="active"), distinct=True)
        )
        # The office that lists services first, should a district have two records.
        .order_by("-services_open", "name")
        .prefetch_related("phones", Prefetch("locations", queryset=locations))
        .first()
    )


def aid_service(office: Organization | None) -> Service | None:
    """The office's service for financial aid (tagged with the need), else its first service."""
    if office is None:
        return None
    services = Service.objects.filter(organization=office, status=Service.Status.ACTIVE)
    tagged = Attribute.objects.filter(
        link_entity=Attribute.LinkEntity.SERVICE, taxonomy_term__code=AID_NEED
    ).values("link_id")
    # Monthly financial aid ("bantuan kewangan") before devices or registration.
    monthly_first = Case(When(name__icontains="bantuan kewangan", then=0), default=1)
    ranked = services.order_by(monthly_first, "name")
    return ranked.filter(id__in=tagged).first() or ranked.first()
