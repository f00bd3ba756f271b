"""The JKM aid figures of DOMAIN.md (data/aid_statistics.csv), read by the import's own parser."""

from django.db import migrations


def seed(apps, schema_editor):
    from santuni.reports.aid_statistics.services import load_seed

    load_seed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("aid", "0002_seed"),
        ("geo", "0003_state_weekend"),
    ]
    # Going back keeps the rows: an admin's import may have corrected them since.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
