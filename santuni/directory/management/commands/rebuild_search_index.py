"""`manage.py rebuild_search_index`: the search index from scratch, in one transaction."""

import time

from django.core.management.base import BaseCommand

from santuni.directory.indexing import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of every listed service (searches go on meanwhile)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = rebuild()
        self.stdout.write(f"Indexed {count} services in {time.perf_counter() - started:.1f} s")
