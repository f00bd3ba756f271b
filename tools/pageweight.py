"""First-load transfer of a page: its HTML plus the CSS and JS it links, gzip-compressed.

`make pageweight` prints the figures for the home, results and service pages of the demo
directory; a test keeps each at or under the 100 KB budget for slow mobile connections.
"""

import gzip
import re
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.test import Client

BUDGET_BYTES = 100 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="(?:stylesheet|icon)"[^>]+href|script[^>]+src)="([^"]+)"')


@dataclass
class PageWeight:
    url: str
    html: int
    assets: dict[str, int]

    @property
    def total(self) -> int:
        return self.html + sum(self.assets.values())


def compressed_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def measure(url: str, client: Client | None = None) -> PageWeight:
    client = client or Client()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    html = response.content
    assets = {}
    for href in ASSET.findall(html.decode()):
        path = finders.find(href.removeprefix("/static/"))
        if path is None:
            raise RuntimeError(f"{url} links {href}, which is not a static file")
        with open(path, "rb") as f:
            assets[href] = compressed_size(f.read())
    return PageWeight(url, compressed_size(html), assets)


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.db.models.functions import Length
    from django.test.utils import setup_test_environment

    from santuni.demo.directory import demo_data_load
    from santuni.directory.models import Service

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    demo_data_load()
    service = Service.objects.order_by(Length("description").desc()).first()
    urls = ["/", "/cari?q=warga+emas", f"/perkhidmatan/{service.id}"]  # the longest service
    print(f"{'page':<60} {'html':>7} {'assets':>7} {'total':>7}  (bytes, gzip -9)")
    for url in urls:
        weight = measure(url)
        print(
            f"{url:<60} {weight.html:>7} {sum(weight.assets.values()):>7} {weight.total:>7}"
            f"  {weight.total / BUDGET_BYTES:.0%} of budget"
        )


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "santuni.settings")
    main()
