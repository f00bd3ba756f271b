"""Each public page's first load fits a slow mobile connection: ≤ 100 KB compressed."""

import pytest
from django.db.models.functions import Length

from santuni.demo.directory import demo_data_load
from santuni.directory.models import Service
from tools.pageweight import BUDGET_BYTES, measure

pytestmark = pytest.mark.django_db


def test_home_results_and_service_pages_stay_within_the_budget(client):
    demo_data_load()
    longest = Service.objects.order_by(Length("description").desc()).first()
    for url in ["/", "/cari?q=warga+emas", "/cari", f"/perkhidmatan/{longest.id}", "/en/cari"]:
        weight = measure(url, client)
        assert "/static/vendor/htmx/htmx.min.js" in weight.assets
        assert weight.total <= BUDGET_BYTES, f"{url}: {weight.total} bytes"
