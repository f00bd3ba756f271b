"""The admin: Malay by default, every directory table searchable and editable."""

import pytest

from .factories import CboProfileFactory, ServiceFactory, place_service

pytestmark = pytest.mark.django_db


def test_admin_speaks_malay(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Pentadbiran Santuni" in html
    assert "Tambah" in html  # Django's own Malay for "Add"


@pytest.mark.parametrize(
    "table", ["organization", "service", "location", "taxonomyterm", "cboprofile", "attribute"]
)
def test_every_directory_table_lists_searches_and_opens(admin_client, table):
    service = ServiceFactory(name="Bakul makanan warga emas", terms=["warga-emas"])
    location = place_service(service)
    cbo = CboProfileFactory()
    assert admin_client.get(f"/admin/directory/{table}/").status_code == 200
    assert admin_client.get(f"/admin/directory/{table}/", {"q": "warga"}).status_code == 200
    assert admin_client.get(f"/admin/directory/{table}/add/").status_code == 200
    editable = {
        "organization": service.organization,
        "service": service,
        "location": location,
        "cboprofile": cbo,
    }
    if table in editable:
        url = f"/admin/directory/{table}/{editable[table].pk}/change/"
        assert admin_client.get(url).status_code == 200


def test_district_admin_can_add_another_states_district(admin_client):
    from santuni.geo.models import District, State

    johor = State.objects.get(code="MY-01")
    response = admin_client.post(
        "/admin/geo/district/add/",
        {
            "name": "Pagoh",
            "name_en": "Pagoh",
            "slug": "pagoh",
            "latitude": "2.05",
            "longitude": "102.57",
            "state": johor.pk,
            "mukims-TOTAL_FORMS": "0",
            "mukims-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert District.objects.get(slug="pagoh").state == johor
