# Cases and referrals keep their district's state beside it (filled by the next migration).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_dashboard_received_and_waiting'),
        ('geo', '0003_state_weekend'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='state',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.state', verbose_name='state'),
        ),
        migrations.AddField(
            model_name='referral',
            name='state',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.state'),
        ),
    ]
