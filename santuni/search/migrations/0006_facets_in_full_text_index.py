"""Facet tokens (districts, mukims, terms) join the full-text index, weighing nothing.

(Adding the column in 0005 made SQLite rebuild the documents table, which dropped the old
triggers: hence "IF EXISTS".)

SQLite: the FTS5 table gets a fourth column (recreated, with its triggers and vocabulary).
PostgreSQL: the tsvector takes them with weight D, which the ranking weighs at zero.
Existing documents are written anew later (directory 0006), with the indexer of today.
"""

from django.db import migrations

SQLITE = [
    "DROP TABLE IF EXISTS search_fts_vocab",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        name, terms, body, facets, content='search_searchdocument', content_rowid='id'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, name, terms, body, facets)
        VALUES (new.id, new.name, new.terms, new.body, new.facets);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, name, terms, body, facets)
        VALUES ('delete', old.id, old.name, old.terms, old.body, old.facets);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, name, terms, body, facets)
        VALUES ('delete', old.id, old.name, old.terms, old.body, old.facets);
        INSERT INTO search_fts(rowid, name, terms, body, facets)
        VALUES (new.id, new.name, new.terms, new.body, new.facets);
    END""",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
    # The new index must hold the existing rows before any of them changes: deleting a row
    # FTS5 never saw corrupts it.
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION search_document_vector() RETURNS trigger AS $$
    BEGIN
        new.vector :=
            setweight(to_tsvector('simple', coalesce(new.name, '')), 'A')
            || setweight(to_tsvector('simple', coalesce(new.terms, '')), 'B')
            || setweight(to_tsvector('simple', coalesce(new.body, '')), 'C')
            || setweight(to_tsvector('simple', coalesce(new.facets, '')), 'D');
        RETURN new;
    END
    $$ LANGUAGE plpgsql""",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_facets")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
