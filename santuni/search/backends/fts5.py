"""SQLite: an FTS5 table over the documents, and the index's words in memory for typos.

The FTS5 table (`search_fts`, kept in step by the triggers of the migrations) has the
columns name, terms, body and facets; its rowid is the document's id.
"""

from django.db import connection
from django.db.models import Max
from rapidfuzz import process
from rapidfuzz.distance import OSA

from santuni.lib.reloading import Reloading

from ..index import name_facet
from ..models import SearchWord
from .base import Backend

FIELDS = {"name": "name"}


def _words() -> list[str]:
    return list(SearchWord.objects.values_list("word", flat=True))


def _words_version():
    return SearchWord.objects.aggregate(top=Max("id"))["top"]


# Words are only ever added (a rebuild empties the table, then adds them again).
VOCABULARY = Reloading(_words, version=_words_version, seconds=5.0)


class Fts5(Backend):
    def _alternative(self, stems, gaps, fields) -> str:
        if len(stems) == 1:
            # In the name alone: the name's copy of the token among the facets.
            return f'"{name_facet(stems[0])}"' if fields == ("name",) else f'"{stems[0]}"'
        quoted = " ".join(f'"{s}"' for s in stems)
        # FTS5's NEAR counts the span from the first phrase to the last, less one.
        span = sum(gaps.get(stems, (1,) * (len(stems) - 1)))
        near = f"NEAR({quoted}, {span - 1})"
        if fields:
            near = "{" + " ".join(FIELDS[f] for f in fields) + "} : " + near
        return near

    def expression(self, combinations, *, gaps, fields=(), facets=()) -> str:
        if fields and fields != ("name",):
            raise ValueError(f"no index query for the fields {fields}")

        def group(alternatives) -> str:
            return "(" + " OR ".join(self._alternative(a, gaps, fields) for a in alternatives) + ")"

        parts = []
        if combinations:
            text = " OR ".join(
                "(" + " AND ".join(group(g) for g in combination) + ")"
                for combination in combinations
            )
            parts.append("(" + text + ")")
        parts += [
            "facets : (" + " OR ".join(f'"{token}"' for token in any_of) + ")" for any_of in facets
        ]
        return " AND ".join(parts)

    def matches(self, expression, filter_sql="", *, ordered=True):
        sql = "SELECT rowid AS id FROM search_fts WHERE search_fts MATCH %s"
        if filter_sql:
            # "+": SQLite builds the filter's set once and checks each match against it,
            # rather than handing FTS5 one lookup per id.
            sql += f" AND +rowid IN ({filter_sql})"
        return sql + (" ORDER BY rowid" if ordered else ""), [expression]

    def similar_words(self, word, distance, *, limit) -> list[str]:
        found = process.extract(
            word, VOCABULARY.get(), scorer=OSA.distance, score_cutoff=distance, limit=limit
        )
        return [choice for choice, _score, _index in found]

    def indexed_stems(self, wanted) -> set[str]:
        if not wanted:
            return set()
        marks = ", ".join(["%s"] * len(wanted))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term FROM search_fts_vocab"  # nosec B608 - only %s placeholders added
                f" WHERE term IN ({marks})",
                sorted(wanted),
            )
            return {row[0] for row in cursor.fetchall()}

    def optimize(self) -> None:
        # FTS5 merged into one segment, without the deleted entries that would slow every
        # search.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
