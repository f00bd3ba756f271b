"""Export, then import into an empty directory, gives the same API output."""

import json

import pytest
from django.core.management import call_command

from santuni.directory import models as m
from santuni.directory.services import demo_data_load

LISTS = [
    "/api/hsds/services?format=ndjson",
    "/api/hsds/services?format=ndjson&lang=en",
    "/api/hsds/service_at_locations?format=ndjson",
    "/api/hsds/organizations?format=ndjson&full_service=true",
    "/api/hsds/taxonomies?format=ndjson",
    "/api/hsds/taxonomy_terms?format=ndjson",
    "/api/hsds/services?search=warga+emas&district=seremban&per_page=50",
]


def api_output(client, *, organizations: bool) -> dict:
    """Every list, and every service, service at location and organization by id."""
    seen = {}
    for url in LISTS:
        if "organizations" in url and not organizations:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[url] = [json.loads(line) for line in body.splitlines() if line.strip()]
    singles = [("services", m.Service), ("service_at_locations", m.ServiceAtLocation)]
    if organizations:
        singles.append(("organizations", m.Organization))
    for path, model in singles:
        for pk in model.objects.values_list("pk", flat=True):
            url = f"/api/hsds/{path}/{pk}"
            seen[url] = client.get(url).json()
    return seen


def empty_directory() -> None:
    """What a freshly migrated database holds: the seeded taxonomies and nothing else."""
    m.Attribute.objects.all().delete()
    m.CboProfile.objects.all().delete()
    m.Service.objects.all().delete()
    m.Location.objects.all().delete()
    m.Organization.objects.all().delete()
    assert not m.Phone.objects.exists() and not m.Address.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt, out", [("json", "d.json"), ("ndjson", "d.ndjson"), ("csv", "pkg")])
def test_export_then_import_gives_identical_api_output(client, tmp_path, fmt, out):
    demo_data_load()
    # A shelter's phone travels; its address never leaves the directory.
    shelter = m.Location.objects.filter(is_confidential=True).first()
    assert shelter is not None and shelter.addresses.exists()
    # Every organization must come back in the data package, which carries all tables; the
    # JSON forms carry services and what they refer to.
    with_organizations = fmt == "csv"
    before = api_output(client, organizations=with_organizations)

    call_command("export_hsds", "--format", fmt, str(tmp_path / out))
    empty_directory()
    assert client.get("/api/hsds/services").json()["total_items"] == 0
    call_command("import_hsds", str(tmp_path / out))

    after = api_output(client, organizations=with_organizations)
    assert after.keys() == before.keys()
    for url in before:
        assert after[url] == before[url], url
    assert not m.Address.objects.filter(location__is_confidential=True).exists()


@pytest.mark.django_db
def test_the_zipped_package_imports_like_the_folder(client, tmp_path):
    demo_data_load()
    before = api_output(client, organizations=True)
    call_command("export_hsds", "--format", "csv", str(tmp_path / "pkg.zip"))
    empty_directory()
    call_command("import_hsds", str(tmp_path / "pkg.zip"))
    assert api_output(client, organizations=True) == before
