"""The JKM aid statistics written: a CSV file imported by an admin or the command (all rows or
none, audited), and the seed figures loaded by migration 0002."""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from santuni.accounts.models import Membership
from santuni.audit import trail
from santuni.audit.actions import Action

from .csv_import import CURRENT, AidCsvError, AidModels, AidRow, Problem, parse_aid_csv

SEED = Path(__file__).resolve().parent.parent / "data" / "aid_statistics.csv"


@dataclass(frozen=True)
class ImportCounts:
    created: int
    updated: int
    unchanged: int

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


_VALUES = ("recipients", "amount_sen", "as_of", "source", "source_url")


def save_aid_rows(rows: list[AidRow], *, models: AidModels = CURRENT) -> ImportCounts:
    """Upserts the rows on (year, state, scheme) in a few queries; the caller's transaction."""
    state_ids = dict(
        models.state.objects.filter(code__in={r.state for r in rows if r.state}).values_list(
            "code", "id"
        )
    )
    scheme_ids = dict(
        models.scheme.objects.filter(code__in={r.scheme for r in rows if r.scheme}).values_list(
            "code", "id"
        )
    )
    existing = {
        (s.year, s.state_id, s.scheme_id): s
        for s in models.statistic.objects.filter(year__in={r.year for r in rows})
    }
    new, changed, unchanged = [], [], 0
    for row in rows:
        key = (row.year, state_ids.get(row.state), scheme_ids.get(row.scheme))
        values = {field: getattr(row, field) for field in _VALUES}
        found = existing.get(key)
        if found is None:
            new.append(models.statistic(year=key[0], state_id=key[1], scheme_id=key[2], **values))
        elif any(getattr(found, f) != v for f, v in values.items()):
            for field, value in values.items():
                setattr(found, field, value)
            changed.append(found)
        else:
            unchanged += 1
    models.statistic.objects.bulk_create(new)
    models.statistic.objects.bulk_update(changed, list(_VALUES))
    return ImportCounts(len(new), len(changed), unchanged)


def aid_statistics_import(
    *, data: bytes | str, actor: Membership | None, user=None, filename: str = ""
) -> ImportCounts:
    """Imports a CSV of figures (all rows or none) and records one audit row.

    `actor` None with no `user` is the system (the management command).
    """
    user = user if user is not None else (actor.user if actor is not None else None)
    if user is not None and not user.has_perm("reports.change_aidstatistic"):
        raise PermissionDenied
    rows = parse_aid_csv(data)
    try:
        with transaction.atomic():
            counts = save_aid_rows(rows)
            trail.record(
                actor=actor,
                user=user,
                action=Action.AID_STATISTICS_IMPORTED,
                object_type="reports.aidstatistic",
                changes={
                    "file": filename,
                    "years": sorted({r.year for r in rows}),
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                },
            )
    except IntegrityError:
        # Another import created one of the same rows between our read and our write.
        raise AidCsvError(
            [Problem(1, "", _("another import saved the same figures just now; try again."))]
        ) from None
    return counts


def load_seed(apps) -> ImportCounts:
    """Migration 0002: the figures of DOMAIN.md (data/aid_statistics.csv)."""
    models = AidModels.from_apps(apps)
    return save_aid_rows(parse_aid_csv(SEED.read_bytes(), models=models), models=models)
