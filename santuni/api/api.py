"""The public, read-only HSDS 3.0 API under /api/hsds/, with Santuni's profile.

Responses are plain HSDS objects built by `santuni.api.serialize`; the OpenAPI document
points at the profile's schemas for their shapes. Of a confidential location a response
carries only what `santuni.directory.confidential` allows: never its address or position.
"""

import json
import math
import re
import uuid
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError
from ninja.throttling import AnonRateThrottle
from pydantic import field_validator

from santuni.directory.models import (
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from santuni.search.text import words

from . import selectors, serialize
from .schemas import VERSION, profile_patch, profile_patch_names, profile_schema, schema_names


class ClientRateThrottle(AnonRateThrottle):
    """Per client address; the rate is read from settings on each request."""

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.SANTUNI_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


api = NinjaAPI(
    title="Santuni HSDS API",
    version=VERSION,
    description=(
        "Open data of the Santuni community-help directory (Malaysia) in the Human Services "
        "Data Specification 3.0, with Santuni's profile: Malay and English texts (`lang`), "
        "districts and mukims, CBO profiles, confidential locations. Read-only and public."
    ),
    urls_namespace="hsds",
    throttle=[ClientRateThrottle("300/m")],
)

PROFILE_SCHEMA = "profile/schema/{}.json"
PAGE_NUMBERS = ("total_items", "total_pages", "page_number", "size")
PAGE_FLAGS = ("first_page", "last_page", "empty")


NOT_FOUND = {"description": "No record of that id (or name): the body says so."}


# `minimal=true`: each service as its id and last change only, as HSDS 3.0 describes it.
MINIMAL_SERVICE = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "last_modified": {"type": ["string", "null"], "format": "date-time"},
    },
    "required": ["id", "last_modified"],
    "additionalProperties": False,
}


def _documented(schema: str, page: bool = True, minimal: bool = False) -> dict:
    item = {"$ref": PROFILE_SCHEMA.format(schema)}
    body = item
    if page:
        fields = {name: {"type": "integer"} for name in PAGE_NUMBERS}
        fields |= {name: {"type": "boolean"} for name in PAGE_FLAGS}
        listed = {"anyOf": [item, MINIMAL_SERVICE]} if minimal else item
        body = {
            "type": "object",
            "properties": fields | {"contents": {"type": "array", "items": listed}},
            "required": [*PAGE_NUMBERS, *PAGE_FLAGS, "contents"],
        }
    content = {"application/json": {"schema": body}}
    responses = {
        200: {"description": "OK", "content": content},
        400: {"description": "A parameter is wrong: the body says which and why."},
        429: {"description": "Too many requests: wait the seconds in Retry-After."},
    }
    if page:
        # `format=ndjson`: every result, one JSON object a line.
        content["application/x-ndjson"] = {"schema": item}
    else:
        responses[404] = NOT_FOUND
    return {"responses": responses}


def _endpoint(path: str, summary: str, tag: str, schema: str, page: bool = True, **kinds):
    """A GET operation whose 200 response is documented by the profile's schema."""
    extra = _documented(schema, page, **kinds)
    return api.get(path, summary=summary, tags=[tag], openapi_extra=extra)


@api.exception_handler(ValidationError)
def bad_parameters(request, exc: ValidationError):
    errors = [
        {
            "parameter": ".".join(str(p) for p in error["loc"][1:]) or "query",
            "message": error["msg"],
        }
        for error in exc.errors
    ]
    return JsonResponse({"status": 400, "errors": errors}, status=400)


