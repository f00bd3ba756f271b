"""The public HSDS 3.0 API under /api/hsds/: what a client of the open data sees."""

import json
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from santuni.api.schemas import faults
from santuni.demo.directory import demo_data_load
from santuni.directory import models
from santuni.directory.indexing import index_services
from santuni.directory.selectors import SearchQuery, services_search
from santuni.directory.tests.factories import ServiceFactory
from santuni.geo.models import District, Mukim

API = "/api/hsds"
# A copy of ../shared/eval/services.ndjson, so that a fresh clone tests without ../shared.
EVAL = Path(__file__).resolve().parent / "data" / "eval_services.ndjson"
PATHS = [
    "/",
    "/services",
    "/services/{id}",
    "/organizations",
    "/organizations/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
    "/profile/",
    "/profile/{name}.json",
    "/profile/schema/{name}.json",
]
ONE = ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"]


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db):
    demo_data_load()


# --- helpers ----------------------------------------------------------------------------


def ok(client, path: str, **params) -> dict:
    response = client.get(API + path, params)
    assert response.status_code == 200, (path, params, response.content[:500])
    return response.json()


def every(client, path: str, **params) -> list[dict]:
    """All items of a list endpoint on one page."""
    page = ok(client, path, per_page=500, **params)
    assert page["total_items"] == page["size"] == len(page["contents"])
    return page["contents"]


