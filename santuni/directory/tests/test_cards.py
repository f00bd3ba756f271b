"""The compact result card: name, organisation, where (once, short), one line, and the
sample marker once; the service page names a covered area once."""

import re

import pytest
from django.urls import reverse

from santuni.directory.models import ServiceArea
from santuni.geo.models import District

from .factories import OrganizationFactory, ServiceFactory, mukim, place_service, seremban
from .pages import html_of

pytestmark = pytest.mark.django_db


def cards(response) -> list[str]:
    return re.findall(r'<li class="card">.*?</li>', html_of(response), re.S)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_sample_record_says_contoh_once_per_card(client):
    sample = OrganizationFactory(name="Persatuan Ujian (Contoh)", is_sample=True)
    ServiceFactory(organization=sample, name="Bakul makanan", description="Data contoh. Dua kali.")
    (card,) = cards(client.get("/cari", {"q": "bakul"}))
    assert words(card).count("Contoh") == 1
    assert "Persatuan Ujian" in card and "Data contoh" not in card
    assert "Dua kali." in card


def test_coverage_is_said_once_and_short(client):
    service = ServiceFactory(name="Talian bantuan negeri")
    districts = District.objects.filter(state__code="MY-05").order_by("name")[:7]
    for district in districts:
        ServiceArea.objects.create(service=service, district=district)
    (card,) = cards(client.get("/cari", {"q": "talian"}))
    names = [d.name for d in districts]
    assert f"{names[0]}, {names[1]}" in words(card) and "+5" in words(card)
    assert names[2] not in card
    assert "Meliputi" not in card


def test_a_card_offers_call_whatsapp_and_directions(client):
    service = ServiceFactory(name="Jagaan harian")
    place_service(service)
    service.phones.create(number="+60123456789")
    (card,) = cards(client.get("/cari", {"q": "jagaan"}))
    assert 'href="tel:+60123456789"' in card
    assert "https://wa.me/60123456789" in card
    assert "Arah" in card and "google.com/maps" in card
    assert "Rasah, Seremban" in words(card)


def test_a_mukim_named_like_its_district_is_not_named_twice(client):
    service = ServiceFactory(name="Kelas malam")
    ServiceArea.objects.create(service=service, district=seremban(), mukim=mukim("Seremban"))
    page = words(html_of(client.get(reverse("directory:service", args=[service.pk]))))
    assert "Seremban (Seremban)" not in page
    assert "Kawasan diliputi: Seremban" in page


def test_the_home_page_asks_about_a_household_not_this_one(client):
    page = html_of(client.get("/"))
    assert "isi rumah ini" not in page
    assert "Bantuan JKM apakah yang boleh diterima oleh sesebuah isi rumah?" in page
