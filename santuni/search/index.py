"""The search index: documents written, replaced and removed by id, in the caller's
transaction, so that the index changes with the data or not at all.

A document is what a thing to find (a service, for the directory) says in plain text, with
its filter tokens (facets) and position; the index stores its stems (`text`), and the words
it has seen for typo correction. What goes into a document is the caller's business
(santuni.directory.indexing builds the services').
"""

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Max

from santuni.lib.reloading import Reloading

from . import synonyms
from .models import IndexedFamily, SearchDocument, SearchWord
from .text import fold, reserved, stemmed_text

MAX_WORD = 60


# Facet tokens: the filters as words of their own, so that a filter is a posting-list
# intersection inside the full-text query. Their column weighs nothing. They are `reserved`:
# no typed word is one of them, so a search cannot list a district's or a mukim's services.
def district_facet(pk) -> str:
    return reserved(f"d{pk}")


def whole_district_facet(pk) -> str:
    return reserved(f"w{pk}")


def mukim_facet(pk) -> str:
    return reserved(f"m{pk}")


def name_facet(token: str) -> str:
    """A name's token again among the facets: "in the name" without a column filter,
    which would make SQLite read every match's positions."""
    return reserved(f"a{token}")


def term_facet(pk) -> str:
    return reserved(f"t{str(pk).replace('-', '')}")


# Grid cells (degrees) that hold a document's position: "near me" takes its candidates from
# the cells around the person, the smallest (about 550 m) first, then ones twice as large,
# up to about 35 km.
CELL_SIZES = (0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32)


def _cell_token(size: float, y: int, x: int) -> str:
    def number(n: int) -> str:
        return f"n{-n}" if n < 0 else str(n)

    return reserved(f"g{CELL_SIZES.index(size)}y{number(y)}x{number(x)}")


def _cell(latitude: float, longitude: float, size: float) -> tuple[int, int]:
    return math.floor(latitude / size), math.floor(longitude / size)


def cell_facet(latitude: float, longitude: float, size: float) -> str:
    return _cell_token(size, *_cell(latitude, longitude, size))


def cell_facets(latitude: float, longitude: float, size: float) -> tuple[str, ...]:
    """The cell holding a position and the eight around it."""
    y, x = _cell(latitude, longitude, size)
    return tuple(_cell_token(size, y + dy, x + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def _indexed_families() -> frozenset[str]:
    return frozenset(IndexedFamily.objects.values_list("token", flat=True))


def _families_version() -> tuple:
    return tuple(IndexedFamily.objects.aggregate(n=Count("id"), top=Max("id")).values())


# The families whose tokens the index holds (IndexedFamily), as of the last check.
INDEXED = Reloading(_indexed_families, version=_families_version, seconds=5.0)


def _members_by_first_key(tokens: frozenset[str]) -> dict[str, list]:
    """What `text.family_tokens` needs for the indexed families of today."""
    found: dict[str, list] = {}
    for family in synonyms.families():
        if family.token in tokens:
            for keys in family.keys:
                found.setdefault(keys[0], []).append((keys, family.token))
    return found


@dataclass
class Document:
    """What the index holds of one thing to find, as plain text: the index stems it."""

    key: uuid.UUID
    names: list[str]  # weighted highest; exact-name and phrase boosts compare against them
    terms: list[str]  # weighted next (for a service: its groups, needs, owner and places)
    body: list[str]  # weighted least (descriptions)
    facets: list[str] = field(default_factory=list)  # filter tokens (district_facet...)
    rank: int = 0  # listed first by rank (0 first), then by score
    latitude: float | None = None
    longitude: float | None = None
    assured_date: date | None = None  # verified lately: a small boost


def _row(document: Document, seen: set[str], families: dict[str, list]) -> SearchDocument:
    name = stemmed_text(" ".join(filter(None, document.names)), seen, families)
    facets = {*document.facets, *map(name_facet, name.split())}
    if document.latitude is not None and document.longitude is not None:
        facets.update(cell_facet(document.latitude, document.longitude, s) for s in CELL_SIZES)
    return SearchDocument(
        key=document.key,
        name=name,
        terms=stemmed_text(" ".join(filter(None, document.terms)), seen, families),
        body=stemmed_text(" ".join(filter(None, document.body)), seen, families),
        names_folded="| " + " | ".join(fold(n) for n in document.names if n) + " |",
        status_rank=document.rank,
        latitude=document.latitude,
        longitude=document.longitude,
        assured_date=document.assured_date,
        facets=" ".join(sorted(facets)),
    )


def write(documents: Iterable[Document], *, gone: Iterable = ()) -> int:
    """Writes these documents (replacing those of the same keys) and removes those of the
    keys `gone`; returns how many were written. In the caller's transaction."""
    with transaction.atomic():
        SearchDocument.objects.filter(key__in=list(gone)).delete()
        # Read now, in this transaction: what the queries will take the index to hold.
        families = _members_by_first_key(INDEXED.get(check_now=True))
        seen: set[str] = set()
        rows = [_row(document, seen, families) for document in documents]
        SearchDocument.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=[
                "name",
                "terms",
                "body",
                "names_folded",
                "status_rank",
                "latitude",
                "longitude",
                "assured_date",
                "facets",
            ],
        )
        SearchWord.objects.bulk_create(
            [SearchWord(word=w) for w in seen if 3 <= len(w) <= MAX_WORD],
            ignore_conflicts=True,
        )
    return len(rows)


def remove(keys: Iterable) -> None:
    SearchDocument.objects.filter(key__in=list(keys)).delete()


def register_families() -> None:
    """Today's families become the ones whose tokens the index holds. Only right for an
    empty index, or right before every document is written anew (`clear`, then `write`)."""
    IndexedFamily.objects.all().delete()
    IndexedFamily.objects.bulk_create(
        {
            f.token: IndexedFamily(token=f.token, members=", ".join(" ".join(k) for k in f.keys))
            for f in synonyms.families()
        }.values()
    )


def clear() -> None:
    """An empty index, with the tokens of today's families: before every document is written
    anew (in the same transaction, so that searches go on meanwhile)."""
    SearchDocument.objects.all().delete()
    SearchWord.objects.all().delete()
    register_families()
