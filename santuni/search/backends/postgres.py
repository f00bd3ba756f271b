"""PostgreSQL: a weighted tsvector column with a GIN index, and pg_trgm for typos.

The column `vector` of search_searchdocument (kept in step by the triggers of the
migrations) holds the names at weight A, the terms at B, the descriptions at C and the
facets at D.
"""

from django.db import connection, transaction
from rapidfuzz.distance import OSA

from ..models import SearchDocument
from .base import Backend

WEIGHTS = {"name": "A"}


class Postgres(Backend):
    def expression(self, combinations, *, gaps, fields=(), facets=()) -> str:
        label = (":" + "".join(WEIGHTS[f] for f in fields)) if fields else ""

        def alternative(stems) -> str:
            if len(stems) == 1:
                return stems[0] + label
            between = gaps.get(stems, (1,) * (len(stems) - 1))
            rest = "".join(f" <{g}> {s}{label}" for g, s in zip(between, stems[1:], strict=True))
            return f"({stems[0]}{label}{rest})"

        def group(alternatives) -> str:
            return "(" + " | ".join(alternative(a) for a in alternatives) + ")"

        parts = []
        if combinations:
            text = " | ".join(
                "(" + " & ".join(group(g) for g in combination) + ")"
                for combination in combinations
            )
            parts.append("(" + text + ")")
        parts += ["(" + " | ".join(f"{t}:D" for t in any_of) + ")" for any_of in facets]
        return " & ".join(parts)

    def matches(self, expression, filter_sql="", *, ordered=True):
        doc = SearchDocument._meta.db_table
        sql = (
            f"SELECT d.id AS id FROM {doc} d"  # nosec B608 - our table; values are parameters
            " WHERE d.vector @@ to_tsquery('simple', %s)"
        )
        if filter_sql:
            sql += f" AND d.id IN ({filter_sql})"
        return sql + (" ORDER BY d.id" if ordered else ""), [expression]

    def similar_words(self, word, distance, *, limit) -> list[str]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.25")
            cursor.execute(
                "SELECT word FROM search_searchword WHERE word %% %s "
                "ORDER BY similarity(word, %s) DESC LIMIT 30",
                [word, word],
            )
            near = [row[0] for row in cursor.fetchall()]
        ranked = sorted((OSA.distance(word, w), w) for w in near)
        return [w for d, w in ranked if d <= distance][:limit]

    def indexed_stems(self, wanted) -> set[str]:
        if not wanted:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s FROM unnest(%s::text[]) s WHERE EXISTS (SELECT 1 FROM "
                "search_searchdocument WHERE vector @@ to_tsquery('simple', s))",
                [sorted(wanted)],
            )
            return {row[0] for row in cursor.fetchall()}

    def optimize(self) -> None:
        """Nothing to do: PostgreSQL's (auto)vacuum keeps the GIN index lean."""
