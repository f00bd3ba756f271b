# AuditEntry, moved here from the accounts app with its table and rows (accounts 0005).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0005_auditentry_to_audit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True, verbose_name='when')),
                        ('action', models.CharField(db_index=True, max_length=60, verbose_name='action')),
                        ('object_type', models.CharField(max_length=60, verbose_name='object type')),
                        ('object_id', models.CharField(max_length=64, verbose_name='object id')),
                        ('changes', models.JSONField(default=dict, verbose_name='changes')),
                        ('previous_hash', models.CharField(max_length=64)),
                        ('hash', models.CharField(max_length=64, unique=True)),
                        ('version', models.PositiveSmallIntegerField(default=2, editable=False, verbose_name='chain version')),
                        ('membership', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.membership', verbose_name='acting as')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who')),
                    ],
                    options={
                        'verbose_name': 'audit entry',
                        'verbose_name_plural': 'audit trail',
                        'db_table': 'accounts_auditentry',
                        'ordering': ['-id'],
                        'indexes': [models.Index(fields=['object_type', 'object_id'], name='acc_audit_object')],
                    },
                ),
            ],
        ),
    ]
