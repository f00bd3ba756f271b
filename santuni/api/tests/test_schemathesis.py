"""Schemathesis against the API's own OpenAPI document: every operation, fed what
its parameters allow and what they do not, answers without a server error and as documented."""

import tempfile
from pathlib import Path

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.python import wsgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from santuni.directory import models
from santuni.directory.tests.factories import (
    CboProfileFactory,
    OrganizationFactory,
    ServiceFactory,
    mukim,
    place_service,
    term,
    weekday_hours,
)
from santuni.tests.fuzz import PAGE
from santuni.wsgi import application

DOCUMENT = "/api/hsds/openapi.json"
schema = schemathesis.openapi.from_wsgi(DOCUMENT, application)


def mirror_profile_schemas() -> Path:
    """The schemas the API serves at /api/hsds/profile/schema/, copied into a folder.

    The document's responses point at them by relative reference ("profile/schema/service.json",
    which in turn point at "organization.json"); Schemathesis resolves references against a
    file when the document came from an application rather than a URL, so they are put where
    that file would be. Without them it would check no response body at all, silently.
    """
    client = wsgi.get_client(application)
    folder = Path(SERVED.name)
    (folder / "profile" / "schema").mkdir(parents=True)
    for name in client.get("/api/hsds/profile/").json["schemas"]:
        served = client.get(f"/api/hsds/profile/schema/{name}.json")
        assert served.status_code == 200, name
        (folder / "profile" / "schema" / f"{name}.json").write_bytes(served.get_data())
    return folder / "openapi.json"


SERVED = tempfile.TemporaryDirectory(prefix="santuni-openapi-")
schema.location = mirror_profile_schemas().as_uri()


def small_directory() -> None:
    """A CBO and an agency with what the API publishes: places, hours, phones, terms, a
    confidential shelter, a closed service; enough that no list answers empty."""
    cbo = CboProfileFactory(
        organization=OrganizationFactory(name="Pertubuhan Sampel Rasah Prihatin"),
        head_consent=True,
    )
    cbo.mukims.add(mukim("Rasah"))
    cbo.target_groups.add(term("warga-emas"))
    food = ServiceFactory(
        organization=cbo.organization,
        name="Bantuan makanan warga emas",
        terms=["warga-emas", "makanan"],
    )
    place_service(food)
    weekday_hours(food)
    models.Phone.objects.create(organization=cbo.organization, service=food, number="+60123456789")
    agency = OrganizationFactory(name="Pejabat Kebajikan Masyarakat Daerah Seremban")
    aid = ServiceFactory(organization=agency, name="Bantuan kewangan", terms=["bantuan-kewangan"])
    place_service(aid, mukim_name="Ampangan")
    shelter = ServiceFactory(organization=agency, name="Rumah perlindungan", terms=["mangsa-krt"])
    place_service(shelter, is_confidential=True)
    ServiceFactory(
        organization=agency,
        name="Kaunseling keluarga",
        status=models.Service.Status.TEMPORARILY_CLOSED,
    )


@pytest.fixture
def directory(db, settings):
    small_directory()
    # The throttle counts every call from the one test address; this is not what is tested.
    settings.SANTUNI_API_RATE = "1000000/m"
    cache.clear()
    # Django closes the database connection after each request it serves; in a test, that
    # connection holds the test's transaction (the test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    cache.clear()


@schema.parametrize()
@PAGE
def test_every_operation(case, directory):
    # Every default check but one: "lat without lng" and "proximity without a position" fit
    # each parameter's schema, yet are refused (400, naming the parameter) by design; OpenAPI
    # 3.0 cannot say that one query parameter needs another.
    # Uncompressed: the in-process client would hand Schemathesis gzip bytes to read as JSON.
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"}, excluded_checks=[positive_data_acceptance]
    )
