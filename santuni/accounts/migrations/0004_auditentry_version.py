"""Audit rows say which formula signed them: those written so far are version 1 (their
content and the previous hash); new rows are version 2 (also their id and version)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_focal_point_area_from_inviter")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="version",
            field=models.PositiveSmallIntegerField(
                default=1, editable=False, verbose_name="chain version"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="version",
            field=models.PositiveSmallIntegerField(
                default=2, editable=False, verbose_name="chain version"
            ),
        ),
    ]