@api.exception_handler(selectors.BadParameter)
def bad_parameter(request, exc: selectors.BadParameter):
    errors = [{"parameter": exc.parameter, "message": exc.message}]
    return JsonResponse({"status": 400, "errors": errors}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return JsonResponse({"status": 404, "message": str(exc) or "Not found"}, status=404)


# --- parameters -------------------------------------------------------------------------


class Paging(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    per_page: int = Field(20, ge=1, le=500, description="Items per page (at most 500).")
    format: Literal["json", "ndjson"] = Field(
        "json", description="`ndjson` streams every result, one per line, without pages."
    )
    lang: Literal["ms", "en"] = Field(
        "ms", description="Santuni: the language of `name` and `description` (Malay default)."
    )


class ServiceParams(Paging):
    search: str = Field("", max_length=200, description="Words to look for, Malay or English.")
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = Field(None, description="ISO 8601 date and time.")
    minimal: bool = Field(False, description="Only `id` and `last_modified` of each service.")
    full: bool = Field(False, description="Fully nested services.")
    full_service: bool = Field(False, description="Same as `full`.")
    district: str = Field("", max_length=100, description="Santuni: district name or code.")
    mukim: str = Field("", max_length=100, description="Santuni: mukim name.")
    lat: float | None = Field(None, ge=-90, le=90, description="Santuni: latitude.")
    lng: float | None = Field(None, ge=-180, le=180, description="Santuni: longitude.")
    proximity: float | None = Field(None, gt=0, le=1_000_000, description="Metres.")

    @field_validator("modified_after", mode="before")
    @classmethod
    def iso_8601_only(cls, value):
        # Pydantic would read a bare number as seconds since 1970: not what the schema says.
        if isinstance(value, str) and re.fullmatch(r"\s*[-+]?[\d.]+(e[-+]?\d+)?\s*", value, re.I):
            raise ValueError("write an ISO 8601 date and time, like 2026-01-31T08:00:00+08:00")
        return value


class SalParams(ServiceParams):
    postcode: str = Field("", max_length=10)


def _filters(params: ServiceParams, *, needs_position: bool = True) -> selectors.ServiceFilters:
    if (params.lat is None) != (params.lng is None):
        raise selectors.BadParameter("lat", "give both lat and lng, or neither")
    if needs_position and params.proximity is not None and params.lat is None:
        raise selectors.BadParameter("proximity", "proximity needs lat and lng")
    district = selectors.district_named(params.district) if params.district else None
    mukim = selectors.mukim_named(params.mukim, district) if params.mukim else None
    modified_after = params.modified_after
    if modified_after is not None and timezone.is_naive(modified_after):
        modified_after = timezone.make_aware(modified_after)
    return selectors.ServiceFilters(
        search=params.search,
        taxonomy_term_id=params.taxonomy_term_id,
        taxonomy_id=params.taxonomy_id,
        organization_id=params.organization_id,
        modified_after=modified_after,
        district=district,
        mukim=mukim,
        latitude=params.lat,
        longitude=params.lng,
        proximity=params.proximity,
    )


def _page(found: QuerySet, params: Paging, render) -> dict:
    total = found.count()
    total_pages = max(1, math.ceil(total / params.per_page))
    start = (params.page - 1) * params.per_page
    contents = list(render(found[start : start + params.per_page]))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": params.page,
        "size": len(contents),
        "first_page": params.page == 1,
        "last_page": params.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _ndjson(items) -> StreamingHttpResponse:
    lines = (json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    return StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")


def _one(model, oid: str, kind: str) -> QuerySet:
    """The record with this id, as a queryset for the serializers; 404 when there is none."""
    try:
        found = model.objects.filter(pk=uuid.UUID(oid))
    except ValueError:
        found = model.objects.none()
    if not found.exists():
        raise Http404(f"No {kind} with id {oid}")
    return found


def _options(params: Paging) -> serialize.Options:
    return serialize.Options(lang=params.lang)


# --- endpoints --------------------------------------------------------------------------


@api.get("/", summary="About this API", tags=["about"])
def about(request):
    return {
        "version": VERSION,
        "profile": request.build_absolute_uri("/api/hsds/profile/"),
        "openapi_url": request.build_absolute_uri("/api/hsds/openapi.json"),
    }


@_endpoint("/services", "Services", "services", "service", minimal=True)
def services(request, params: Query[ServiceParams]):
    minimal = params.minimal and params.format != "ndjson"  # a stream is always full
    found = selectors.services(_filters(params), minimal=minimal)
    options = _options(params)
    if params.format == "ndjson":
        return _ndjson(serialize.iter_full_services(found, options))
    if minimal:
        return _page(
            found,
            params,
            lambda page: [
                {"id": str(s.pk), "last_modified": serialize.value_out(s.last_modified)}
                for s in page
            ],
        )
    if params.full or params.full_service:
        return _page(found, params, lambda page: serialize.iter_full_services(page, options))
    return _page(found, params, lambda page: [serialize.service_item(s, options) for s in page])


@_endpoint("/services/{id}", "One service, fully nested", "services", "service", page=False)
def service(request, id: str, lang: Literal["ms", "en"] = "ms"):
    found = _one(Service, id, "service")
    return next(serialize.iter_full_services(found, serialize.Options(lang=lang)))


class OrganizationParams(Paging):
    search: str = Field("", max_length=200)
    full: bool = False
    full_service: bool = Field(False, description="Each organization with its full services.")


@_endpoint("/organizations", "Organizations", "organizations", "organization")
def organizations(request, params: Query[OrganizationParams]):
    found = selectors.organizations(params.search)
    options = _options(params)
    if params.format == "ndjson" or params.full or params.full_service:

        def full(organizations):
            return serialize.iter_full_organizations(
                organizations, options, full_service=params.full_service
            )

        if params.format == "ndjson":
            return _ndjson(full(found))
        return _page(found, params, full)
    table = serialize.TABLES["organization"]
    return _page(found, params, lambda page: [serialize.plain(table, o, options) for o in page])


@_endpoint("/organizations/{id}", "One organization", "organizations", "organization", page=False)
def organization(request, id: str, full_service: bool = False, lang: Literal["ms", "en"] = "ms"):
    found = _one(Organization, id, "organization")
    options = serialize.Options(lang=lang)
    return next(serialize.iter_full_organizations(found, options, full_service=full_service))


@_endpoint(
    "/service_at_locations", "Services at locations", "service_at_locations", "service_at_location"
)
def service_at_locations(request, params: Query[SalParams]):
    filters = _filters(params, needs_position=False)
    if params.proximity is not None and not params.postcode and params.lat is None:
        raise selectors.BadParameter("proximity", "proximity needs a postcode, or lat and lng")
    found = selectors.service_at_locations(filters, params.postcode.strip())
    options = _options(params)
    if params.format == "ndjson":
        return _ndjson(serialize.iter_full_service_at_locations(found, options))
    if params.full:
        return _page(
            found, params, lambda page: serialize.iter_full_service_at_locations(page, options)
        )
    table = serialize.TABLES["service_at_location"]
    return _page(found, params, lambda page: [serialize.plain(table, sal, options) for sal in page])


@_endpoint(
    "/service_at_locations/{id}",
    "One service at a location",
    "service_at_locations",
    "service_at_location",
    page=False,
)
def service_at_location(request, id: str, lang: Literal["ms", "en"] = "ms"):
    found = _one(ServiceAtLocation, id, "service_at_location")
    return next(serialize.iter_full_service_at_locations(found, serialize.Options(lang=lang)))


class TaxonomyParams(Paging):
    search: str = Field("", max_length=200)


@_endpoint("/taxonomies", "Taxonomies", "taxonomies", "taxonomy")
def taxonomies(request, params: Query[TaxonomyParams]):
    found = Taxonomy.objects.order_by("name", "id")
    for word in words(params.search):
        found = found.filter(name__icontains=word) | found.filter(name_en__icontains=word)
    options = _options(params)
    if params.format == "ndjson":
        return _ndjson(serialize.taxonomy_out(t, options) for t in found)
    return _page(found, params, lambda page: [serialize.taxonomy_out(t, options) for t in page])


@_endpoint("/taxonomies/{id}", "One taxonomy", "taxonomies", "taxonomy", page=False)
def taxonomy(request, id: str, lang: Literal["ms", "en"] = "ms"):
    return serialize.taxonomy_out(
        _one(Taxonomy, id, "taxonomy").get(), serialize.Options(lang=lang)
    )


class TermParams(TaxonomyParams):
    taxonomy_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    top_only: bool = False


@_endpoint("/taxonomy_terms", "Taxonomy terms", "taxonomies", "taxonomy_term")
def taxonomy_terms(request, params: Query[TermParams]):
    found = selectors.taxonomy_terms(
        search=params.search,
        taxonomy_id=params.taxonomy_id,
        parent_id=params.parent_id,
        top_only=params.top_only,
    )
    options = _options(params)
    if params.format == "ndjson":
        return _ndjson(serialize.taxonomy_term_out(t, options) for t in found)
    return _page(
        found, params, lambda page: [serialize.taxonomy_term_out(t, options) for t in page]
    )


@_endpoint("/taxonomy_terms/{id}", "One taxonomy term", "taxonomies", "taxonomy_term", page=False)
def taxonomy_term(request, id: str, lang: Literal["ms", "en"] = "ms"):
    found = _one(TaxonomyTerm, id, "taxonomy term").select_related("taxonomy").get()
    return serialize.taxonomy_term_out(found, serialize.Options(lang=lang))


# --- Santuni's profile ------------------------------------------------------------------


@api.get("/profile/", summary="Santuni's HSDS profile", tags=["profile"])
def profile(request):
    return {
        "name": "Santuni (Malaysia)",
        "description": (
            "HSDS 3.0 with Malay and English texts, districts and mukims, CBO profiles and "
            "confidential locations. JSON Merge Patches (RFC 7386) over the HSDS schemas."
        ),
        "hsds_version": VERSION,
        "licence": "CC BY-SA 4.0, adapted from HSDS: an Open Referral resource (https://openreferral.org/)",
        "patches": {
            name: request.build_absolute_uri(f"/api/hsds/profile/{name}.json")
            for name in profile_patch_names()
        },
        "schemas": {
            name: request.build_absolute_uri(f"/api/hsds/profile/schema/{name}.json")
            for name in schema_names()
        },
    }


@api.get(
    "/profile/{name}.json",
    summary="A profile patch",
    tags=["profile"],
    openapi_extra={"responses": {404: NOT_FOUND}},
)
def profile_file(request, name: str):
    if name not in profile_patch_names():
        raise Http404(f"No profile patch called {name}")
    return profile_patch(name)


@api.get(
    "/profile/schema/{name}.json",
    summary="A schema with the profile merged",
    tags=["profile"],
    openapi_extra={"responses": {404: NOT_FOUND}},
)
def profile_schema_file(request, name: str):
    if name not in schema_names():
        raise Http404(f"No schema called {name}")
    return profile_schema(name)
