"""The screener's words in the reader's language: sources named in Malay on Malay pages, and
age checks that say which condition the age meets."""

import pytest
from django.urls import reverse

from santuni.aid.models import PovertyLine, SchemeVersion
from santuni.demo.directory import demo_data_load
from santuni.geo.models import District

pytestmark = pytest.mark.django_db
ANSWERS = {
    "step": "person",
    "age": "70",
    "own_income": "0",
    "work": "not_working",
    **dict.fromkeys(("oku", "carer", "institution", "pdk", "other_aid"), "no"),
    "children": "",
    "area": "all",
    "size": "1",
    "income": "500",
}


@pytest.fixture
def answers():
    demo_data_load()
    return {**ANSWERS, "district": District.objects.get(slug="seremban").pk}


def test_sources_are_named_in_each_language():
    version = SchemeVersion.objects.get(scheme__code="bwe", source="Belanjawan 2025")
    assert version.source_en == "Budget 2025"
    assert not SchemeVersion.objects.filter(source__startswith="Budget").exists()
    assert not PovertyLine.objects.filter(source__contains="Household Income Survey").exists()


def test_a_malay_page_names_the_budget_in_malay_and_an_english_page_in_english(client, answers):
    malay = client.post(reverse("aid:screener"), answers).content.decode()
    assert "Sumber: Belanjawan 2025" in malay
    assert "Budget" not in malay
    english = client.post("/en" + reverse("aid:screener"), answers).content.decode()
    assert "Source: Budget 2025" in english
    assert "Belanjawan" not in english


def test_an_age_check_says_the_condition_is_met_or_not(client, answers):
    malay = client.post(reverse("aid:screener"), answers).content.decode()
    assert "Umur 70 tahun: syarat 60 tahun ke atas dipenuhi." in malay
    assert "Umur 70 tahun: 60 tahun ke atas." not in malay
    young = client.post(reverse("aid:screener"), {**answers, "age": "40"}).content.decode()
    assert "Umur 40 tahun: syarat 60 tahun ke atas tidak dipenuhi." in young
    english = client.post("/en" + reverse("aid:screener"), answers).content.decode()
    assert "Aged 70: meets the condition of 60 or older." in english
