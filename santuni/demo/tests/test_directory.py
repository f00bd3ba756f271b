"""The Negeri Sembilan demo directory that `make run` loads."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from santuni.demo.directory import demo_data_load
from santuni.directory.models import (
    Attribute,
    CboProfile,
    Location,
    Organization,
    Phone,
    Service,
    TaxonomyTerm,
)
from santuni.geo.models import Mukim

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return demo_data_load()


def test_demo_has_about_forty_cbos_over_seremban_mukims_and_eighty_services(demo):
    assert CboProfile.objects.count() >= 38
    assert Service.objects.count() >= 75
    for mukim in Mukim.objects.filter(district__slug="seremban"):
        assert mukim.cbos.count() >= 4, f"{mukim} has {mukim.cbos.count()} CBOs"


def test_every_target_group_has_services(demo):
    for term in TaxonomyTerm.objects.filter(taxonomy__code="kumpulan-sasar"):
        linked = Attribute.objects.filter(taxonomy_term=term, link_entity="service").count()
        assert linked >= 3, f"{term.code}: {linked} services"


def test_fictional_records_are_marked_as_sample_and_real_bodies_are_not(demo):
    for organization in Organization.objects.filter(cbo__isnull=False):
        assert organization.is_sample, organization.name
    for organization in Organization.objects.filter(is_sample=True):
        assert organization.name.endswith("(Contoh)"), organization.name
        assert organization.tr.name  # and a name in English too
    real = Organization.objects.filter(is_sample=False)
    assert real.filter(name__icontains="Talian Kasih").exists()
    assert real.filter(name__icontains="Kebajikan Masyarakat Daerah Seremban").exists()
    assert Phone.objects.filter(number="15999").exists()


def test_fictional_people_have_fictional_phone_numbers(demo):
    for cbo in CboProfile.objects.exclude(head_phone=""):
        assert re.fullmatch(r"\+6012000\d{4}", cbo.head_phone), cbo.head_phone


def test_demo_includes_a_confidential_shelter(demo):
    assert Location.objects.filter(is_confidential=True).exists()


def test_reloading_updates_in_place(demo):
    ids = set(Service.objects.values_list("id", flat=True))
    assert demo_data_load() == demo
    assert set(Service.objects.values_list("id", flat=True)) == ids


def test_load_command_leaves_existing_data_alone_with_if_empty():
    out = StringIO()
    call_command("load_demo_data", "--if-empty", stdout=out)
    assert "Loaded" in out.getvalue()
    count = Service.objects.count()
    Service.objects.first().delete()
    call_command("load_demo_data", "--if-empty", stdout=out)
    assert Service.objects.count() == count - 1
    assert "not loaded" in out.getvalue()


def test_searching_warga_emas_lists_sample_services(client, demo):
    response = client.get("/cari?q=warga+emas")
    page = response.context["page"]
    assert page.paginator.count >= 5
    assert any(s.organization.is_sample for s in page.object_list)
