"""Export, then import into an empty directory, gives the same API output."""

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command

from santuni.demo.directory import demo_data_load
from santuni.directory import models
from santuni.directory.tests.factories import LocationFactory, OrganizationFactory, ServiceFactory

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
    singles = [("services", models.Service), ("service_at_locations", models.ServiceAtLocation)]
    if organizations:
        singles.append(("organizations", models.Organization))
    for path, model in singles:
        for pk in model.objects.values_list("pk", flat=True):
            url = f"/api/hsds/{path}/{pk}"
            seen[url] = client.get(url).json()
    return seen


def empty_directory() -> None:
    """What a freshly migrated database holds: the seeded taxonomies and nothing else."""
    models.Attribute.objects.all().delete()
    models.CboProfile.objects.all().delete()
    models.Service.objects.all().delete()
    models.Location.objects.all().delete()
    models.Organization.objects.all().delete()
    assert not models.Phone.objects.exists() and not models.Address.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt, out", [("json", "d.json"), ("ndjson", "d.ndjson"), ("csv", "pkg")])
def test_export_then_import_gives_identical_api_output(client, tmp_path, fmt, out):
    demo_data_load()
    # A shelter's phone travels; its address never leaves the directory.
    shelter = models.Location.objects.filter(is_confidential=True).first()
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
    assert not models.Address.objects.filter(location__is_confidential=True).exists()


@pytest.mark.django_db
def test_the_zipped_package_imports_like_the_folder(client, tmp_path):
    demo_data_load()
    before = api_output(client, organizations=True)
    call_command("export_hsds", "--format", "csv", str(tmp_path / "pkg.zip"))
    empty_directory()
    call_command("import_hsds", str(tmp_path / "pkg.zip"))
    assert api_output(client, organizations=True) == before


# Text a spreadsheet would run as a formula, as a CBO head could type it into a listing.
FORMULAS = [
    '=HYPERLINK("http://evil.invalid","x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "'=quoted already",
]


@pytest.mark.django_db
@pytest.mark.parametrize("out", ["pkg", "pkg.zip"])
def test_the_package_writes_no_formula_and_reads_the_text_back_as_it_was(tmp_path, out):
    """Every cell of every table that would start a formula starts with an apostrophe
    (OWASP's advice: a spreadsheet shows it as text); the import takes the apostrophe off
    again, so the round trip is exact."""
    organization = OrganizationFactory(name=FORMULAS[1], description=FORMULAS[5])
    service = ServiceFactory(
        organization=organization,
        name=FORMULAS[0],
        alternate_name=FORMULAS[2],
        description=FORMULAS[3],
        eligibility_description=FORMULAS[4],
    )
    location = LocationFactory(organization=organization, name=FORMULAS[3])
    models.ServiceAtLocation.objects.create(service=service, location=location)
    models.Phone.objects.create(service=service, number="+60123456789")

    call_command("export_hsds", "--format", "csv", str(tmp_path / out))
    if out.endswith(".zip"):
        with zipfile.ZipFile(tmp_path / out) as archive:
            tables = {
                name: archive.read(name).decode() for name in archive.namelist() if ".csv" in name
            }
    else:
        tables = {p.name: p.read_text() for p in (tmp_path / out).glob("*.csv")}
    cells = {
        name: [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        for name, text in tables.items()
    }
    starts = ("=", "+", "-", "@", "\t", "\r")
    every = [cell for found in cells.values() for cell in found]
    assert not [cell for cell in every if cell.startswith(starts)]
    assert "'" + FORMULAS[0] in cells["services.csv"]
    assert "'" + FORMULAS[1] in cells["organizations.csv"]
    assert "''=quoted already" in cells["organizations.csv"]
    assert "'+60123456789" in cells["phones.csv"]

    empty_directory()
    call_command("import_hsds", str(tmp_path / out), stdout=io.StringIO())
    imported = models.Service.objects.get(pk=service.pk)
    assert [
        imported.name,
        imported.organization.name,
        imported.alternate_name,
        imported.description,
        imported.eligibility_description,
        imported.organization.description,
    ] == [FORMULAS[n] for n in (0, 1, 2, 3, 4, 5)]
    assert imported.phones.get().number == "+60123456789"
    assert models.Location.objects.get(pk=location.pk).name == FORMULAS[3]
