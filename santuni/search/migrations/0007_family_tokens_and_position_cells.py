"""Synonym families become single index tokens (in each document that has a member),
and documents gain grid-cell facet tokens (where they are, for "near me"): existing
documents are rebuilt. A family added or edited later is searched member by member until
`rebuild_search_index` records it."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    # Index maintenance, not schema: today's families. The documents are written anew once
    # the index stands apart from the directory (directory 0006 rebuilds the index).
    from santuni.search.index import register_families

    register_families()


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0006_facets_in_full_text_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='IndexedFamily',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=20, unique=True)),
                ('members', models.TextField(help_text="Its members' stems, for reference.")),
            ],
            options={
                'verbose_name': 'indexed synonym family',
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
