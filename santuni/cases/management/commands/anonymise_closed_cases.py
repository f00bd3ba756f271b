"""Anonymises people whose cases all closed longer ago than SANTUNI['CASE_RETENTION_DAYS']."""

from django.core.management.base import BaseCommand

from santuni.cases.services.cases import clients_anonymise_expired


class Command(BaseCommand):
    help = "Anonymise clients whose cases closed before the retention period (run daily)."

    def handle(self, *args, **options):
        count = clients_anonymise_expired()
        self.stdout.write(f"anonymised: {count} people")
