"""Reads HSDS files record by record, without loading a whole file into memory.

JSON (one service, a list, or a page object `{"contents": [...]}`), NDJSON (one service per
line) and the tabular data package (a folder or .zip with datapackage.json and CSV files).
"""

import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson

from santuni.lib.spreadsheets import unguarded

from .schemas import profile_schema
from .tables import TABLES, WRITE_ORDER

CBO_CSV = "cbo_profiles.csv"
LIST_SEPARATOR = ";"


@dataclass
class Record:
    """One record to import: a full service, or one row of a table of the data package."""

    position: str  # "services.ndjson line 3", "services.csv row 7"
    table: str  # "service", or the table of a CSV row; "cbo" for Santuni's CBO table
    data: Any
    error: str = ""  # could not be read at all
    tabular: bool = False  # a row of the tabular data package


class ReadError(Exception):
    pass


def read(path: Path) -> Iterator[Record]:
    if path.is_dir() or path.suffix.lower() == ".zip":
        yield from _read_package(path)
    elif path.suffix.lower() in {".ndjson", ".jsonl"}:
        yield from _read_ndjson(path)
    elif path.suffix.lower() == ".json":
        yield from _read_json(path)
    else:
        raise ReadError(f"{path}: not a .json, .ndjson or .zip file, nor a folder")


# Python's reader also gives up on text that is not UTF-8 and on arrays nested too deep.
UNREADABLE_JSON = (json.JSONDecodeError, UnicodeDecodeError, RecursionError)


def _json_error(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "not valid JSON (nested too deeply)"
    return f"not valid JSON ({error})"


def _read_ndjson(path: Path) -> Iterator[Record]:
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            position = f"{path.name} line {number}"
            try:
                data = json.loads(line)
            except UNREADABLE_JSON as error:
                yield Record(position, "service", None, error=_json_error(error))
            else:
                yield Record(position, "service", data)


def _top_level_shape(path: Path) -> str:
    """'list', 'page' or 'object', reading only as far as needed."""
    with path.open("rb") as stream:
        for prefix, event, value in ijson.parse(stream):
            if prefix == "" and event == "start_array":
                return "list"
            if prefix == "" and event == "map_key" and value == "contents":
                return "page"
    return "object"


def _read_json(path: Path) -> Iterator[Record]:
    try:
        shape = _top_level_shape(path)
    except ijson.JSONError as error:
        yield Record(f"{path.name}", "service", None, error=f"not valid JSON ({error})")
        return
    if shape == "object":
        with path.open("rb") as stream:
            try:
                data = json.load(stream)
            except UNREADABLE_JSON as error:
                yield Record(f"{path.name}", "service", None, error=_json_error(error))
            else:
                yield Record(f"{path.name} record 1", "service", data)
        return
    items = "item" if shape == "list" else "contents.item"
    with path.open("rb") as stream:
        number = 0
        try:
            for number, item in enumerate(ijson.items(stream, items, use_float=True), start=1):
                yield Record(f"{path.name} record {number}", "service", item)
        except ijson.JSONError as error:
            yield Record(
                f"{path.name} after record {number}",
                "service",
                None,
                error=f"not valid JSON ({error})",
            )


# --- the tabular data package ----------------------------------------------------------


# What zipfile raises for a damaged archive: bad checksums and headers, data that does not
# decompress, offsets past the end, unknown compression methods, a flag saying "encrypted".
DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


class _Package:
    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None
        self.prefix = ""
        if self.zip is not None:
            descriptors = [n for n in self.zip.namelist() if n.endswith("datapackage.json")]
            if not descriptors:
                raise ReadError(f"{path}: no datapackage.json in the archive")
            self.prefix = min(descriptors, key=len).removesuffix("datapackage.json")
        elif not (path / "datapackage.json").is_file():
            raise ReadError(f"{path}: no datapackage.json in the folder")

    def exists(self, name: str) -> bool:
        if self.zip is not None:
            return self.prefix + name in self.zip.namelist()
        return (self.path / name).is_file()

    def open(self, name: str):
        if self.zip is not None:
            return io.TextIOWrapper(self.zip.open(self.prefix + name), encoding="utf-8-sig")
        return (self.path / name).open(encoding="utf-8-sig", newline="")

    def close(self):
        if self.zip is not None:
            self.zip.close()


def _read_package(path: Path) -> Iterator[Record]:
    try:
        package = _Package(path)
    except DAMAGED as error:
        raise ReadError(f"{path}: not a zip archive ({error})") from None
    try:
        # Tables are read in HSDS file names, parents first, whatever order the descriptor has.
        for table in WRITE_ORDER:
            name = TABLES[table].csv_name
            if package.exists(name):
                yield from _read_csv(package, name, table)
        if package.exists(CBO_CSV):
            yield from _read_csv(package, CBO_CSV, "cbo")
    finally:
        package.close()


def _column_types(table: str) -> dict[str, str]:
    if table == "cbo":
        properties = profile_schema("organization")["properties"]["cbo"]["properties"]
    else:
        properties = profile_schema(table)["properties"]
    return {name: spec.get("type", "string") for name, spec in properties.items()}


def _cell(value: str, kind: str):
    """A CSV cell as the JSON value the schema expects; unreadable values are left as text
    so that validation reports them with their column."""
    value = unguarded(value)  # what the exporter guarded against spreadsheets, as it was
    if kind == "array":
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            number = float(value)
            return int(number) if number.is_integer() and "." not in value else number
    except ValueError:
        return value
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes", "ya"}:
            return True
        if lowered in {"false", "0", "no", "tidak"}:
            return False
    return value


def _read_csv(package: _Package, name: str, table: str) -> Iterator[Record]:
    types = _column_types(table)
    number = 1  # row 1 is the header
    try:
        with package.open(name) as stream:
            for number, row in enumerate(csv.DictReader(stream), start=2):
                data = {
                    column: _cell(value, types.get(column, "string"))
                    for column, value in row.items()
                    if column and value not in (None, "")
                }
                yield Record(f"{name} row {number}", table, data, tabular=True)
    except UnicodeDecodeError:
        yield Record(f"{name} row {number + 1}", table, None, error="not UTF-8 text")
    except csv.Error as error:
        yield Record(f"{name} row {number + 1}", table, None, error=f"not readable CSV ({error})")
    except DAMAGED as error:
        # The rest of this file cannot be read.
        yield Record(f"{name} row {number + 1}", table, None, error=f"damaged archive ({error})")
