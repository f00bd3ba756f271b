"""SQLite: the index's own list of stems, to tell a known word from a typo."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE search_fts_vocab")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_index")]

    operations = [migrations.RunPython(create, drop)]
