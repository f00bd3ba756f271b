"""Every case and referral takes its district's state. Its own transaction: on PostgreSQL a
table with rows just changed cannot be altered in the same one (the next migration)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_state(apps, schema_editor):
    District = apps.get_model("geo", "District")
    state = Subquery(District.objects.filter(pk=OuterRef("district")).values("state")[:1])
    for name in ("Case", "Referral"):
        apps.get_model("cases", name).objects.update(state=state)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_case_referral_state'),
    ]

    operations = [
        migrations.RunPython(fill_state, migrations.RunPython.noop),
    ]
