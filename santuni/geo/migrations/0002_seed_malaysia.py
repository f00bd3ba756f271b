"""Seed Malaysia's states and Negeri Sembilan's districts and mukims (data/malaysia.json)."""

import json
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

DATA = Path(__file__).resolve().parent.parent / "data" / "malaysia.json"


def seed(apps, schema_editor):
    State = apps.get_model("geo", "State")
    District = apps.get_model("geo", "District")
    Mukim = apps.get_model("geo", "Mukim")
    data = json.loads(DATA.read_text(encoding="utf-8"))
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
            },
        )
    for row in data["districts"]:
        district, _ = District.objects.update_or_create(
            slug=slugify(row["name"]),
            defaults={
                "state": states[row["state"]],
                "name": row["name"],
                "name_en": row.get("name_en", ""),
                "latitude": row["latitude"],
                "longitude": row["longitude"],
            },
        )
        for mukim in row["mukims"]:
            Mukim.objects.update_or_create(
                district=district,
                slug=slugify(mukim["name"]),
                defaults={
                    "name": mukim["name"],
                    "latitude": mukim["latitude"],
                    "longitude": mukim["longitude"],
                    "uncertain": mukim.get("uncertain", False),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
