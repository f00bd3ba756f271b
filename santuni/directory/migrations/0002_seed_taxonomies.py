"""Seed the two bilingual taxonomies: target groups (kumpulan sasar) and needs (keperluan)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "taxonomies.json"


def seed(apps, schema_editor):
    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for row in data["taxonomies"]:
        fields = {k: row[k] for k in ("name", "name_en", "description", "description_en")}
        taxonomy, _ = Taxonomy.objects.update_or_create(code=row["code"], defaults=fields)
        for position, term in enumerate(row["terms"]):
            TaxonomyTerm.objects.update_or_create(
                taxonomy=taxonomy,
                code=term["code"],
                defaults={
                    **{k: term[k] for k in ("name", "name_en", "description", "description_en")},
                    "position": position,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
