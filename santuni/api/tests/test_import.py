"""import_hsds: what an administrator sees when bringing in another system's HSDS data."""

import copy
import csv
import io
import json
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from santuni.api import importer
from santuni.api.importer import Importer
from santuni.directory import models

# A copy of ../shared/eval/services.ndjson, so that a fresh clone tests without ../shared.
EVAL = Path(__file__).resolve().parent / "data" / "eval_services.ndjson"


def sample_service(**changes) -> dict:
    """A full HSDS service such as another directory would publish."""
    service = {
        "id": str(uuid.uuid4()),
        "name": "Pusat Jagaan Harian Warga Emas Contoh",
        "name_en": "Sample day care centre for older people",
        "description": "Penjagaan harian untuk warga emas.",
        "status": "active",
        "organization": {
            "id": str(uuid.uuid4()),
            "name": "Persatuan Contoh",
            "description": "Pertubuhan contoh.",
        },
        "phones": [{"id": str(uuid.uuid4()), "number": "+60120001234"}],
        "attributes": [
            {
                "id": str(uuid.uuid4()),
                "link_type": "target_group",
                "link_entity": "service",
                "taxonomy_term": {
                    "id": str(uuid.uuid4()),
                    "name": "warga emas",
                    "description": "warga emas",
                    "taxonomy": "kumpulan-sasar",
                },
            }
        ],
        "service_at_locations": [
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": str(uuid.uuid4()),
                    "location_type": "physical",
                    "name": "Pusat Contoh",
                    "latitude": 2.72,
                    "longitude": 101.94,
                    "addresses": [
                        {
                            "id": str(uuid.uuid4()),
                            "address_1": "No. 1, Jalan Contoh",
                            "city": "Seremban",
                            "region": "Seremban",
                            "state_province": "Negeri Sembilan",
                            "postal_code": "70000",
                            "country": "MY",
                            "address_type": "physical",
                            "mukim": "Ampangan",
                        }
                    ],
                },
            }
        ],
    }
    service.update(changes)
    return service


