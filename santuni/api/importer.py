"""Imports HSDS 3.0 records into the directory: validate, then upsert by HSDS id.

The whole import is one transaction: an invalid record (unless skipped), a failure or an
interruption leaves the database as it was. Records stream through in batches, each
written with a few bulk statements, so memory stays flat however long the file.
"""

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.directory.indexing import index_related, index_services
from santuni.directory.models import (
    Attribute,
    CboProfile,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from santuni.geo.places import gazetteer
from santuni.search import engine

from .readers import Record, read
from .schemas import Fault, faults, hsds_schema, json_path, profile_schema
from .tables import TABLES, WRITE_ORDER

BATCH = 500
# After an import this large, the search index is merged (a bulk load leaves it in pieces).
OPTIMIZE_AFTER = 5000
MAX_KEPT_MESSAGES = 1000
# Which table a foreign key `<name>_id` points at.
REFERENCED_TABLE = {
    "organization": "organization",
    "parent_organization": "organization",
    "program": "program",
    "service": "service",
    "location": "location",
    "service_at_location": "service_at_location",
    "contact": "contact",
    "phone": "phone",
    "taxonomy": "taxonomy",
    "parent": "taxonomy_term",
    "taxonomy_term": "taxonomy_term",
}
UNSORTED_TAXONOMY = "tanpa-taksonomi"
NAMESPACE = uuid.UUID("2f1d7a52-4c1b-4d7e-9f38-8b3a6c0e5d21")


@dataclass(frozen=True)
class Problem:
    position: str
    record_id: str
    fault: Fault

    def __str__(self) -> str:
        record = f" (id {self.record_id})" if self.record_id else ""
        return f"{self.position}{record}: {self.fault}"


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    records: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class RecordFaults(Exception):
    def __init__(self, faults_: list[Fault]):
        super().__init__(faults_)
        self.faults = faults_


@dataclass
class Rows:
    """What one record writes: rows per table, child sets it replaces, ids it points at."""

    record: Record
    top: tuple[str, uuid.UUID] | None = None
    rows: dict[str, dict[uuid.UUID, dict]] = field(default_factory=lambda: defaultdict(dict))
    replaced: list[tuple[str, str, uuid.UUID, set]] = field(default_factory=list)
    cbo: dict[uuid.UUID, dict] = field(default_factory=dict)
    refs: list[tuple[str, uuid.UUID, str]] = field(default_factory=list)

    def add(self, table: str, oid: uuid.UUID, values: dict) -> None:
        self.rows[table][oid] = values


def _uuid(value: Any, path: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise RecordFaults([Fault(path, f"{value!r} is not a UUID")]) from None


def _nul_faults(value: Any, path: str) -> list[Fault]:
    """Where the record has a NUL character: no database text may hold one."""
    if isinstance(value, str):
        found = "\x00" in value
        return [Fault(path, "a NUL character (\\u0000) is not allowed in text")] if found else []
    if isinstance(value, dict):
        return [f for key, item in value.items() for f in _nul_faults(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [f for i, item in enumerate(value) for f in _nul_faults(item, f"{path}[{i}]")]
    return []


class Importer:
    def __init__(
        self,
        *,
        skip_invalid: bool = False,
        on_record: Callable[[], None] | None = None,
    ):
        self.skip_invalid = skip_invalid
        self.on_record = on_record or (lambda: None)
        self.summary = Summary()
        self.failed = False

    # --- the run ------------------------------------------------------------------------

    def run(self, paths: Iterable[Path]) -> Summary:
        started = time.perf_counter()
        paths = list(paths)
        try:
            with transaction.atomic():
                self._load_caches()
                batch: list[Rows] = []
                for path in paths:
                    for record in read(path):
                        rows = self._take_record(record)
                        # After a failure, writing goes on (all rolled back at the end) so
                        # that every later record is still checked, references included.
                        if rows is not None:
                            batch.append(rows)
                        if len(batch) >= BATCH:
                            self._flush(batch)
                            batch = []
                if batch:
                    self._flush(batch)
                if self.failed:
                    raise _RollBack
                # One row for the whole import: the files and the counts, in its transaction.
                trail.record(
                    actor=None,
                    action=Action.HSDS_IMPORTED,
                    object_type="hsds.import",
                    object_id=time.strftime("%Y%m%dT%H%M%S"),
                    changes={
                        "files": [Path(p).name for p in paths],
                        "created": self.summary.created,
                        "updated": self.summary.updated,
                        "records": self.summary.records,
                    },
                )
                if self.summary.created + self.summary.updated >= OPTIMIZE_AFTER:
                    engine.optimize()
        except _RollBack:
            self.summary.created = self.summary.updated = 0
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def _take_record(self, record: Record) -> Rows | None:
        self.summary.records += 1
        self.on_record()
        data = record.data
        record_id = str(data.get("id", "")) if isinstance(data, dict) else ""
        try:
            if record.error:
                raise RecordFaults([Fault("$", record.error)])
            found = self._validate(record)
            if found:
                raise RecordFaults(found)
            rows = Rows(record)
            if record.table == "cbo":
                oid = _uuid(data["organization_id"], "$.organization_id")
                self._cbo(rows, oid, data, "$")
                rows.refs.append(("organization", oid, "$.organization_id"))
                rows.top = ("cbo", oid)
            else:
                rows.top = (record.table, self._take(rows, record.table, data, "$"))
            return rows
        except RecordFaults as error:
            self._reject(record.position, record_id, error.faults)
            return None

    def _reject(self, position: str, record_id: str, found: list[Fault]) -> None:
        self.summary.skipped += 1
        self.summary.problems.extend(Problem(position, record_id, fault) for fault in found)
        if not self.skip_invalid:
            self.failed = True

    def warn(self, position: str, message: str) -> None:
        self.summary.warning_count += 1
        if len(self.summary.warnings) < MAX_KEPT_MESSAGES:
            self.summary.warnings.append(f"{position}: {message}")

    # --- validation ---------------------------------------------------------------------

    def _validate(self, record: Record) -> list[Fault]:
        if not isinstance(record.data, dict):
            return [Fault("$", "a record must be a JSON object")]
        if record.table == "cbo":
            return _nul_faults(record.data, "$") + [
                Fault(json_path(error.instance_path), error.message)
                for error in _cbo_validator().iter_errors(record.data)
            ]
        found = _nul_faults(record.data, "$") + faults(record.table, record.data)
        if record.tabular:
            for name in hsds_schema(record.table).get("tabular_required", []):
                if name not in record.data:
                    found.append(Fault("$", f"{name!r} is a required column"))
        return found

    # --- records into rows --------------------------------------------------------------

    def _convert(self, table_name: str, name: str, value: Any, path: str) -> Any:
        model_field = TABLES[table_name].model_field(name)
        if value is None or value == "":
            return model_field.get_default()
        try:
            converted = model_field.to_python(value)
            if converted not in (None, ""):
                model_field.run_validators(converted)
        except ValidationError as error:
            raise RecordFaults([Fault(path, " ".join(str(m) for m in error.messages))]) from None
        return converted

    def _take(self, rows: Rows, table_name: str, obj: dict, path: str, parent=None):
        """Adds the object's row (and its nested records') to `rows`; returns its id."""
        table = TABLES[table_name]
        oid = _uuid(obj.get("id"), f"{path}.id")
        values: dict[str, Any] = {}
        for name in table.translated:
            for key in (name, f"{name}_en"):
                values[key] = self._convert(table_name, key, obj.get(key), f"{path}.{key}")
        for name in table.fields:
            values[name] = self._convert(table_name, name, obj.get(name), f"{path}.{name}")
        for name in table.parents:
            key = f"{name}_id"
            reference = obj.get(key)
            values[key] = _uuid(reference, f"{path}.{key}") if reference else None
        if parent is not None and table_name == "attribute":
            values["link_entity"], values["link_id"] = parent
        elif parent is not None:
            key, parent_id = parent
            values[key] = parent_id
        hook = HOOKS.get(table_name)
        write = True
        if hook is not None:
            oid, write = hook(self, rows, obj, values, path, oid)
        if write:
            rows.add(table_name, oid, values)
            for name in table.parents:
                reference = values.get(f"{name}_id")
                if reference is not None:
                    rows.refs.append((REFERENCED_TABLE[name], reference, f"{path}.{name}_id"))
        for child in table.children:
            items = obj.get(child.key)
            if items is None:
                continue
            kept = set()
            for index, item in enumerate(items):
                child_path = f"{path}.{child.key}[{index}]"
                if child.table == "attribute":
                    kept.add(self._take(rows, "attribute", item, child_path, (table_name, oid)))
                else:
                    kept.add(
                        self._take(rows, child.table, item, child_path, (f"{child.fk}_id", oid))
                    )
            if child.owned:
                # Attributes are linked by (entity, id) rather than a foreign key.
                link = table_name if child.table == "attribute" else child.fk
                rows.replaced.append((child.table, link, oid, kept))
        return oid

    # --- the database --------------------------------------------------------------------

    def _load_caches(self) -> None:
        self.places = gazetteer(check_now=True)
        self.taxonomies: dict[str, uuid.UUID] = {}
        for taxonomy in Taxonomy.objects.all():
            self.taxonomies[taxonomy.code.casefold()] = taxonomy.pk
            self.taxonomies.setdefault(taxonomy.name.casefold(), taxonomy.pk)
        self.taxonomy_ids = set(self.taxonomies.values())
        self.terms = {
            (taxonomy_id, code): pk
            for pk, taxonomy_id, code in TaxonomyTerm.objects.values_list("pk", "taxonomy", "code")
        }
        self.term_ids = set(self.terms.values())
        self.remapped: dict[uuid.UUID, uuid.UUID] = {}

    def _flush(self, batch: list[Rows]) -> None:
        batch = self._check_references(batch)
        if not batch:
            return
        self._count(batch)
        merged: dict[str, dict[uuid.UUID, dict]] = defaultdict(dict)
        replaced: dict[tuple[str, str], tuple[set, set]] = {}
        cbo: dict[uuid.UUID, dict] = {}
        for rows in batch:
            for table, found in rows.rows.items():
                merged[table].update(found)
            for table, fk, parent_id, kept in rows.replaced:
                parents, keep = replaced.setdefault((table, fk), (set(), set()))
                parents.add(parent_id)
                keep.update(kept)
            cbo.update(rows.cbo)
        for (table, fk), (parents, keep) in replaced.items():
            if table == "attribute":
                stale = Attribute.objects.filter(link_entity=fk, link_id__in=parents)
            else:
                stale = TABLES[table].model.objects.filter(**{f"{fk}__in": parents})
            stale.exclude(pk__in=keep).delete()
        self._remove_duplicates(merged)
        changed = _indexed_text_changes(merged)
        for table in WRITE_ORDER:
            if merged.get(table):
                _upsert(TABLES[table].model, merged[table])
        if cbo:
            _upsert_cbo(cbo)
        _reindex(merged, changed)

    def _check_references(self, batch: list[Rows]) -> list[Rows]:
        defined: dict[str, set] = defaultdict(set)
        for rows in batch:
            for table, found in rows.rows.items():
                defined[table].update(found)
        pending: dict[str, set] = defaultdict(set)
        for rows in batch:
            for table, oid, _path in rows.refs:
                if oid not in defined[table]:
                    pending[table].add(oid)
        existing = {
            table: set(TABLES[table].model.objects.filter(pk__in=ids).values_list("pk", flat=True))
            for table, ids in pending.items()
        }
        kept = []
        for rows in batch:
            missing = [
                Fault(
                    path,
                    f"{table} {oid} is neither in this import (before it) nor in the directory",
                )
                for table, oid, path in rows.refs
                if oid not in defined[table] and oid not in existing.get(table, ())
            ]
            if missing:
                data = rows.record.data
                self._reject(rows.record.position, str(data.get("id", "")), missing)
            else:
                kept.append(rows)
        return kept

    def _count(self, batch: list[Rows]) -> None:
        by_table: dict[str, set] = defaultdict(set)
        for rows in batch:
            by_table[rows.top[0]].add(rows.top[1])
        for table, ids in by_table.items():
            if table == "cbo":
                found = CboProfile.objects.filter(organization__in=ids).count()
            else:
                found = TABLES[table].model.objects.filter(pk__in=ids).count()
            self.summary.updated += found
            self.summary.created += len(ids) - found

    def _remove_duplicates(self, merged: dict) -> None:
        """An incoming row replaces an existing one that holds the same unique place."""
        links = merged.get("service_at_location", {})
        if links:
            pairs = {(v["service_id"], v["location_id"]): k for k, v in links.items()}
            for pk, service_id, location_id in ServiceAtLocation.objects.filter(
                service__in={s for s, _ in pairs}
            ).values_list("pk", "service", "location"):
                if pairs.get((service_id, location_id), pk) != pk:
                    ServiceAtLocation.objects.filter(pk=pk).delete()
        attributes = merged.get("attribute", {})
        if attributes:
            seen: dict = {}
            for pk, v in list(attributes.items()):
                triple = (v["link_entity"], v["link_id"], v["taxonomy_term_id"])
                if triple in seen:
                    del attributes[pk]
                else:
                    seen[triple] = pk
            for pk, entity, link_id, term in Attribute.objects.filter(
                link_id__in={t[1] for t in seen}
            ).values_list("pk", "link_entity", "link_id", "taxonomy_term"):
                if seen.get((entity, link_id, term), pk) != pk:
                    Attribute.objects.filter(pk=pk).delete()

    # --- Santuni's extensions and the objects that point at others ---------------------

    def _cbo(self, rows: Rows, oid: uuid.UUID, cbo: dict, path: str) -> None:
        places, position = self.places, rows.record.position
        district = places.district(cbo.get("district", ""), places.state(cbo.get("state", "")))
        if district is None:
            raise RecordFaults(
                [Fault(f"{path}.district", f"no district called {cbo.get('district')!r}")]
            )
        mukims = []
        for index, name in enumerate(cbo.get("mukims", [])):
            mukim = places.mukim(name, district) if district else None
            if mukim is None:
                self.warn(position, f"{path}.mukims[{index}]: no mukim {name!r} in {district.name}")
            else:
                mukims.append(mukim.pk)
        groups = []
        for index, term in enumerate(cbo.get("target_group_ids", [])):
            term_id = _uuid(term, f"{path}.target_group_ids[{index}]")
            term_id = self.remapped.get(term_id, term_id)
            rows.refs.append(("taxonomy_term", term_id, f"{path}.target_group_ids[{index}]"))
            groups.append(term_id)
        appointed = cbo.get("head_appointed_date")
        rows.cbo[oid] = {
            "district_id": district.pk,
            "registration_number": cbo.get("registration_number", ""),
            "head_name": cbo.get("head_name", ""),
            "head_phone": cbo.get("head_phone", ""),
            # Only consented heads are ever published, so a published head has consented.
            "head_consent": bool(cbo.get("head_name") or cbo.get("head_phone")),
            "head_appointed_date": appointed or None,
            "member_count": cbo.get("member_count", 0),
            "is_active": cbo.get("active", True),
            "mukims": mukims,
            "target_groups": groups,
        }

    def taxonomy_for(self, obj: dict, rows: Rows, path: str) -> uuid.UUID:
        if obj.get("taxonomy_id"):
            oid = _uuid(obj["taxonomy_id"], f"{path}.taxonomy_id")
            return self.remapped.get(oid, oid)
        if isinstance(obj.get("taxonomy_detail"), dict):
            return self._take(rows, "taxonomy", obj["taxonomy_detail"], f"{path}.taxonomy_detail")
        text = str(obj.get("taxonomy") or "").strip() or UNSORTED_TAXONOMY
        known = self.taxonomies.get(text.casefold())
        if known is not None:
            return known
        oid = uuid.uuid5(NAMESPACE, f"taxonomy/{text.casefold()}")
        code = slugify(text)[:50] or oid.hex
        name = "Tanpa taksonomi" if text == UNSORTED_TAXONOMY else text
        rows.add(
            "taxonomy",
            oid,
            {"code": code, "name": name, "name_en": "", "description": name}
            | {"description_en": "", "uri": "", "version": ""},
        )
        self.taxonomies[text.casefold()] = self.taxonomies[code] = oid
        self.taxonomy_ids.add(oid)
        return oid


# What of a record shows in other services' search documents (see santuni.search.index).
INDEXED_FIELDS = {
    "organization": ("name", "name_en", "alternate_name"),
    "location": ("name", "name_en", "is_confidential", "latitude", "longitude"),
    "address": ("location_id", "city", "district_id", "mukim_id"),
    "taxonomy_term": ("name", "name_en"),
}


def _indexed_text_changes(merged: dict) -> dict[str, set]:
    """Existing records whose searchable text this batch changes (before it is written)."""
    changed: dict[str, set] = {}
    for table, fields in INDEXED_FIELDS.items():
        rows = merged.get(table, {})
        if not rows:
            continue
        model = TABLES[table].model
        before = model.objects.filter(pk__in=list(rows)).values_list("pk", *fields)
        changed[table] = {
            values[0]
            for values in before
            if tuple(values[1:]) != tuple(rows[values[0]].get(f) for f in fields)
        }
    return changed


def _reindex(merged: dict, changed: dict[str, set]) -> None:
    """The search index follows the batch, in the same transaction: the services written,
    and other services that show an organization, place or term whose text changed."""
    services = set(merged.get("service", {}))
    for table in ("service_at_location", "service_area"):
        services.update(row["service_id"] for row in merged.get(table, {}).values())
    services.update(
        row["link_id"]
        for row in merged.get("attribute", {}).values()
        if row["link_entity"] == Attribute.LinkEntity.SERVICE
    )
    index_services(services)
    locations = set(changed.get("location", ()))
    addresses = merged.get("address", {})
    locations.update(addresses[pk]["location_id"] for pk in changed.get("address", ()))
    index_related(
        organizations=changed.get("organization", ()),
        locations=locations,
        terms=changed.get("taxonomy_term", ()),
        done=services,
    )


class _RollBack(Exception):
    pass


def _upsert(model: type[models.Model], rows: dict[uuid.UUID, dict]) -> None:
    fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    model.objects.bulk_create(
        [model(pk=pk, **values) for pk, values in rows.items()],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=fields,
    )


def _upsert_cbo(profiles: dict[uuid.UUID, dict]) -> None:
    scalar = {
        org: {k: v for k, v in values.items() if k not in ("mukims", "target_groups")}
        for org, values in profiles.items()
    }
    CboProfile.objects.bulk_create(
        [CboProfile(organization_id=org, **values) for org, values in scalar.items()],
        update_conflicts=True,
        unique_fields=["organization"],
        update_fields=list(next(iter(scalar.values()))),
    )
    ids = dict(
        CboProfile.objects.filter(organization__in=profiles).values_list("organization", "pk")
    )
    for relation, key in (("mukims", "mukim_id"), ("target_groups", "taxonomyterm_id")):
        through = getattr(CboProfile, relation).through
        through.objects.filter(cboprofile__in=ids.values()).delete()
        through.objects.bulk_create(
            [
                through(cboprofile_id=ids[org], **{key: value})
                for org, values in profiles.items()
                for value in dict.fromkeys(values[relation])
            ]
        )


# --- hooks: what some objects add to the generic mapping ---------------------------------
# Each takes (importer, rows, obj, values, path, oid) and returns (oid, write the row?).


def _service(importer: Importer, rows: Rows, obj, values, path, oid):
    if isinstance(obj.get("organization"), dict):
        values["organization_id"] = importer._take(
            rows, "organization", obj["organization"], f"{path}.organization"
        )
    if values["organization_id"] is None:
        raise RecordFaults([Fault(path, "a service needs its organization")])
    if isinstance(obj.get("program"), dict):
        values["program_id"] = importer._take(
            rows,
            "program",
            {"organization_id": str(values["organization_id"])} | obj["program"],
            f"{path}.program",
        )
    low, high = values["minimum_age"], values["maximum_age"]
    if low is not None and high is not None and low > high:
        raise RecordFaults([Fault(f"{path}.minimum_age", "is above maximum_age")])
    return oid, True


def _service_at_location(importer: Importer, rows: Rows, obj, values, path, oid):
    if isinstance(obj.get("location"), dict):
        values["location_id"] = importer._take(
            rows, "location", obj["location"], f"{path}.location"
        )
    for key in ("service_id", "location_id"):
        if values[key] is None:
            raise RecordFaults([Fault(path, f"{key!r} is required")])
    return oid, True


def _location(importer: Importer, rows: Rows, obj, values, path, oid):
    values["is_confidential"] = bool(obj.get("confidential"))
    if (values["latitude"] is None) != (values["longitude"] is None):
        raise RecordFaults([Fault(path, "give both latitude and longitude, or neither")])
    return oid, True


def _address(importer: Importer, rows: Rows, obj, values, path, oid):
    """The address's state and district by their names (Malay, English, a spelling or a code),
    the town when it is the district's own name, else the postcode's."""
    places, position = importer.places, rows.record.position
    state = places.state(values["state_province"])
    postcode = places.postcode(values["postal_code"])
    if postcode is not None and (state is None or postcode.state.pk == state.pk):
        state = state or postcode.state
    district = places.district(values["region"], state)
    if district is None and not values["region"]:
        town = places.district_of_town(values["city"], state) if state else None
        district = town or (postcode.district if postcode and postcode.state == state else None)
    if values["country"].upper() == "MY":
        if state is None and district is None:
            importer.warn(
                position,
                f"{path}.state_province: no state called {values['state_province']!r}; kept",
            )
        if values["region"] and district is None:
            importer.warn(
                position, f"{path}.region: no district called {values['region']!r}; kept as text"
            )
    mukim = places.mukim(obj.get("mukim", ""), district) if district else None
    if obj.get("mukim") and mukim is None:
        importer.warn(position, f"{path}.mukim: no mukim {obj['mukim']!r} in that district")
    values["state_id"] = state.pk if state else (district.state_id if district else None)
    values["district_id"] = district.pk if district else None
    values["mukim_id"] = mukim.pk if mukim else None
    return oid, True


def _service_area(importer: Importer, rows: Rows, obj, values, path, oid):
    places, position = importer.places, rows.record.position
    district = places.district(obj.get("district", ""), places.state(obj.get("state", "")))
    if obj.get("district") and district is None:
        importer.warn(position, f"{path}.district: no district called {obj['district']!r}")
    mukim = places.mukim(obj.get("mukim", ""), district) if district else None
    if obj.get("mukim") and mukim is None:
        importer.warn(position, f"{path}.mukim: no mukim {obj['mukim']!r} in that district")
    values["district_id"] = district.pk if district else None
    values["mukim_id"] = mukim.pk if mukim else None
    return oid, True


def _organization(importer: Importer, rows: Rows, obj, values, path, oid):
    values["is_sample"] = bool(obj.get("sample"))
    if isinstance(obj.get("cbo"), dict):
        importer._cbo(rows, oid, obj["cbo"], f"{path}.cbo")
    return oid, True


def _taxonomy(importer: Importer, rows: Rows, obj, values, path, oid):
    code = str(obj.get("code") or slugify(values["name"])[:50] or oid.hex)
    if oid not in importer.taxonomy_ids:
        known = importer.taxonomies.get(code.casefold())
        if known is not None:  # the same taxonomy under another id: use ours
            importer.remapped[oid] = known
            return known, False
    values["code"] = code
    importer.taxonomies[code.casefold()] = oid
    importer.taxonomy_ids.add(oid)
    return oid, True


def _taxonomy_term(importer: Importer, rows: Rows, obj, values, path, oid):
    taxonomy_id = importer.taxonomy_for(obj, rows, path)
    values["taxonomy_id"] = taxonomy_id
    code = values["code"] or slugify(values["name"])[:50] or oid.hex
    values["code"] = code
    if values["parent_id"] is not None:
        values["parent_id"] = importer.remapped.get(values["parent_id"], values["parent_id"])
    known = importer.terms.get((taxonomy_id, code))
    if oid not in importer.term_ids and known is not None:
        # The same term under another id (for example our own seeded target groups): link
        # to ours and leave its texts as they are.
        importer.remapped[oid] = known
        return known, False
    importer.terms[(taxonomy_id, code)] = oid
    importer.term_ids.add(oid)
    return oid, True


def _attribute(importer: Importer, rows: Rows, obj, values, path, oid):
    if isinstance(obj.get("taxonomy_term"), dict):
        values["taxonomy_term_id"] = importer._take(
            rows, "taxonomy_term", obj["taxonomy_term"], f"{path}.taxonomy_term"
        )
    term = values["taxonomy_term_id"]
    if term is None:
        raise RecordFaults([Fault(path, "an attribute needs its taxonomy_term")])
    values["taxonomy_term_id"] = importer.remapped.get(term, term)
    if values["link_id"] is None:
        raise RecordFaults([Fault(path, "an attribute needs its link_id")])
    if values["link_entity"] not in Attribute.LinkEntity.values:
        importer.warn(
            rows.record.position,
            f"{path}: attributes of {values['link_entity']!r} records are not kept",
        )
        return oid, False
    return oid, True


HOOKS = {
    "service": _service,
    "service_at_location": _service_at_location,
    "location": _location,
    "address": _address,
    "service_area": _service_area,
    "organization": _organization,
    "taxonomy": _taxonomy,
    "taxonomy_term": _taxonomy_term,
    "attribute": _attribute,
}


def _cbo_validator() -> jsonschema_rs.Draft202012Validator:
    global _CBO_VALIDATOR
    if _CBO_VALIDATOR is None:
        schema = profile_schema("organization")["properties"]["cbo"]
        schema = schema | {
            "properties": schema["properties"]
            | {"organization_id": {"type": "string", "format": "uuid"}},
            "required": [*schema.get("required", []), "organization_id"],
        }
        _CBO_VALIDATOR = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    return _CBO_VALIDATOR


_CBO_VALIDATOR = None
