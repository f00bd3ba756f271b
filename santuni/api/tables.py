"""How each HSDS object maps onto a directory model: one description for import and export.

A `Table` names the HSDS fields stored one-to-one in model fields, the ones with an
English twin (`<field>_en`, Santuni's profile), the foreign keys written as `<x>_id`, and
the nested arrays of records the object owns. Objects with more to them (addresses with
places, organizations with a CBO profile, locations that may be confidential) add their
extra fields in `santuni.api.serialize` and `santuni.api.importer`.
"""

from dataclasses import dataclass, field

from django.db import models

from santuni.directory.models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Organization,
    OrganizationIdentifier,
    Phone,
    Program,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

from .schemas import hsds_schema


@dataclass(frozen=True)
class Child:
    key: str  # the array's name in the parent object
    table: str  # the HSDS object in it
    fk: str  # the child's foreign key to the parent (model field name)
    owned: bool = True  # an import replaces the parent's set (deletes what is left out)


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    fields: tuple[str, ...] = ()
    translated: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    children: tuple[Child, ...] = field(default=())

    @property
    def csv_name(self) -> str:
        """The table's file in the HSDS tabular data package (the schema's `path`)."""
        return hsds_schema(self.name)["path"]

    def model_field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)


def _attributes(fk: str = "link_id") -> Child:
    return Child("attributes", "attribute", fk)


TABLES: dict[str, Table] = {
    table.name: table
    for table in [
        Table(
            "taxonomy",
            Taxonomy,
            fields=("uri", "version"),
            translated=("name", "description"),
        ),
        Table(
            "taxonomy_term",
            TaxonomyTerm,
            fields=("code", "term_uri", "position"),
            translated=("name", "description"),
            parents=("taxonomy", "parent"),
        ),
        Table(
            "organization",
            Organization,
            fields=("alternate_name", "email", "website", "uri", "logo")
            + ("year_incorporated", "legal_status"),
            translated=("name", "description"),
            parents=("parent_organization",),
            children=(
                Child("phones", "phone", "organization"),
                Child("contacts", "contact", "organization"),
                Child("funding", "funding", "organization"),
                Child("organization_identifiers", "organization_identifier", "organization"),
                Child("programs", "program", "organization", owned=False),
                Child("locations", "location", "organization", owned=False),
                _attributes(),
            ),
        ),
        Table(
            "organization_identifier",
            OrganizationIdentifier,
            fields=("identifier_scheme", "identifier_type", "identifier"),
            parents=("organization",),
        ),
        Table(
            "program",
            Program,
            fields=("alternate_name",),
            translated=("name", "description"),
            parents=("organization",),
        ),
        Table(
            "service",
            Service,
            fields=("alternate_name", "url", "email", "status", "interpretation_services")
            + ("wait_time", "accreditations", "licenses", "minimum_age", "maximum_age")
            + ("assured_date", "assurer_email", "last_modified"),
            translated=("name", "description", "application_process", "fees_description")
            + ("eligibility_description", "alert"),
            parents=("organization", "program"),
            children=(
                Child("phones", "phone", "service"),
                Child("schedules", "schedule", "service"),
                Child("service_areas", "service_area", "service"),
                Child("service_at_locations", "service_at_location", "service"),
                Child("languages", "language", "service"),
                Child("funding", "funding", "service"),
                Child("cost_options", "cost_option", "service"),
                Child("required_documents", "required_document", "service"),
                Child("contacts", "contact", "service"),
                _attributes(),
            ),
        ),
        Table(
            "location",
            Location,
            fields=("location_type", "url", "alternate_name", "latitude", "longitude")
            + ("external_identifier", "external_identifier_type"),
            translated=("name", "description", "transportation"),
            parents=("organization",),
            children=(
                Child("addresses", "address", "location"),
                Child("phones", "phone", "location"),
                Child("schedules", "schedule", "location"),
                Child("languages", "language", "location"),
                Child("contacts", "contact", "location"),
                _attributes(),
            ),
        ),
        Table(
            "address",
            Address,
            fields=("attention", "address_1", "address_2", "city", "region", "state_province")
            + ("postal_code", "country", "address_type"),
            parents=("location",),
        ),
        Table(
            "service_at_location",
            ServiceAtLocation,
            translated=("description",),
            parents=("service", "location"),
            children=(
                Child("phones", "phone", "service_at_location"),
                Child("schedules", "schedule", "service_at_location"),
                Child("contacts", "contact", "service_at_location"),
            ),
        ),
        Table(
            "service_area",
            ServiceArea,
            fields=("name", "description", "extent", "extent_type", "uri"),
            parents=("service",),
        ),
        Table(
            "contact",
            Contact,
            fields=("name", "department", "email"),
            translated=("title",),
            parents=("organization", "service", "location", "service_at_location"),
            children=(Child("phones", "phone", "contact"),),
        ),
        Table(
            "phone",
            Phone,
            fields=("number", "extension", "type"),
            translated=("description",),
            parents=("organization", "service", "location", "service_at_location", "contact"),
            children=(Child("languages", "language", "phone"),),
        ),
        Table(
            "schedule",
            Schedule,
            fields=("valid_from", "valid_to", "freq", "interval", "byday", "bymonthday")
            + ("opens_at", "closes_at", "notes", "attending_type"),
            translated=("description",),
            parents=("service", "location", "service_at_location"),
        ),
        Table(
            "required_document",
            RequiredDocument,
            fields=("uri",),
            translated=("document",),
            parents=("service",),
        ),
        Table(
            "language",
            Language,
            fields=("name", "code", "note"),
            parents=("service", "location", "phone"),
        ),
        Table(
            "cost_option",
            CostOption,
            fields=("valid_from", "valid_to", "currency", "amount"),
            translated=("option", "amount_description"),
            parents=("service",),
        ),
        Table("funding", Funding, fields=("source",), parents=("organization", "service")),
        Table(
            "attribute",
            Attribute,
            fields=("link_id", "link_entity", "link_type", "value"),
            parents=("taxonomy_term",),
        ),
    ]
}

# Parents before children, so foreign keys point at rows already written.
WRITE_ORDER = [
    "taxonomy",
    "taxonomy_term",
    "organization",
    "organization_identifier",
    "program",
    "service",
    "location",
    "address",
    "service_at_location",
    "service_area",
    "contact",
    "phone",
    "schedule",
    "required_document",
    "language",
    "cost_option",
    "funding",
    "attribute",
]
