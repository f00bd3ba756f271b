"""Writes the directory out in HSDS 3.0: JSON, NDJSON (full services) or the tabular package.

An export is open data: of a confidential location, and of what hangs from it, only what
`santuni.directory.confidential` allows goes out; a CBO head's name and phone go out only
with their consent. The tables' text never runs as a formula in a spreadsheet
(santuni.lib.spreadsheets; the importer reads it back as it was).
"""

import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.db.models import BooleanField, ExpressionWrapper, QuerySet

from santuni.directory.confidential import confidential_rows
from santuni.directory.models import CboProfile, Service
from santuni.lib.spreadsheets import csv_writer

from . import serialize
from .readers import CBO_CSV, LIST_SEPARATOR
from .schemas import HERE, profile_schema
from .tables import TABLES, WRITE_ORDER

CHUNK = 2000
FRICTIONLESS_TYPES = {"string": "string", "number": "number", "integer": "integer"} | {
    "boolean": "boolean",
    "array": "string",
}


def export_services(stream: IO[str], fmt: str) -> int:
    """Full services as a JSON list or as NDJSON; returns how many."""
    services = Service.objects.order_by("id")
    count = 0
    if fmt == "json":
        stream.write("[")
    for item in serialize.iter_full_services(services, serialize.Options()):
        if fmt == "json":
            stream.write(",\n" if count else "\n")
        stream.write(json.dumps(item, ensure_ascii=False))
        if fmt == "ndjson":
            stream.write("\n")
        count += 1
    if fmt == "json":
        stream.write("\n]\n")
    return count


def _columns(schema: dict, lists: bool = False) -> list[str]:
    """Scalar fields become columns; lists (of names or ids) only in Santuni's CBO table."""
    kept = {"array"} if lists else set()
    return [
        name
        for name, spec in schema["properties"].items()
        if (spec.get("type") not in ("array", "object") or spec.get("type") in kept)
        and "$ref" not in spec
    ]


def _cbo_schema() -> dict:
    cbo = profile_schema("organization")["properties"]["cbo"]
    organization_id = {"type": "string", "format": "uuid", "description": "The organization."}
    return cbo | {"properties": {"organization_id": organization_id} | cbo["properties"]}


def _table_rows(table_name: str) -> tuple[QuerySet, callable]:
    table = TABLES[table_name]
    options = serialize.Options()
    found = table.model.objects.order_by("pk")
    related = {
        "address": ["mukim"],
        "service_area": ["district", "mukim"],
        "organization": ["cbo__district"],
        "taxonomy_term": ["taxonomy"],
        "attribute": ["taxonomy_term__taxonomy"],
    }.get(table_name, [])
    found = found.select_related(*related)
    if table_name == "organization":
        found = found.prefetch_related("cbo__mukims", "cbo__target_groups")
    shown, withheld = confidential_rows(table.model)
    if withheld is not None:
        found = found.exclude(withheld)
    if shown is None:
        return found, lambda obj: serialize.plain(table, obj, options, confidential=False)
    found = found.annotate(in_confidential=ExpressionWrapper(shown, output_field=BooleanField()))
    return found, lambda obj: serialize.plain(table, obj, options, bool(obj.in_confidential))


def _cbo_rows() -> tuple[QuerySet, callable]:
    found = (
        CboProfile.objects.select_related("organization", "district")
        .prefetch_related("mukims", "target_groups")
        .order_by("organization_id")
    )

    def row(profile: CboProfile) -> dict:
        organization = profile.organization
        organization.cbo = profile
        item = {}
        serialize.EXTRAS["organization"](organization, item, serialize.Options())
        return {"organization_id": str(organization.pk)} | item["cbo"]

    return found, row


def _cell(value):
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value  # a number, never guarded (a negative one is not a formula)
    return str(value)


def _write_csv(stream: IO[str], columns: list[str], rows: Iterator[dict]) -> int:
    writer = csv_writer(stream, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_cell(row[c]) if c in row else "" for c in columns])
        count += 1
    return count


def _resource(name: str, path: str, schema: dict, columns: list[str]) -> dict:
    fields = []
    for column in columns:
        spec = schema["properties"][column]
        field = {"name": column, "type": FRICTIONLESS_TYPES.get(spec.get("type"), "string")}
        if spec.get("format") in ("uuid", "uri", "email"):
            field["format"] = spec["format"]
        if spec.get("description"):
            field["description"] = spec["description"]
        fields.append(field)
    return {
        "name": name,
        "path": path,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "schema": {"fields": fields, "primaryKey": "id" if "id" in columns else "organization_id"},
    }


@contextmanager
def _package_writer(target: Path):
    """Yields open(name) for files in a folder, or in a .zip archive."""
    if target.suffix.lower() == ".zip":
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:

            @contextmanager
            def open_member(name: str):
                with (
                    archive.open(name, "w") as raw,
                    io.TextIOWrapper(raw, encoding="utf-8") as text,
                ):
                    yield text

            yield open_member
    else:
        target.mkdir(parents=True, exist_ok=True)

        @contextmanager
        def open_file(name: str):
            with (target / name).open("w", encoding="utf-8", newline="") as text:
                yield text

        yield open_file


def export_package(target: Path) -> dict[str, int]:
    """The tabular data package: a CSV per table, datapackage.json, Santuni's CBO table."""
    descriptor = json.loads((HERE / "hsds" / "datapackage.json").read_text())
    descriptor.pop("resources")
    descriptor["title"] = "Santuni: HSDS 3.0 with the Santuni profile"
    resources, counts = [], {}
    with _package_writer(target) as open_member:
        for table_name in [*WRITE_ORDER, "cbo"]:
            if table_name == "cbo":
                schema, path = _cbo_schema(), CBO_CSV
                found, to_row = _cbo_rows()
            else:
                schema, path = profile_schema(table_name), TABLES[table_name].csv_name
                found, to_row = _table_rows(table_name)
            columns = _columns(schema, lists=table_name == "cbo")
            with open_member(path) as stream:
                rows = (to_row(obj) for obj in found.iterator(chunk_size=CHUNK))
                counts[path] = _write_csv(stream, columns, rows)
            resources.append(_resource(table_name, path, schema, columns))
        descriptor["resources"] = resources
        with open_member("datapackage.json") as stream:
            json.dump(descriptor, stream, ensure_ascii=False, indent=2)
    return counts
