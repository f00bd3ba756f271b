"""HSDS 3.0 schemas with Santuni's profile merged in, and validators for them."""

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

HERE = Path(__file__).resolve().parent
HSDS_SCHEMAS = HERE / "hsds" / "schema"
PROFILE = HERE / "profile"
VERSION = "3.0"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: how HSDS profiles are written."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def schema_names() -> list[str]:
    return sorted(p.stem for p in HSDS_SCHEMAS.glob("*.json"))


@cache
def hsds_schema(name: str) -> dict:
    """The schema as published by Open Referral (`compiled/service_list` and the like too)."""
    path = HSDS_SCHEMAS / f"{name}.json"
    if name not in schema_names() and not (name.startswith("compiled/") and path.is_file()):
        raise KeyError(name)
    return json.loads(path.read_text())


@cache
def profile_patch(name: str) -> dict:
    path = PROFILE / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def profile_patch_names() -> list[str]:
    return sorted(p.stem for p in PROFILE.glob("*.json"))


@cache
def profile_schema(name: str) -> dict:
    """The HSDS schema with Santuni's extensions merged over it."""
    return merge_patch(hsds_schema(name), profile_patch(name))


@dataclass(frozen=True)
class Fault:
    """One reason a record does not fit the schema, located by a JSON path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def json_path(parts) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


@cache
def validator(name: str, profile: bool = True) -> jsonschema_rs.Draft202012Validator:
    """A validator with format checks on; `$ref`s to sibling files resolve locally."""
    load = profile_schema if profile else hsds_schema

    def retrieve(uri: str) -> dict:
        return load(uri.rsplit("/", 1)[-1].removesuffix(".json"))

    return jsonschema_rs.Draft202012Validator(load(name), retriever=retrieve, validate_formats=True)


def faults(name: str, record: Any, *, profile: bool = True) -> list[Fault]:
    return [
        Fault(json_path(error.instance_path), error.message)
        for error in validator(name, profile).iter_errors(record)
    ]
