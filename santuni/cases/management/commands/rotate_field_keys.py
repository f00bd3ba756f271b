"""Encrypts every personal field again with the newest key in FIELD_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand
from django.db import transaction

from santuni.cases.models import Client


class Command(BaseCommand):
    help = (
        "Re-encrypt MyKad and OKU card numbers with the first key of FIELD_ENCRYPTION_KEYS. "
        "Put the new key first, run this, then remove the old key."
    )

    def handle(self, *args, **options):
        count = 0
        ids = Client.objects.exclude(mykad="", oku_card="").values_list("pk", flat=True)
        for client_id in list(ids.iterator()):
            with transaction.atomic():
                client = Client.objects.select_for_update().get(pk=client_id)
                # Reading decrypts with any configured key; writing encrypts with the newest.
                Client.objects.filter(pk=client.pk).update(
                    mykad=client.mykad, oku_card=client.oku_card
                )
            count += 1
        self.stdout.write(f"re-encrypted: {count} people")
