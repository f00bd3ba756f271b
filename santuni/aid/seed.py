"""Loads the aid catalogue's first data (data/schemes.json, from DOMAIN.md) into empty tables.
Used by a migration, so it works on the historical models it is given."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

SEED = Path(__file__).resolve().parent / "data" / "schemes.json"


def _day(text: str) -> date:
    return date.fromisoformat(text)


def load(apps) -> None:
    PovertyLine = apps.get_model("aid", "PovertyLine")
    Scheme = apps.get_model("aid", "Scheme")
    SchemeVersion = apps.get_model("aid", "SchemeVersion")
    State = apps.get_model("geo", "State")
    if Scheme.objects.exists():
        return
    data = json.loads(SEED.read_text(encoding="utf-8"))
    states = {s.code: s for s in State.objects.all()}
    for row in data["poverty_lines"]:
        PovertyLine.objects.create(
            state=states[row["state"]] if row["state"] else None,
            area=row["area"],
            amount=Decimal(row["amount"]),
            effective_from=_day(row["effective_from"]),
            source=row["source"],
            source_date=_day(row["source_date"]),
        )
    for row in data["schemes"]:
        scheme = Scheme.objects.create(
            code=row["code"],
            order=row["order"],
            name=row["name"],
            name_en=row["name_en"],
            explanation=row["explanation"],
            explanation_en=row["explanation_en"],
            documents=row["documents"],
            documents_en=row["documents_en"],
            how_to_apply=row.get("how_to_apply", data["how_to_apply"]),
            how_to_apply_en=row.get("how_to_apply_en", data["how_to_apply_en"]),
        )
        for version in row["versions"]:
            SchemeVersion.objects.create(
                scheme=scheme,
                effective_from=_day(version["effective_from"]),
                amount_kind=version["amount_kind"],
                amount=Decimal(version["amount"]) if version.get("amount") else None,
                child_rates=version.get("child_rates", []),
                family_cap=Decimal(version["family_cap"]) if version.get("family_cap") else None,
                rules=version["rules"],
                source=version["source"],
                source_date=_day(version["source_date"]),
                uncertain=version.get("uncertain", False),
                note=version.get("note", ""),
            )
