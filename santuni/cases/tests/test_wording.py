"""The danger panel names the OSCC by its official Malay name, as the directory does."""

from django.template.loader import render_to_string
from django.utils import translation


def test_the_oscc_is_pusat_krisis_sehenti_in_malay():
    with translation.override("ms"):
        panel = render_to_string("cases/_danger.html")
    assert "Pusat Krisis Sehenti (OSCC)" in panel
    assert "Setempat" not in panel and "One Stop" not in panel
    with translation.override("en"):
        assert "One Stop Crisis Centre (OSCC)" in render_to_string("cases/_danger.html")
