"""The schemes, rates and poverty lines of DOMAIN.md; admins keep them current."""

from django.db import migrations


def seed(apps, schema_editor):
    from santuni.aid.seed import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("aid", "0001_initial"), ("geo", "0003_state_weekend")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
