"""`manage.py import_hsds PATH...`: HSDS JSON, NDJSON or tabular data packages in."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from santuni.api.importer import Importer
from santuni.api.readers import ReadError

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 services: .json (one service, a list, or a page), .ndjson (one "
        "service per line), or a tabular data package (folder or .zip with datapackage.json). "
        "Upserts by id. Nothing is imported if any record is invalid, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid records and report the invalid ones.",
        )

    def handle(self, *args, paths, skip_invalid, **options):
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path}: no such file or folder")
        progress = tqdm(
            unit=" records", disable=not sys.stderr.isatty(), file=sys.stderr, mininterval=0.5
        )
        importer = Importer(skip_invalid=skip_invalid, on_record=lambda: progress.update())
        try:
            summary = importer.run(paths)
        except ReadError as error:
            raise CommandError(str(error)) from None
        finally:
            progress.close()
        for warning in summary.warnings[:SHOWN_PROBLEMS]:
            self.stderr.write(f"warning: {warning}")
        if summary.warning_count > SHOWN_PROBLEMS:
            self.stderr.write(f"... and {summary.warning_count - SHOWN_PROBLEMS} more warnings")
        for problem in summary.problems[:SHOWN_PROBLEMS]:
            self.stderr.write(f"invalid: {problem}")
        if len(summary.problems) > SHOWN_PROBLEMS:
            self.stderr.write(f"... and {len(summary.problems) - SHOWN_PROBLEMS} more problems")
        line = (
            f"{summary.records} records: {summary.created} created, {summary.updated} updated, "
            f"{summary.skipped} skipped, {summary.warning_count} warnings, "
            f"{summary.seconds:.1f} s"
        )
        if summary.problems and not skip_invalid:
            raise CommandError(f"{line}. Nothing was imported: fix the invalid records above.")
        self.stdout.write(line)