def write_ndjson(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def run_import(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_hsds", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def directory_snapshot() -> dict:
    return {
        model.__name__: sorted(str(pk) for pk in model.objects.values_list("pk", flat=True))
        for model in (
            models.Organization,
            models.Service,
            models.Location,
            models.Address,
            models.Phone,
            models.Attribute,
        )
    } | {
        "terms": models.TaxonomyTerm.objects.count(),
        "names": list(models.Service.objects.values("name")),
    }


@pytest.mark.django_db
def test_the_evaluation_set_imports_26_services_keeping_their_ids(client):
    ids = [json.loads(line)["id"] for line in EVAL.read_text().splitlines()]
    out, _ = run_import(EVAL)
    assert "26 created" in out
    assert sorted(str(pk) for pk in models.Service.objects.values_list("pk", flat=True)) == sorted(
        ids
    )
    assert client.get("/api/hsds/services").json()["total_items"] == 26
    # Running it again updates in place: nothing doubles.
    out, _ = run_import(EVAL)
    assert "0 created, 26 updated" in out
    assert models.Service.objects.count() == 26


@pytest.mark.django_db
def test_places_map_to_districts_and_states_and_terms_to_our_taxonomy(tmp_path):
    service = sample_service()
    run_import(write_ndjson(tmp_path / "one.ndjson", [service]))
    address = models.Address.objects.get()
    assert (address.state.code, address.district.slug, address.mukim.name) == (
        "MY-05",
        "seremban",
        "Ampangan",
    )
    # "warga emas" in "kumpulan-sasar" is our own seeded target group, not a new copy.
    attribute = models.Attribute.objects.get()
    assert attribute.taxonomy_term.code == "warga-emas"
    assert models.TaxonomyTerm.objects.filter(code="warga-emas").count() == 1
    assert attribute.taxonomy_term.name_en  # our English name is kept


@pytest.mark.django_db
@pytest.mark.parametrize(
    "region, state",
    [("seremban", "NEGERI SEMBILAN"), ("Seremban", "MY-05"), ("SEREMBAN", "negeri sembilan")],
)
def test_places_match_in_any_case_and_by_iso_code(tmp_path, region, state):
    service = sample_service()
    place = service["service_at_locations"][0]["location"]["addresses"][0]
    place.update(region=region, state_province=state)
    run_import(write_ndjson(tmp_path / "one.ndjson", [service]))
    address = models.Address.objects.get()
    assert address.district.slug == "seremban" and address.state.code == "MY-05"


@pytest.mark.django_db
def test_an_unknown_place_is_kept_as_text_with_a_warning(tmp_path):
    service = sample_service()
    place = service["service_at_locations"][0]["location"]["addresses"][0]
    place.update(region="Daerah Tiada", mukim="Tiada")
    out, err = run_import(write_ndjson(tmp_path / "one.ndjson", [service]))
    assert "no district called 'Daerah Tiada'" in err
    assert "one.ndjson line 1" in err
    assert "no mukim 'Tiada'" in err
    assert "2 warnings" in out
    address = models.Address.objects.get()
    assert address.region == "Daerah Tiada" and address.district is None


@pytest.mark.django_db
@pytest.mark.parametrize("shape", ["object", "list", "page"])
def test_json_files_hold_one_service_a_list_or_a_page(tmp_path, shape):
    services = [sample_service(), sample_service()]
    content = {
        "object": services[0],
        "list": services,
        "page": {"total_items": 2, "page_number": 1, "contents": services},
    }[shape]
    path = tmp_path / "in.json"
    path.write_text(json.dumps(content))
    run_import(path)
    expected = 1 if shape == "object" else 2
    assert models.Service.objects.count() == expected


@pytest.mark.django_db
def test_one_bad_record_among_good_ones_imports_nothing_and_names_it(tmp_path):
    call_command("import_hsds", str(EVAL), stdout=io.StringIO())
    before = directory_snapshot()
    bad = sample_service()
    bad["phones"][0].pop("number")
    changed = json.loads(EVAL.read_text().splitlines()[0]) | {"name": "Nama baharu"}
    path = write_ndjson(
        tmp_path / "mixed.ndjson", [sample_service(), changed, bad, sample_service()]
    )
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_hsds", str(path), stdout=io.StringIO(), stderr=errors)
    assert directory_snapshot() == before
    # The message names the file and line, the record's id and the JSON path of the fault.
    assert f"mixed.ndjson line 3 (id {bad['id']}): $.phones[0]" in errors.getvalue()
    assert "number" in errors.getvalue()


@pytest.mark.django_db
def test_skip_invalid_imports_the_good_records(tmp_path):
    bad = sample_service(status="open-ish")
    good = [sample_service(), sample_service()]
    out, err = run_import(
        "--skip-invalid", write_ndjson(tmp_path / "in.ndjson", [good[0], bad, good[1]])
    )
    assert "2 created" in out and "1 skipped" in out
    assert f"in.ndjson line 2 (id {bad['id']}): $.status" in err
    assert set(models.Service.objects.values_list("name", flat=True)) == {good[0]["name"]}
    assert models.Service.objects.count() == 2


@pytest.mark.django_db
def test_unreadable_lines_and_unknown_references_are_reported(tmp_path):
    orphan = sample_service()
    orphan.pop("organization")
    orphan["organization_id"] = str(uuid.uuid4())
    path = tmp_path / "in.ndjson"
    path.write_text(json.dumps(sample_service()) + "\n{not json\n" + json.dumps(orphan) + "\n")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_hsds", str(path), stdout=io.StringIO(), stderr=errors)
    assert "in.ndjson line 2: $: not valid JSON" in errors.getvalue()
    assert f"line 3 (id {orphan['id']}): $.organization_id: organization" in errors.getvalue()
    assert not models.Service.objects.exists()


@pytest.mark.django_db
def test_reimport_replaces_the_records_a_service_owns(tmp_path):
    service = sample_service()
    service["phones"].append({"id": str(uuid.uuid4()), "number": "+60120009999"})
    run_import(write_ndjson(tmp_path / "a.ndjson", [service]))
    assert models.Phone.objects.count() == 2
    changed = copy.deepcopy(service)
    changed["name"] = "Nama baharu"
    changed["phones"] = changed["phones"][:1]
    out, _ = run_import(write_ndjson(tmp_path / "b.ndjson", [changed]))
    assert "1 updated" in out
    assert models.Service.objects.get().name == "Nama baharu"
    assert list(models.Phone.objects.values_list("number", flat=True)) == ["+60120001234"]


@pytest.mark.django_db
def test_an_interrupted_import_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 3)  # several batches written before the stop
    records = [sample_service() for _ in range(10)]
    path = write_ndjson(tmp_path / "in.ndjson", records)
    seen = []

    def interrupt():
        seen.append(1)
        if len(seen) == 8:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Importer(on_record=interrupt).run([path])
    assert not models.Service.objects.exists() and not models.Organization.objects.exists()


@pytest.mark.django_db
def test_a_bad_row_of_a_data_package_is_named_by_file_and_row(tmp_path):
    run_import(write_ndjson(tmp_path / "seed.ndjson", [sample_service()]))
    call_command("export_hsds", "--format", "csv", str(tmp_path / "pkg"), stderr=io.StringIO())
    phones = tmp_path / "pkg" / "phones.csv"
    rows = list(csv.DictReader(phones.open()))
    rows[0]["number"] = ""
    with phones.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_hsds", str(tmp_path / "pkg"), stdout=io.StringIO(), stderr=errors)
    assert f'phones.csv row 2 (id {rows[0]["id"]}): $: "number" is a required' in errors.getvalue()


@pytest.mark.django_db
def test_a_missing_file_or_a_wrong_kind_of_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "nowhere.ndjson")
    other = tmp_path / "list.txt"
    other.write_text("hello")
    with pytest.raises(CommandError, match="not a .json, .ndjson or .zip"):
        run_import(other)
    broken = tmp_path / "broken.zip"
    broken.write_text("not a zip")
    with pytest.raises(CommandError, match="not a zip archive"):
        run_import(broken)


