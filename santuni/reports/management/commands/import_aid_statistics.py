"""`manage.py import_aid_statistics FILE.csv`: JKM aid figures in (format in csv_import.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from santuni.reports.aid_statistics.csv_import import AidCsvError
from santuni.reports.aid_statistics.services import aid_statistics_import


class Command(BaseCommand):
    help = (
        "Import JKM aid statistics from a CSV file with the header "
        "year,state,scheme,recipients,amount_rm,as_of,source,source_url (described in "
        "santuni/reports/aid_statistics/csv_import.py). Rows replace those of the same year, "
        "state and scheme. Nothing is imported if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file.")

    def handle(self, *args, path: Path, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            counts = aid_statistics_import(data=data, actor=None, filename=path.name)
        except AidCsvError as error:
            raise CommandError(
                "\n".join([f"{path}: nothing was imported.", *error.messages])
            ) from None
        self.stdout.write(
            f"{path}: {counts.rows} rows: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged."
        )
