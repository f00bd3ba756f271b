# AuditEntry moves to the audit app; its table and rows stay where they are (audit 0001
# takes the model over in Django's state, with the same table).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_auditentry_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
