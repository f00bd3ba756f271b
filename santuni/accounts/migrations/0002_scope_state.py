"""A role may act in a state: an agency's focal point for the whole of one (and never in a
district and a state at once)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('geo', '0003_state_weekend'),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='state',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.state', verbose_name='state'),
        ),
        migrations.AddField(
            model_name='membership',
            name='state',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.state', verbose_name='state'),
        ),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.CheckConstraint(condition=models.Q(('district__isnull', True), ('state__isnull', True), _connector='OR'), name='acc_invitation_one_area'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(('district__isnull', True), ('state__isnull', True), _connector='OR'), name='acc_membership_one_area'),
        ),
    ]
