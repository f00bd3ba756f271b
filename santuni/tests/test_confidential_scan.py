"""A scan for a confidential location's words: a shelter whose every text field, and every text
field of the records hanging from it, holds a marker of its own; then every output the public
or an open-data user gets is searched for the markers that must not leave the system.

Beside santuni/tests/test_privacy_scan.py (which looks for people's details in the same
outputs): the fields are read from the models, so a text field added later is scanned too.
What may show of a shelter is what its public pages have always shown: its name, its phones
(number and note) and its opening hours.
"""

import json
from datetime import time
from itertools import count

import pytest
from django.db import models
from django.urls import reverse
from django.utils import translation

from santuni.directory import indexing
from santuni.directory.models import (
    Address,
    Attribute,
    Contact,
    Language,
    Location,
    Phone,
    Schedule,
)
from santuni.directory.tests.factories import (
    CboProfileFactory,
    ServiceFactory,
    place_service,
    seremban,
    term,
)
from santuni.reports.booklet import layout

from .test_privacy_scan import body, hsds_exports, readable, search_index_rows

pytestmark = pytest.mark.django_db

SHELTER_PHONE = "+6063339999"
# The text fields that may show, by kind: the name a shelter's page shows, its phones' notes.
MAY_SHOW = {Location: {"name", "name_en"}, Phone: {"number", "description", "description_en"}}
# Fields that keep a value a program reads (the hours are shown), or cannot hold a marker.
KEPT = {Schedule: {"byday", "bymonthday"}, Address: {"country"}}


class Markers:
    """A marker per field filled: one word the search index keeps whole, found nowhere else."""

    def __init__(self):
        self.numbers = count(1)
        self.withheld: dict[str, str] = {}
        self.shown: dict[str, str] = {}

    def fill(self, record: models.Model, what: str = "", may_show=frozenset()) -> models.Model:
        model = type(record)
        what = what or model._meta.verbose_name
        for field in model._meta.concrete_fields:
            text = isinstance(field, models.CharField | models.TextField)
            if not text or field.choices or field.name in KEPT.get(model, ()):
                continue
            if field.name == "number" and model is Phone and "number" in may_show:
                continue  # the shelter's own phone: a real number, to be called
            marker = f"qzk{next(self.numbers):03d}qz"
            setattr(record, field.name, marker)
            where = f"{what}: {field.name}"
            (self.shown if field.name in may_show else self.withheld)[marker] = where
        record.save()
        return record

    def leaked(self, data: bytes | str) -> list[str]:
        data = (data.encode() if isinstance(data, str) else data).lower()
        return [where for marker, where in self.withheld.items() if marker.encode() in data]


def a_shelter(markers: Markers):
    """A CBO's shelter: a service offered at a confidential location, every text filled."""
    cbo = CboProfileFactory(organization__name="Pertubuhan Perlindungan Wanita")
    service = ServiceFactory(organization=cbo.organization, name="Rumah Selamat Wanita")
    location = place_service(service, is_confidential=True)
    markers.fill(location, "location", MAY_SHOW[Location])
    markers.fill(location.addresses.get(), "address")
    phone = location.phones.create(number=SHELTER_PHONE)
    markers.fill(phone, "phone", MAY_SHOW[Phone])
    markers.fill(Language(phone=phone), "phone's language")
    hours = {"byday": "MO,TU,WE,TH,FR", "opens_at": time(8), "closes_at": time(17)}
    markers.fill(Schedule(location=location, **hours), "schedule")
    markers.fill(Language(location=location), "language")
    contact = markers.fill(Contact(location=location), "contact")
    markers.fill(Phone(contact=contact), "contact's phone")
    link = markers.fill(location.service_at_locations.get(), "service at location")
    markers.fill(Contact(service_at_location=link), "contact at the service")
    markers.fill(Schedule(service_at_location=link, **hours), "schedule of the service there")
    attribute = Attribute(link_entity="location", link_id=location.pk, taxonomy_term=term("oku"))
    markers.fill(attribute, "attribute")
    indexing.index_services([service.pk])
    return service, location


def api_responses(client, service, location) -> dict[str, bytes]:
    """Every HSDS API response that can carry the place, in both languages."""
    organization = location.organization_id
    link = location.service_at_locations.get().pk
    urls = [
        "/services?per_page=500",
        "/services?per_page=500&full=true",
        "/services?format=ndjson",
        f"/services/{service.pk}",
        "/service_at_locations?per_page=500",
        "/service_at_locations?per_page=500&full=true",
        "/service_at_locations?format=ndjson",
        f"/service_at_locations/{link}",
        "/organizations?per_page=500",
        "/organizations?per_page=500&full=true",
        "/organizations?per_page=500&full_service=true",
        "/organizations?format=ndjson&full_service=true",
        f"/organizations/{organization}",
        f"/organizations/{organization}?full_service=true",
    ]
    found = {}
    for url in urls:
        for lang in ("ms", "en"):
            full = f"/api/hsds{url}{'&' if '?' in url else '?'}lang={lang}"
            response = client.get(full)
            assert response.status_code == 200, full
            found[full] = body(response)
    return found


def public_pages(client, service, location) -> dict[str, bytes]:
    """The service's and organisation's pages and a search that finds them, Malay and English."""
    pages = {
        "service": ("directory:service", [service.pk], ""),
        "organization": ("pages:organization", [location.organization_id], ""),
        "search": ("directory:search", [], "?q=rumah+selamat"),
        "home": ("directory:home", [], ""),
    }
    found = {}
    for language in ("ms", "en"):
        for name, (view, args, query) in pages.items():
            with translation.override(language):
                url = reverse(view, args=args) + query
            response = client.get(url)
            assert response.status_code == 200, url
            found[f"{name} page ({language})"] = body(response)
    return found


def test_a_confidential_place_publishes_only_its_name_phones_and_hours(client, tmp_path):
    markers = Markers()
    service, location = a_shelter(markers)
    withheld = set(markers.withheld.values())
    assert {"location: description", "location: url", "location: alternate_name"} <= withheld

    outputs = api_responses(client, service, location) | public_pages(client, service, location)
    for fmt, exported in hsds_exports(tmp_path).items():
        outputs[f"export_hsds --format {fmt}"] = exported
    for language in layout.LANGUAGES:
        outputs[f"booklet ({language})"] = layout.prepare(seremban(), language).html.encode()
    outputs["search index"] = search_index_rows()

    leaks = {where: markers.leaked(readable(data)) for where, data in outputs.items()}
    assert {where: found for where, found in leaks.items() if found} == {}

    # The scan read the place in each output; what may show of it still does.
    raw = outputs[f"/api/hsds/services/{service.pk}?lang=ms"]
    assert [where for marker, where in markers.shown.items() if marker.encode() not in raw] == []
    detail = json.loads(raw)
    (place,) = [link["location"] for link in detail["service_at_locations"]]
    assert place["confidential"] is True and place["name"] == location.name
    assert place["phones"][0]["number"] == SHELTER_PHONE
    assert place["schedules"][0]["byday"] == "MO,TU,WE,TH,FR"
    with translation.override("en"):
        english = location.tr.name
    assert english != location.name and english.encode() in outputs["service page (en)"]
    assert location.name.encode() in outputs["organization page (ms)"]
    for where in ("export_hsds --format csv", "export_hsds --format ndjson", "search index"):
        assert location.name.encode() in outputs[where].lower(), where
    assert b"06-333 9999" in outputs["booklet (ms)"]
