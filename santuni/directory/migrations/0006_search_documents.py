"""The directory writes its services' search documents (search 0009 emptied the index)."""

from django.db import migrations


def forwards(apps, schema_editor):
    # Index maintenance, not schema: the indexer of today.
    from santuni.directory.indexing import rebuild

    if apps.get_model("directory", "Service").objects.exists():
        rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_listingchange_to_listings"),
        ("search", "0009_documents_by_key"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
