"""Seed every district of Malaysia with its code, division and spellings (data/malaysia.json),
and the postcode gazetteer (data/postcodes.csv). Running it again brings the rows up to date."""

import csv
import json
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

DATA = Path(__file__).resolve().parent.parent / "data"


def seed(apps, schema_editor):
    State = apps.get_model("geo", "State")
    District = apps.get_model("geo", "District")
    Mukim = apps.get_model("geo", "Mukim")
    Postcode = apps.get_model("geo", "Postcode")
    data = json.loads((DATA / "malaysia.json").read_text(encoding="utf-8"))
    states = {}
    for row in data["states"]:
        states[row["code"]], _ = State.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": row["name_en"],
                "slug": slugify(row["name"]),
                "latitude": row["latitude"],
                "longitude": row["longitude"],
                "variants": row.get("variants", []),
            },
        )
    districts = {}
    for row in data["districts"]:
        slug = row.get("slug") or slugify(row["name"])
        districts[slug], _ = District.objects.update_or_create(
            slug=slug,
            defaults={
                "state": states[row["state"]],
                "name": row["name"],
                "name_en": row.get("name_en", ""),
                "code": row.get("code", ""),
                "division": row.get("division", ""),
                "variants": row.get("variants", []),
                "towns": row.get("towns", []),
                "latitude": row["latitude"],
                "longitude": row["longitude"],
            },
        )
        for mukim in row.get("mukims", []):
            Mukim.objects.update_or_create(
                district=districts[slug],
                slug=slugify(mukim["name"]),
                defaults={
                    "name": mukim["name"],
                    "latitude": mukim["latitude"],
                    "longitude": mukim["longitude"],
                    "uncertain": mukim.get("uncertain", False),
                    "variants": mukim.get("variants", []),
                },
            )
    postcodes = DATA / "postcodes.csv"
    if not postcodes.exists():
        return
    with postcodes.open(encoding="utf-8", newline="") as rows:
        gazetteer = [
            Postcode(
                postcode=row["postcode"],
                town=row["town"],
                state=states[row["state"]],
                district=districts[row["district"]] if row["district"] else None,
            )
            for row in csv.DictReader(rows)
        ]
    Postcode.objects.all().delete()
    Postcode.objects.bulk_create(gazetteer, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("geo", "0004_places_everywhere")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
