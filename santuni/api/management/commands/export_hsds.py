"""`manage.py export_hsds --format json|ndjson|csv OUT`: the directory out in HSDS 3.0."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from santuni.api.exporter import export_package, export_services


class Command(BaseCommand):
    help = (
        "Export the directory in HSDS 3.0: json (a list of full services), ndjson (one full "
        "service per line) or csv (the tabular data package: a folder, or a .zip archive when "
        "OUT ends in .zip). OUT '-' writes json or ndjson to standard output. Of a "
        "confidential location only its name, phones and hours are exported; unconsented CBO "
        "heads never are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "ndjson", "csv"], default="json")
        parser.add_argument("out", help="File, folder or .zip to write; '-' for stdout.")

    def handle(self, *args, format, out, **options):
        started = time.perf_counter()
        if format == "csv":
            if out == "-":
                raise CommandError("csv writes several files: give a folder or a .zip")
            target = Path(out)
            if target.exists() and target.is_dir() and any(target.iterdir()):
                raise CommandError(f"{target} is a folder that is not empty")
            counts = export_package(target)
            summary = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
            self.stderr.write(f"Wrote {target}: {summary} ({time.perf_counter() - started:.1f} s)")
            return
        if out == "-":
            count = export_services(sys.stdout, format)
        else:
            target = Path(out)
            partial = target.with_name(target.name + ".partial")
            with partial.open("w", encoding="utf-8") as stream:
                count = export_services(stream, format)
            partial.replace(target)  # never leave a half-written export under the real name
        self.stderr.write(
            f"Wrote {count} services to {out} ({time.perf_counter() - started:.1f} s)"
        )