FIVE_STATES = [
    # (region, city, state_province, postcode, expected district, expected state)
    ("Kota Bharu", "Kota Bharu", "Kelantan", "15000", "kota-bharu", "MY-03"),
    ("Johor Baharu", "Johor Bahru", "Johore", "80000", "johor-bahru", "MY-01"),
    ("Petaling", "Petaling Jaya", "Selangor Darul Ehsan", "46000", "petaling", "MY-10"),
    ("Kuching", "Kuching", "MY-13", "93000", "kuching", "MY-13"),
    ("Daerah Kota Kinabalu", "Kota Kinabalu", "SABAH", "88000", "kota-kinabalu", "MY-12"),
    # No region: Butterworth is a town of Seberang Perai Utara. Nothing but a postcode: it
    # gives both the state and the district.
    ("", "Butterworth", "Pulau Pinang", "12000", "seberang-perai-utara", "MY-07"),
    ("", "", "", "50450", "kuala-lumpur", "MY-14"),
]


def five_state_services() -> list[dict]:
    """One service at each address of FIVE_STATES, every id its own."""
    services = []
    for region, city, state, postcode, _district, _state in FIVE_STATES:
        service = sample_service(id=str(uuid.uuid4()), name=f"Pusat Contoh {city or postcode}")
        service["service_at_locations"][0]["id"] = str(uuid.uuid4())
        service["service_at_locations"][0]["location"]["id"] = str(uuid.uuid4())
        address = service["service_at_locations"][0]["location"]["addresses"][0]
        address.update(
            id=str(uuid.uuid4()),
            region=region,
            city=city,
            state_province=state,
            postal_code=postcode,
            mukim="",
        )
        services.append(service)
    return services


@pytest.mark.django_db
def test_an_import_of_services_in_five_states_matches_every_district(tmp_path):
    services = five_state_services()
    out, err = run_import(write_ndjson(tmp_path / "five.ndjson", services))
    assert "warning" not in err, err
    found = {
        a.postal_code: (a.district.slug if a.district else None, a.state.code if a.state else None)
        for a in models.Address.objects.select_related("district", "state")
    }
    assert found == {pc: (d, s) for _r, _c, _st, pc, d, s in FIVE_STATES}


@pytest.mark.django_db
def test_the_apis_district_and_postcode_parameters_work_in_every_state(tmp_path, client):
    run_import(write_ndjson(tmp_path / "five.ndjson", five_state_services()))

    def names(url, **params):
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        return [s["name"] for s in response.json()["contents"]]

    for district in ("Kota Bharu", "kota-bahru", "0302", "Jajahan Kota Bharu, Kelantan"):
        assert names("/api/hsds/services", district=district) == ["Pusat Contoh Kota Bharu"]
    assert names("/api/hsds/services", district="Kuching") == ["Pusat Contoh Kuching"]
    assert names("/api/hsds/services", district="Seberang Perai Utara") == [
        "Pusat Contoh Butterworth"
    ]
    by_postcode = client.get("/api/hsds/service_at_locations", {"postcode": "88000"}).json()
    kota_kinabalu = models.Service.objects.get(name="Pusat Contoh Kota Kinabalu")
    assert [s["service_id"] for s in by_postcode["contents"]] == [str(kota_kinabalu.pk)]
    unknown = client.get("/api/hsds/services", {"district": "Atlantis"})
    assert unknown.status_code == 400 and "Atlantis" in unknown.content.decode()
