# ListingChange, moved here from the directory app with its table (directory 0005).

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('directory', '0005_listingchange_to_listings'),
        ('geo', '0003_state_weekend'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ListingChange',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('previous', models.JSONField(default=dict, verbose_name='before')),
                        ('proposed', models.JSONField(default=dict, verbose_name='after')),
                        ('status', models.CharField(choices=[('pending', 'Waiting for verification'), ('approved', 'Verified and published'), ('rejected', 'Returned'), ('replaced', 'Replaced by a newer edit')], default='pending', max_length=10, verbose_name='status')),
                        ('submitted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='submitted')),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed')),
                        ('review_note', models.TextField(blank=True, verbose_name='note to the CBO')),
                        ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.district', verbose_name='district')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='listing_changes', to='directory.organization', verbose_name='organization')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.membership')),
                        ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='listing_changes', to='directory.service', verbose_name='service')),
                        ('submitted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.membership')),
                    ],
                    options={
                        'verbose_name': 'listing change',
                        'verbose_name_plural': 'listing changes',
                        'db_table': 'directory_listingchange',
                        'ordering': ['submitted_at'],
                        'indexes': [models.Index(fields=['district', 'status'], name='dir_change_queue')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('service__isnull', True), ('status', 'pending')), fields=('organization',), name='dir_change_one_pending_profile'), models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('service',), name='dir_change_one_pending_service')],
                    },
                ),
            ],
        ),
    ]
