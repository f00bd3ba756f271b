"""The index's own tokens (filters and synonym families) are written in a form no typed
word can take (`text.reserved`): existing documents are rebuilt with them, and today's
families recorded under their new tokens."""

from django.db import migrations


def forwards(apps, schema_editor):
    # Index maintenance, not schema: the current indexer and families.
    from santuni.search.index import rebuild, register_families

    if apps.get_model("search", "SearchDocument").objects.exists():
        rebuild()
    else:
        register_families()


class Migration(migrations.Migration):
    dependencies = [("search", "0007_family_tokens_and_position_cells")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