def ids(client, path: str = "/services", **params) -> set[str]:
    return {item["id"] for item in every(client, path, **params)}


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def ndjson(client, path: str, **params) -> list[dict]:
    response = client.get(API + path, {"format": "ndjson", **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in text(response).splitlines()]


def assert_valid(name: str, records: list[dict]) -> None:
    """Valid against the upstream HSDS schema and against Santuni's profile."""
    assert records, f"nothing to validate against {name}"
    problems = [
        f"{record.get('id')} ({'profile' if profile else 'hsds'}): {fault}"
        for record in records
        for profile in (False, True)
        for fault in faults(name, record, profile=profile)
    ]
    assert not problems, problems[:10]


def as_ids(queryset) -> set[str]:
    return {str(pk) for pk in queryset.values_list("pk", flat=True).distinct()}


def metres(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def shelter_services():
    return models.Service.objects.filter(service_at_locations__location__is_confidential=True)


# --- 1. discovery -----------------------------------------------------------------------


@pytest.mark.django_db
def test_root_points_at_the_profile_and_an_openapi_document_with_every_path(client):
    root = ok(client, "/")
    assert root["version"] == "3.0"
    profile = client.get(root["profile"]).json()
    assert profile["patches"] and profile["schemas"]
    for url in [*profile["patches"].values(), *profile["schemas"].values()]:
        response = client.get(url)
        assert response.status_code == 200 and isinstance(response.json(), dict), url
    openapi = client.get(root["openapi_url"]).json()
    assert openapi["openapi"].startswith("3.")
    assert set(openapi["paths"]) >= {API + path for path in PATHS}


@pytest.mark.django_db
def test_docs_page_loads_nothing_from_other_sites(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<html" in html.lower() and "openapi.json" in html
    assert "cdn.jsdelivr" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.IGNORECASE)


# --- 2 and 3. schema validation -----------------------------------------------------------


@pytest.mark.django_db
def test_the_evaluation_set_is_served_as_26_valid_services(client):
    call_command("import_hsds", str(EVAL))
    expected = {json.loads(line)["id"] for line in EVAL.read_text().splitlines()}
    page = ok(client, "/services")
    assert page["total_items"] == 26 == len(expected)
    assert ids(client) == expected
    assert_valid("service", [ok(client, f"/services/{pk}") for pk in sorted(expected)])


@pytest.mark.django_db
def test_every_endpoint_over_the_demo_data_fits_the_hsds_schemas(client, demo):
    assert_valid("compiled/service_list", every(client, "/services"))
    assert_valid("service", every(client, "/services", full="true"))
    assert_valid("service", every(client, "/services", full_service="true", lang="en"))
    assert_valid("service", ndjson(client, "/services"))
    assert_valid("compiled/organization_list", every(client, "/organizations"))
    assert_valid("organization", every(client, "/organizations", full="true"))
    assert_valid("organization", every(client, "/organizations", full_service="true"))
    assert_valid("compiled/service_at_location_list", every(client, "/service_at_locations"))
    assert_valid("service_at_location", every(client, "/service_at_locations", full="true"))
    assert_valid("taxonomy", every(client, "/taxonomies"))
    assert_valid("taxonomy_term", every(client, "/taxonomy_terms"))
    for endpoint, schema, model, params in [
        ("services", "service", models.Service, {}),
        ("organizations", "organization", models.Organization, {"full_service": "true"}),
        ("service_at_locations", "service_at_location", models.ServiceAtLocation, {}),
        ("taxonomies", "taxonomy", models.Taxonomy, {}),
        ("taxonomy_terms", "taxonomy_term", models.TaxonomyTerm, {}),
    ]:
        everyone = as_ids(model.objects.all())
        assert_valid(schema, [ok(client, f"/{endpoint}/{pk}", **params) for pk in everyone])


# --- 4 to 8. pages, filters, shapes, streams, languages -----------------------------------


@pytest.mark.django_db
def test_pages_of_seven(client, demo):
    total = models.Service.objects.count()
    pages = math.ceil(total / 7)
    assert total > 80 and total % 7
    first = ok(client, "/services", per_page=7)
    assert (first["total_items"], first["total_pages"], first["page_number"]) == (total, pages, 1)
    assert (first["size"], first["first_page"], first["last_page"], first["empty"]) == (
        7,
        True,
        False,
        False,
    )
    seen = []
    for number in range(1, pages + 1):
        page = ok(client, "/services", per_page=7, page=number)
        assert page["page_number"] == number and page["first_page"] == (number == 1)
        assert page["last_page"] == (number == pages)
        seen += [item["id"] for item in page["contents"]]
    assert page["size"] == len(page["contents"]) == total - 7 * (pages - 1)
    assert len(seen) == len(set(seen)) == total
    beyond = ok(client, "/services", per_page=7, page=pages + 1)
    assert beyond["empty"] and beyond["contents"] == [] and beyond["size"] == 0
    assert beyond["last_page"] and not beyond["first_page"] and beyond["total_items"] == total


@pytest.mark.django_db
def test_each_filter_narrows_and_filters_combine_with_and(client, demo):
    everyone = as_ids(models.Service.objects.all())
    elders = models.TaxonomyTerm.objects.get(code="warga-emas")
    needs = models.Taxonomy.objects.get(code="keperluan")
    linked = models.Attribute.objects.filter(link_entity="service")
    # Every demo service has needs: some lose theirs so that taxonomy_id has work to do.
    linked.filter(taxonomy_term__taxonomy=needs, link_id__in=sorted(everyone)[1::4]).delete()
    old = sorted(everyone)[::3]
    models.Service.objects.update(last_modified=datetime(2025, 6, 1, tzinfo=UTC))
    models.Service.objects.filter(pk__in=old).update(last_modified=datetime(2020, 1, 1, tzinfo=UTC))
    live = models.Service.objects.exclude(status="defunct")
    district = District.objects.get(slug="port-dickson")
    in_district = as_ids(
        live.filter(
            Q(service_at_locations__location__addresses__district=district)
            | Q(service_areas__district=district)
        )
    )
    terms_of = {
        str(pk)
        for pk in linked.filter(taxonomy_term__taxonomy=needs).values_list("link_id", flat=True)
    }
    organization = models.Organization.objects.get(
        services__name__icontains="PAWE", cbo__isnull=True
    )
    expected = {
        "taxonomy_term_id": (
            str(elders.pk),
            {str(i) for i in linked.filter(taxonomy_term=elders).values_list("link_id", flat=True)},
        ),
        "taxonomy_id": (str(needs.pk), terms_of),
        "organization_id": (str(organization.pk), as_ids(organization.services.all())),
        "modified_after": ("2024-01-01T00:00:00Z", everyone - set(old)),
        "district": ("Port Dickson", in_district),
        # The API's search is the directory's (santuni.search has its own tests).
        "search": ("pawe", {str(s.pk) for s in services_search(SearchQuery(text="pawe"))[0:500]}),
    }
    for parameter, (value, wanted) in expected.items():
        assert wanted and wanted < everyone, parameter
        assert ids(client, **{parameter: value}) == wanted, parameter
    assert ids(client, district="port-dickson") == in_district  # the slug works too
    both = ids(client, taxonomy_term_id=str(elders.pk), district="Port Dickson")
    assert both == expected["taxonomy_term_id"][1] & in_district
    assert both and both < in_district
    three = ids(client, taxonomy_id=str(needs.pk), modified_after="2024-01-01T00:00:00Z")
    assert three == terms_of - set(old)


@pytest.mark.django_db
def test_mukim_and_proximity_filters(client, demo):
    rasah = Mukim.objects.get(name="Rasah", district__slug="seremban")
    public = models.ServiceAtLocation.objects.filter(location__is_confidential=False)
    located = as_ids(
        models.Service.objects.filter(
            service_at_locations__in=public.filter(location__addresses__mukim=rasah)
        )
    )
    found = ids(client, mukim="Rasah", district="Seremban")
    assert located and located <= found < as_ids(models.Service.objects.all())
    covering = models.Service.objects.filter(
        Q(service_areas__mukim=rasah) | Q(service_areas__district=rasah.district)
    )
    assert found <= located | as_ids(covering)

    here = public.filter(location__latitude__isnull=False).order_by("pk").first().location
    radius = 2000
    found = ids(client, lat=here.latitude, lng=here.longitude, proximity=radius)
    near, far = set(), set()
    for service in models.Service.objects.prefetch_related("service_at_locations__location"):
        places = [s.location for s in service.service_at_locations.all()]
        closest = min(
            (
                metres(here.latitude, here.longitude, p.latitude, p.longitude)
                for p in places
                if not p.is_confidential and p.latitude is not None
            ),
            default=math.inf,
        )
        if closest < radius * 0.9:
            near.add(str(service.pk))
        elif closest > radius * 1.1:
            far.add(str(service.pk))
    assert near and far
    assert near <= found and not far & found


@pytest.mark.django_db
def test_postcode_on_service_at_locations(client, demo):
    postcode = "71200"
    at_postcode = models.ServiceAtLocation.objects.filter(
        location__addresses__postal_code=postcode, location__is_confidential=False
    )
    districts = District.objects.filter(addresses__postal_code=postcode)
    covering = models.ServiceAtLocation.objects.filter(
        service__service_areas__district__in=districts
    )
    found = ids(client, "/service_at_locations", postcode=postcode)
    assert as_ids(at_postcode) and as_ids(at_postcode) <= found
    assert found <= as_ids(at_postcode) | as_ids(covering)
    assert found < as_ids(models.ServiceAtLocation.objects.all())
    near = ids(client, "/service_at_locations", postcode=postcode, proximity=1000)
    assert as_ids(at_postcode) & near and near < found


@pytest.mark.django_db
def test_minimal_and_full_items(client, demo):
    for item in every(client, "/services", minimal="true"):
        assert set(item) == {"id", "last_modified"}
        datetime.fromisoformat(item["last_modified"])
    full = every(client, "/services", full="true")
    assert all(item["organization"]["id"] == item["organization_id"] for item in full)
    placed = [item for item in full if item.get("service_at_locations")]
    assert placed
    for item in placed:
        for sal in item["service_at_locations"]:
            assert sal["location"]["id"] == sal["location_id"]
    assert "organization" not in every(client, "/services")[0]


@pytest.mark.django_db
def test_ndjson_streams_every_matching_service(client, demo):
    lines = ndjson(client, "/services")
    assert len(lines) == models.Service.objects.count() > 20
    assert [line["id"] for line in lines] == [item["id"] for item in every(client, "/services")]
    assert all("organization" in line for line in lines)
    elders = models.TaxonomyTerm.objects.get(code="warga-emas")
    some = ndjson(client, "/services", taxonomy_term_id=str(elders.pk))
    assert {line["id"] for line in some} == ids(client, taxonomy_term_id=str(elders.pk))
    assert_valid("service", some)


@pytest.mark.django_db
def test_lang_en_puts_english_in_name_and_falls_back_to_malay(client):
    both = ServiceFactory(name="Bantuan makanan", name_en="Food aid", description_en="Meals.")
    malay_only = ServiceFactory(name="Kelas mengaji", name_en="", description="Kelas.")
    english = {item["id"]: item for item in every(client, "/services", lang="en")}
    assert english[str(both.pk)]["name"] == "Food aid"
    assert english[str(both.pk)]["description"] == "Meals."
    assert english[str(malay_only.pk)]["name"] == "Kelas mengaji"
    assert english[str(malay_only.pk)]["description"] == "Kelas."
    malay = {item["id"]: item for item in every(client, "/services")}
    assert malay[str(both.pk)]["name"] == "Bantuan makanan"
    assert ok(client, f"/services/{both.pk}", lang="en")["name"] == "Food aid"
    assert ok(client, f"/services/{malay_only.pk}", lang="en")["name"] == "Kelas mengaji"
    assert {line["name"] for line in ndjson(client, "/services", lang="en")} == {
        "Food aid",
        "Kelas mengaji",
    }


# --- 9. errors --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/services", "per_page=0", "per_page"),
        ("/services", "per_page=501", "per_page"),
        ("/services", "per_page=abc", "per_page"),
        ("/services", "page=-1", "page"),
        ("/services", "lat=2.7", "lat"),
        ("/services", "proximity=500", "proximity"),
        ("/services", "district=Atlantis", "district"),
        ("/services", "mukim=Atlantis", "mukim"),
        ("/services", "modified_after=garbage", "modified_after"),
        ("/services", "taxonomy_term_id=not-a-uuid", "taxonomy_term_id"),
        ("/services", "format=xml", "format"),
        ("/services", "lang=fr", "lang"),
        ("/service_at_locations", "proximity=500", "proximity"),
        ("/service_at_locations", "postcode=00000&proximity=500", "postcode"),
        ("/organizations", "per_page=0", "per_page"),
        ("/taxonomy_terms", "taxonomy_id=x", "taxonomy_id"),
        ("/taxonomies", "format=xml", "format"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, path, query, parameter):
    client.raise_request_exception = False
    response = client.get(f"{API}{path}?{query}")
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["status"] == 400
    assert parameter in [error["parameter"] for error in body["errors"]]
    assert all(error["message"] for error in body["errors"])


@pytest.mark.django_db
def test_a_huge_page_number_is_never_a_500(client):
    client.raise_request_exception = False
    ServiceFactory()
    response = client.get(f"{API}/services", {"page": str(10**20)})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        assert response.json()["empty"]
    else:
        assert response.json()["errors"][0]["parameter"] == "page"


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ONE)
@pytest.mark.parametrize(
    "oid", ["6f1c2a9e-0000-4000-8000-000000000000", "not-a-uuid", "123", "0" * 40]
)
def test_unknown_and_malformed_ids_are_404(client, endpoint, oid):
    client.raise_request_exception = False
    response = client.get(f"{API}/{endpoint}/{oid}")
    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.django_db
def test_unknown_profile_files_are_404(client):
    assert client.get(f"{API}/profile/nothing.json").status_code == 404
    assert client.get(f"{API}/profile/schema/nothing.json").status_code == 404


# --- 10. confidential locations -----------------------------------------------------------


@pytest.fixture
def shelters(demo):
    """The demo's shelters, with values found nowhere else and a phone of their own."""
    found = []
    places = [(2.69787, 101.93463), (2.44913, 101.96687)]
    for index, location in enumerate(models.Location.objects.filter(is_confidential=True)):
        location.latitude, location.longitude = places[index]
        location.save()
        location.addresses.update(postal_code=f"7{index}999")
        location.phones.create(number=f"+6012999000{index}")
        found.append(location)
    assert len(found) == 2
    return found


def secrets_of(location) -> list[str]:
    values = [json.dumps(location.latitude), json.dumps(location.longitude)]
    for address in location.addresses.all():
        # As JSON strings, so that a random id containing the digits is not taken for one.
        for value in (address.address_1, address.postal_code):
            values += [json.dumps(value), json.dumps(value, ensure_ascii=False)]
    return values


@pytest.mark.django_db
def test_confidential_places_appear_in_no_response(client, shelters):
    secrets = [value for location in shelters for value in secrets_of(location)]
    urls = [
        f"/services?per_page=500{extra}"
        for extra in ["", "&full=true", "&full=true&lang=en", "&format=ndjson"]
    ]
    urls += [
        f"/organizations?per_page=500{extra}"
        for extra in ["&full=true", "&full_service=true", "&format=ndjson&full_service=true"]
    ]
    urls += [f"/service_at_locations?per_page=500{extra}" for extra in ["", "&full=true"]]
    urls += ["/service_at_locations?format=ndjson", "/services?lat=2.69787&lng=101.93463"]
    urls += [f"/services/{pk}" for pk in as_ids(models.Service.objects.all())]
    for location in shelters:
        urls.append(f"/organizations/{location.organization_id}?full_service=true")
        urls += [f"/service_at_locations/{pk}" for pk in as_ids(location.service_at_locations)]
    for url in urls:
        body = text(client.get(API + url))
        leaked = [secret for secret in secrets if secret in body]
        assert not leaked, (url, leaked)

    for location in shelters:
        service = shelter_services().filter(service_at_locations__location=location).get()
        full = ok(client, f"/services/{service.pk}")
        (place,) = [sal["location"] for sal in full["service_at_locations"]]
        assert place["confidential"] is True
        assert not {"addresses", "latitude", "longitude", "transportation"} & set(place)
        assert location.phones.get().number in json.dumps(full)
        for phone in service.phones.all():
            assert phone.number in json.dumps(full)


@pytest.mark.django_db
def test_confidential_places_match_no_postcode_proximity_or_mukim_search(client, demo):
    """Without service areas, a shelter could only match through its own hidden place."""
    shelter_ids = as_ids(shelter_services())
    models.ServiceArea.objects.filter(service__in=shelter_services()).delete()
    index_services(shelter_services().values_list("pk", flat=True))  # as the admin does
    for location in models.Location.objects.filter(is_confidential=True):
        address = location.addresses.get()
        hidden = as_ids(location.service_at_locations)
        at = {"lat": location.latitude, "lng": location.longitude}
        for params in [{"postcode": address.postal_code}, {**at, "proximity": 300}]:
            assert not hidden & ids(client, "/service_at_locations", **params), params
        # The centre of a postcode is that of its public places (400 when it has none).
        near = {"postcode": address.postal_code, "proximity": 5000, "per_page": 500}
        response = client.get(f"{API}/service_at_locations", near)
        if response.status_code == 400:
            assert response.json()["errors"][0]["parameter"] == "postcode"
        else:
            assert not hidden & {item["id"] for item in response.json()["contents"]}
        assert not shelter_ids & ids(client, **at, proximity=300)
        assert not shelter_ids & ids(client, mukim=address.mukim.name)


@pytest.mark.django_db
def test_a_shelter_found_by_the_area_it_serves_shows_no_address(client, demo):
    # A shelter serving a whole district is found from any postcode in it, as a victim needs,
    # but matching by coverage says nothing about where it is: no address, no position.
    for location in models.Location.objects.filter(is_confidential=True):
        address = location.addresses.get()
        found = client.get(
            f"{API}/service_at_locations",
            {"postcode": address.postal_code, "full": "true", "per_page": 500},
        ).json()["contents"]
        for item in found:
            if item["location"]["id"] == str(location.pk):
                assert item["location"]["confidential"] is True
                assert "addresses" not in item["location"] and "latitude" not in item["location"]
                assert address.address_1 not in json.dumps(item)


# --- 11 and 12. rate limit and query counts -----------------------------------------------


@pytest.mark.django_db
def test_a_web_app_on_another_site_may_read_the_api(client, settings):
    """Open Referral UK's rule for an open directory: any site's pages read it in the browser,
    without cookies; the site's own pages stay closed to them."""
    origin = {"HTTP_ORIGIN": "https://peta.example"}
    for path in ("/services", "/openapi.json", "/profile/", "/nothing-here"):
        response = client.get(API + path, **origin)
        assert response["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response, path
    asked = client.options(
        f"{API}/services",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept-language",
        **origin,
    )
    assert asked.status_code in (200, 204) and asked["Access-Control-Allow-Origin"] == "*"
    assert "GET" in asked["Access-Control-Allow-Methods"]
    assert "accept-language" in asked["Access-Control-Allow-Headers"].lower()
    # A refusal is readable too, with the time to wait.
    settings.SANTUNI_API_RATE = "1/m"
    client.get(f"{API}/", **origin)
    refused = client.get(f"{API}/", **origin)
    assert refused.status_code == 429 and refused["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in refused["Access-Control-Expose-Headers"]
    for page in ("/", "/akaun/masuk", "/api/hsdsx", "/admin/"):
        assert "Access-Control-Allow-Origin" not in client.get(page, **origin), page


@pytest.mark.django_db
def test_rate_limit_per_client(client, settings):
    settings.SANTUNI_API_RATE = "3/m"
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False) as clock:
        for _ in range(3):
            assert client.get(f"{API}/").status_code == 200
        refused = client.get(f"{API}/")
        assert refused.status_code == 429
        assert refused["Retry-After"].isdigit() and 0 < int(refused["Retry-After"]) <= 60
        assert refused["Content-Type"].startswith("application/json") and refused.json()
        assert client.get(f"{API}/services", REMOTE_ADDR="10.0.0.2").status_code == 200
        clock.shift(timedelta(seconds=61))
        assert client.get(f"{API}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/services?full=true",
        "/services?search=warga+emas",
        "/services?search=warga+emas&full=true",
        "/organizations?full_service=true",
        "/service_at_locations?full=true",
    ],
)
def test_query_count_does_not_grow_with_the_page(client, demo, path):
    counts = []
    for size in (5, 20):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}{path}&per_page={size}").status_code == 200
        counts.append(len(queries))
    assert counts[1] <= counts[0], counts
