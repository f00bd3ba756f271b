"""The directory's data: HSDS 3.0 tables, with Malaysian extensions beside the HSDS fields.

Field names follow ../shared/hsds/schema. Every text a person reads has a Malay value (the
HSDS field itself, required where HSDS requires it) and an English twin `<field>_en` that
falls back to Malay (see `santuni.lib.i18n`).
"""

import uuid
from datetime import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from santuni.geo.distance import google_maps_url, waze_url
from santuni.geo.models import (
    LATITUDE_VALIDATORS,
    LONGITUDE_VALIDATORS,
    District,
    Mukim,
    State,
)
from santuni.lib.i18n import TranslatedMixin

from . import confidential


def en(label):
    """Verbose name of the English twin of a field."""
    return format_lazy("{} ({})", label, _("English"))


class HsdsModel(TranslatedMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


# --- taxonomies -------------------------------------------------------------------------


class Taxonomy(HsdsModel):
    TARGET_GROUPS = "kumpulan-sasar"
    NEEDS = "keperluan"

    code = models.SlugField(_("code"), unique=True, help_text=_("Stable identifier."))
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(en(_("name")), max_length=200, blank=True)
    description = models.TextField(_("description"))
    description_en = models.TextField(en(_("description")), blank=True)
    uri = models.URLField(_("URI"), blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HsdsModel):
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.PROTECT, related_name="terms", verbose_name=_("taxonomy")
    )
    code = models.SlugField(_("code"), help_text=_("Stable identifier used in links."))
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(en(_("name")), max_length=200, blank=True)
    description = models.TextField(_("description"))
    description_en = models.TextField(en(_("description")), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    term_uri = models.URLField(_("term URI"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["taxonomy", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="dir_term_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


# --- organizations ----------------------------------------------------------------------


class Organization(HsdsModel):
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(en(_("name")), max_length=300, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    description_en = models.TextField(en(_("description")), blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    uri = models.URLField(_("URI"), blank=True)
    logo = models.URLField(_("logo"), blank=True)
    year_incorporated = models.PositiveSmallIntegerField(
        _("year incorporated"), null=True, blank=True
    )
    legal_status = models.CharField(_("legal status"), max_length=200, blank=True)
    parent_organization = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organization"),
    )
    is_sample = models.BooleanField(
        _("sample data"),
        default=False,
        help_text=_("Fictional demonstration record, shown with a 'Sample' label."),
    )
    last_modified = models.DateTimeField(_("last modified"), auto_now=True)

    # Not a column: its services as result cards, set by `selectors.organization_detail`.
    listed_services: list["Service"]

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CboProfile(models.Model):
    """What makes an organization a Community-Based Organisation (Malaysian extension)."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="cbo",
        verbose_name=_("organization"),
    )
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="cbos", verbose_name=_("district")
    )
    mukims = models.ManyToManyField(
        Mukim, related_name="cbos", blank=True, verbose_name=_("mukims covered")
    )
    target_groups = models.ManyToManyField(
        TaxonomyTerm,
        related_name="cbos",
        blank=True,
        limit_choices_to={"taxonomy__code": Taxonomy.TARGET_GROUPS},
        verbose_name=_("target groups"),
    )
    head_name = models.CharField(_("CBO head's name"), max_length=200, blank=True)
    head_phone = models.CharField(_("CBO head's phone"), max_length=20, blank=True)
    head_consent = models.BooleanField(
        _("head consents to publishing name and phone"), default=False
    )
    head_appointed_date = models.DateField(_("date the head was appointed"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("number of members"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    assured_date = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("When a district officer last verified the CBO's profile."),
    )

    class Meta:
        verbose_name = _("CBO profile")
        verbose_name_plural = _("CBO profiles")

    def __str__(self) -> str:
        return self.organization.name


class OrganizationIdentifier(HsdsModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="organization_identifiers"
    )
    identifier_scheme = models.CharField(_("identifier scheme"), max_length=100, blank=True)
    identifier_type = models.CharField(_("identifier type"), max_length=100)
    identifier = models.CharField(_("identifier"), max_length=200)

    class Meta:
        verbose_name = _("organization identifier")
        verbose_name_plural = _("organization identifiers")

    def __str__(self) -> str:
        return f"{self.identifier_type}: {self.identifier}"


class Program(HsdsModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(en(_("name")), max_length=300, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    description_en = models.TextField(en(_("description")), blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- services ---------------------------------------------------------------------------


class Service(HsdsModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("organization"),
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("programme"),
    )
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(en(_("name")), max_length=300, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(en(_("description")), blank=True)
    url = models.URLField(_("web page"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    interpretation_services = models.TextField(_("interpretation services"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    application_process_en = models.TextField(en(_("how to apply")), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    fees_description_en = models.TextField(en(_("fees")), blank=True)
    wait_time = models.CharField(_("wait time"), max_length=200, blank=True)
    accreditations = models.TextField(_("accreditations"), blank=True)
    licenses = models.TextField(_("licences"), blank=True)
    eligibility_description = models.TextField(_("who qualifies"), blank=True)
    eligibility_description_en = models.TextField(en(_("who qualifies")), blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    alert = models.TextField(_("alert"), blank=True)
    alert_en = models.TextField(en(_("alert")), blank=True)
    assured_date = models.DateField(
        _("last checked"), null=True, blank=True, help_text=_("When a person last verified it.")
    )
    assurer_email = models.EmailField(_("checked by (email)"), blank=True)
    # Set by each write (admin, import), not auto_now: an HSDS import keeps the source's date.
    last_modified = models.DateTimeField(_("last modified"), default=timezone.now, editable=False)

    # Not columns: what a result card shows, set by `selectors.attach_listing_details`.
    target_groups: list[TaxonomyTerm]
    needs: list[TaxonomyTerm]
    call_number: str
    distance_km: float | None

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="dir_service_age_range",
                violation_error_message=_("The minimum age is above the maximum age."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_available(self) -> bool:
        return self.status == self.Status.ACTIVE


# --- locations --------------------------------------------------------------------------


class Location(HsdsModel):
    class LocationType(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        POSTAL = "postal", _("Postal")
        VIRTUAL = "virtual", _("Virtual")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="locations",
        null=True,
        blank=True,
        verbose_name=_("organization"),
    )
    location_type = models.CharField(
        _("location type"),
        max_length=10,
        choices=LocationType.choices,
        default=LocationType.PHYSICAL,
    )
    url = models.URLField(_("web page"), blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    name_en = models.CharField(en(_("name")), max_length=300, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(en(_("description")), blank=True)
    transportation = models.TextField(_("getting there"), blank=True)
    transportation_en = models.TextField(en(_("getting there")), blank=True)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=LATITUDE_VALIDATORS
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=LONGITUDE_VALIDATORS
    )
    external_identifier = models.CharField(_("external identifier"), max_length=200, blank=True)
    external_identifier_type = models.CharField(
        _("external identifier type"), max_length=100, blank=True
    )
    is_confidential = models.BooleanField(
        _("confidential address"),
        default=False,
        help_text=_(
            "For shelters: the address and map position are never shown to the public, "
            "only the phone."
        ),
    )

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="dir_location_both_coordinates",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)

    def publishes(self, name: str) -> bool:
        """Whether this field, or these related records, may leave the system: all of them
        unless the place is confidential (`santuni.directory.confidential` decides)."""
        return not self.is_confidential or confidential.publishes(Location, name)

    @property
    def public_addresses(self) -> list["Address"]:
        return list(self.addresses.all()) if self.publishes("addresses") else []

    @property
    def public_position(self) -> tuple[float, float] | None:
        """(latitude, longitude), where the place has both and they may be published."""
        if self.latitude is None or self.longitude is None:
            return None
        if not (self.publishes("latitude") and self.publishes("longitude")):
            return None
        return self.latitude, self.longitude

    @property
    def has_public_position(self) -> bool:
        return self.public_position is not None

    @property
    def waze_url(self) -> str:
        position = self.public_position
        return waze_url(*position) if position is not None else ""

    @property
    def google_maps_url(self) -> str:
        position = self.public_position
        return google_maps_url(*position) if position is not None else ""


class Address(HsdsModel):
    class AddressType(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        POSTAL = "postal", _("Postal")
        VIRTUAL = "virtual", _("Virtual")

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("location")
    )
    attention = models.CharField(_("attention"), max_length=200, blank=True)
    address_1 = models.CharField(_("address line 1"), max_length=300)
    address_2 = models.CharField(_("address line 2"), max_length=300, blank=True)
    city = models.CharField(_("town"), max_length=100)
    region = models.CharField(_("region (district)"), max_length=100, blank=True)
    state_province = models.CharField(_("state"), max_length=100)
    postal_code = models.CharField(_("postcode"), max_length=10)
    country = models.CharField(_("country"), max_length=2, default="MY")
    address_type = models.CharField(
        _("address type"),
        max_length=10,
        choices=AddressType.choices,
        default=AddressType.PHYSICAL,
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addresses",
        verbose_name=_("state"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addresses",
        verbose_name=_("district"),
    )
    mukim = models.ForeignKey(
        Mukim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addresses",
        verbose_name=_("mukim"),
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(p for p in [self.address_1, self.postal_code, self.city] if p)

    def lines(self) -> list[str]:
        town = " ".join(p for p in [self.postal_code, self.city] if p)
        return [p for p in [self.address_1, self.address_2, town, self.state_province] if p]


class ServiceAtLocation(HsdsModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(en(_("description")), blank=True)

    class Meta:
        verbose_name = _("service at location")
        verbose_name_plural = _("services at locations")
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="dir_sal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class ServiceArea(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(_("name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    extent = models.TextField(_("extent"), blank=True)
    extent_type = models.CharField(_("extent type"), max_length=20, blank=True)
    uri = models.URLField(_("URI"), blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_areas",
        verbose_name=_("district"),
    )
    mukim = models.ForeignKey(
        Mukim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_areas",
        verbose_name=_("mukim"),
        help_text=_("Leave empty when the whole district is covered."),
    )

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return self.name or str(self.mukim or self.district or "")


# --- contact details --------------------------------------------------------------------


class Contact(HsdsModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    title_en = models.CharField(en(_("title")), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or self.title or str(self.id)


class Phone(HsdsModel):
    class PhoneType(models.TextChoices):
        VOICE = "voice", _("Voice")
        CELL = "cell", _("Mobile")
        TEXT = "text", _("SMS")
        FAX = "fax", _("Fax")
        VIDEO = "video", _("Video")
        PAGER = "pager", _("Pager")
        TEXTPHONE = "textphone", _("Textphone")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(
        _("number"), max_length=20, help_text=_("E.164 (+60...) or a short code such as 15999.")
    )
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = models.CharField(
        _("type"), max_length=10, choices=PhoneType.choices, default=PhoneType.VOICE
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    description_en = models.CharField(en(_("description")), max_length=300, blank=True)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class Schedule(HsdsModel):
    """Opening hours as an iCal-style weekly rule (HSDS schedule)."""

    class Freq(models.TextChoices):
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    freq = models.CharField(_("frequency"), max_length=10, choices=Freq.choices, default="WEEKLY")
    interval = models.PositiveSmallIntegerField(_("interval"), null=True, blank=True)
    byday = models.CharField(
        _("days"), max_length=40, blank=True, help_text=_("For example MO,TU,WE,TH,FR.")
    )
    bymonthday = models.CharField(_("days of month"), max_length=100, blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    description_en = models.CharField(en(_("description")), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    attending_type = models.CharField(_("attending type"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return f"{self.byday} {self.opens_at}-{self.closes_at}"

    @property
    def days(self) -> list[str]:
        return [d.strip() for d in self.byday.split(",") if d.strip() in WEEKDAYS]

    def is_open_at(self, moment: datetime) -> bool:
        """Whether this weekly rule covers `moment` (an aware datetime in local time)."""
        day = moment.date()
        if self.valid_from and day < self.valid_from or self.valid_to and day > self.valid_to:
            return False
        if self.freq != self.Freq.WEEKLY or WEEKDAYS[moment.weekday()] not in self.days:
            return False
        if self.opens_at is None or self.closes_at is None:
            return False
        return self.opens_at <= moment.time() <= self.closes_at


class RequiredDocument(HsdsModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="required_documents"
    )
    document = models.CharField(_("document"), max_length=300)
    document_en = models.CharField(en(_("document")), max_length=300, blank=True)
    uri = models.URLField(_("URI"), blank=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.document


class Language(HsdsModel):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    code = models.CharField(_("ISO 639 code"), max_length=10, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name or self.code


class CostOption(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    option = models.CharField(_("option"), max_length=300, blank=True)
    option_en = models.CharField(en(_("option")), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="MYR")
    amount = models.DecimalField(
        _("amount"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    amount_description = models.CharField(_("amount description"), max_length=300, blank=True)
    amount_description_en = models.CharField(
        en(_("amount description")), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("cost option")
        verbose_name_plural = _("cost options")

    def __str__(self) -> str:
        return self.option or str(self.amount)


class Funding(HsdsModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="funding"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="funding"
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")

    def __str__(self) -> str:
        return self.source


class Attribute(HsdsModel):
    """Tags any record with a taxonomy term (HSDS's polymorphic link)."""

    class LinkEntity(models.TextChoices):
        SERVICE = "service", _("Service")
        ORGANIZATION = "organization", _("Organization")
        LOCATION = "location", _("Location")

    link_id = models.UUIDField(_("linked record"), db_index=True)
    link_entity = models.CharField(_("linked table"), max_length=30, choices=LinkEntity.choices)
    link_type = models.CharField(_("link type"), max_length=100, blank=True)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm,
        on_delete=models.PROTECT,
        related_name="attributes",
        verbose_name=_("taxonomy term"),
    )
    value = models.CharField(_("value"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        constraints = [
            models.UniqueConstraint(
                fields=["link_entity", "link_id", "taxonomy_term"], name="dir_attribute_unique"
            )
        ]
        indexes = [models.Index(fields=["taxonomy_term", "link_entity"])]

    def __str__(self) -> str:
        return f"{self.link_entity}:{self.link_id} → {self.taxonomy_term}"
