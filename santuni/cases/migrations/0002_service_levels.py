"""Default target times per urgency (DESIGN.md); ministry admins change them in the admin."""

from django.db import migrations

DEFAULTS = [
    ("immediate", 1, "hours", 24, "hours"),
    ("high", 24, "hours", 5, "working_days"),
    ("normal", 3, "working_days", 14, "working_days"),
]


def add(apps, schema_editor):
    ServiceLevel = apps.get_model("cases", "ServiceLevel")
    for urgency, ack, ack_unit, done, done_unit in DEFAULTS:
        ServiceLevel.objects.get_or_create(
            urgency=urgency,
            defaults={
                "acknowledge_within": ack,
                "acknowledge_unit": ack_unit,
                "complete_within": done,
                "complete_unit": done_unit,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
