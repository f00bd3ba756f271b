"""The full-text index over search documents, kept in step by triggers.

SQLite: an FTS5 table with the documents as external content. PostgreSQL: a tsvector column
(names weighted A, terms B, descriptions C) with a GIN index, and pg_trgm on the vocabulary
for typo correction. Both are written in the same transaction as the document row.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        name, terms, body, content='search_searchdocument', content_rowid='id'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, name, terms, body)
        VALUES (new.id, new.name, new.terms, new.body);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, name, terms, body)
        VALUES ('delete', old.id, old.name, old.terms, old.body);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, name, terms, body)
        VALUES ('delete', old.id, old.name, old.terms, old.body);
        INSERT INTO search_fts(rowid, name, terms, body)
        VALUES (new.id, new.name, new.terms, new.body);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER search_fts_update",
    "DROP TRIGGER search_fts_delete",
    "DROP TRIGGER search_fts_insert",
    "DROP TABLE search_fts",
]

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE search_searchdocument ADD COLUMN vector tsvector",
    """CREATE FUNCTION search_document_vector() RETURNS trigger AS $$
    BEGIN
        new.vector :=
            setweight(to_tsvector('simple', coalesce(new.name, '')), 'A')
            || setweight(to_tsvector('simple', coalesce(new.terms, '')), 'B')
            || setweight(to_tsvector('simple', coalesce(new.body, '')), 'C');
        RETURN new;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER search_document_vector BEFORE INSERT OR UPDATE
        ON search_searchdocument FOR EACH ROW EXECUTE FUNCTION search_document_vector()""",
    "CREATE INDEX search_document_vector_gin ON search_searchdocument USING gin (vector)",
    "CREATE INDEX search_word_trigram ON search_searchword USING gin (word gin_trgm_ops)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX search_word_trigram",
    "DROP INDEX search_document_vector_gin",
    "DROP TRIGGER search_document_vector ON search_searchdocument",
    "DROP FUNCTION search_document_vector()",
    "ALTER TABLE search_searchdocument DROP COLUMN vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
