"""The index stands apart from the directory: a document is stored by the key (id) of what it
stands for, with no foreign key to the directory's services. The documents are emptied here
and written anew by directory 0006 (the directory builds them now).

On SQLite the table is remade by these field changes, which drops its full-text triggers:
they are made again as in 0006.
"""

from importlib import import_module

from django.db import migrations, models

FULL_TEXT = import_module("santuni.search.migrations.0006_facets_in_full_text_index")


def empty(apps, schema_editor):
    apps.get_model("search", "SearchDocument").objects.all().delete()


def full_text_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in FULL_TEXT.SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0008_reserved_index_tokens")]

    operations = [
        migrations.RunPython(empty, migrations.RunPython.noop),
        migrations.RemoveField(model_name="searchdocument", name="service"),
        migrations.AddField(
            model_name="searchdocument",
            name="key",
            field=models.UUIDField(unique=True),
            preserve_default=False,
        ),
        migrations.RunPython(full_text_again, migrations.RunPython.noop),
    ]
