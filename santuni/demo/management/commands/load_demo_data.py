"""Load the Negeri Sembilan demo directory (real public bodies, fictional sample CBOs) and the
demo capacity-building events."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from santuni.demo.directory import DemoDataError, demo_data_load
from santuni.demo.training import training_demo_load
from santuni.directory.models import Organization


class Command(BaseCommand):
    help = "Load the Negeri Sembilan demo directory; reloading replaces the demo records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the directory already has organizations.",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Organization.objects.exists():
            self.stdout.write("The directory has data already; demo data not loaded.")
            return
        try:
            with transaction.atomic():
                counts = demo_data_load()
                # The demo events' attendance names the demo CBOs, so they come second.
                training = training_demo_load()
        except DemoDataError as exc:
            raise CommandError(f"Demo data is invalid: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Loaded {organizations} organizations ({cbos} CBOs), {services} services, "
                "{locations} locations.".format(**counts)
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                "Loaded {programmes} training programmes, {events} events, "
                "{attendances} attendances.".format(**training)
            )
        )
