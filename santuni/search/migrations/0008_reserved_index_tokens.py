"""The index's own tokens (filters and synonym families) are written in a form no typed
word can take (`text.reserved`): existing documents are rebuilt with them, and today's
families recorded under their new tokens."""

from django.db import migrations


def forwards(apps, schema_editor):
    # Index maintenance, not schema: today's families. The documents are written anew once
    # the index stands apart from the directory (directory 0006 rebuilds the index).
    from santuni.search.index import register_families

    register_families()


class Migration(migrations.Migration):
    dependencies = [("search", "0007_family_tokens_and_position_cells")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
