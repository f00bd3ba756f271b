"""Search's one interface: documents written and removed by key, and `find`, which answers
with the keys of a page in order, the total, the words matched and a "did you mean".

What a document says and what its key stands for are the caller's business
(santuni.directory.indexing builds the services'). Filters are written once, as facet
tokens: the caller puts them into its documents (`district_facet`...) and asks for them in
`find`, and the backend applies them inside the index query. What no token can say (open
now, a radius, an API's own filters) comes as `within`, a queryset of the keys allowed.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .backends import backend
from .backends.base import Facets
from .index import (
    Document,
    clear,
    district_facet,
    mukim_facet,
    remove,
    term_facet,
    whole_district_facet,
    write,
)
from .models import SearchDocument
from .query import plan_words
from .ranking import COUNT_CAP, Ranking
from .text import words

__all__ = [
    "COUNT_CAP",
    "Document",
    "Facets",
    "Results",
    "clear",
    "district_facet",
    "find",
    "keys_holding",
    "mukim_facet",
    "optimize",
    "remove",
    "term_facet",
    "whole_district_facet",
    "words",
    "write",
]


def optimize() -> None:
    """After many writes at once (a rebuild, an import): the index made quick again."""
    backend().optimize()


def keys_holding(facets: Facets) -> QuerySet:
    """The keys of the documents holding every facet filter (each: one of its tokens), as a
    subquery for a `key__in` / `pk__in` lookup."""
    if not facets:
        raise ValueError("no facets: every document holds them")
    sql, params = backend().matches(backend().expression([], gaps={}, facets=facets), ordered=False)
    # The backend's own SQL; the tokens are its parameter.
    matching = RawSQL(sql, params)  # noqa: S611  # nosec B611
    return SearchDocument.objects.filter(id__in=matching).values("key")


class _Ranked:
    """The keys a ranking gives, a page at a time."""

    def __init__(self, ranking: Ranking):
        self.ranking = ranking

    def keys(self, offset: int, limit: int | None, total: int) -> list:
        # Pages ask the ranking for what they ask, not cut to the total: its pools come
        # in blocks after the page's end.
        stop = total if limit is None else offset + limit
        if stop <= offset or not total:
            return []
        return self.ranking.ids(offset, stop - offset)

    def every_key(self, total: int) -> list:
        return self.ranking.ids(0, total) if total else []


class _Listed:
    """The keys of a queryset, in its order, a page at a time."""

    def __init__(self, rows: QuerySet):
        self.rows = rows

    def keys(self, offset: int, limit: int | None, total: int) -> Sequence | QuerySet:
        if limit is not None and limit <= 0:
            return []
        stop = None if limit is None else offset + limit
        # Not read here: the caller's query that loads the page takes it as a subquery.
        return self.rows.values_list("pk", flat=True)[offset:stop]

    def every_key(self, total: int) -> QuerySet:
        return self.rows.values("pk")


@dataclass(frozen=True)
class Results:
    """What a search found: the keys of one page, in order, and what holds for them all."""

    # The page's keys in order: a list, or for a listing (no words) a lazy queryset of them,
    # to iterate or to hand whole to a `__in` lookup.
    keys: Sequence | QuerySet
    total: int  # how many match, counted up to `cap`
    cap: int | None  # None: counted exactly
    matched: frozenset[str] = frozenset()  # the stems looked for, to mark in the results
    suggestion: str = ""  # the query as it was probably meant ("did you mean"), or ""
    _source: _Ranked | _Listed = field(repr=False, compare=False, kw_only=True)

    @property
    def capped(self) -> bool:
        """Whether counting stopped at the cap ("more than 1,000 found")."""
        return self.cap is not None and self.total >= self.cap

    def page(self, *, offset: int, limit: int | None) -> "Results":
        """Another page of the same search, its counts and candidates reused (`limit`
        None: every key from `offset`)."""
        return replace(self, keys=self._source.keys(offset, limit, self.total))

    def every_key(self):
        """Every match's key, for a `__in` lookup: a list (ranked), or a subquery (a listing
        without words, never loaded here)."""
        return self._source.every_key(self.total)


def find(
    *,
    words: Sequence[str],
    facets: Facets = (),
    within: QuerySet | None = None,
    near: tuple[float, float] | None = None,
    offset: int = 0,
    limit: int | None = 0,
    count_cap: int | None = COUNT_CAP,
) -> Results:
    """The keys that match `words` (folded, as `words()` splits a text), best first: a page
    from `offset`, `limit` long (None: to the end; 0: the total alone, pages to come with
    `Results.page`), and how many match, counted up to `count_cap` (None: exactly).

    Only documents holding every one of the `facets` filters (each a tuple of tokens, one
    of which is needed) and, when `within` is given, whose keys it holds. `near`, a
    (latitude, longitude): nearer documents rank higher, and come from the nearest cells.

    Without words, a listing: the keys of `within` (needed then) whose documents hold the
    facets, in `within`'s own order, counted exactly.
    """
    if words:
        plan = plan_words(words)
        latitude, longitude = near if near is not None else (None, None)
        ranking = Ranking(plan, within, latitude, longitude, facets=facets)
        found = Results(
            keys=[],
            total=ranking.count(count_cap),
            cap=count_cap,
            matched=frozenset(plan.stems),
            suggestion=plan.suggestion,
            _source=_Ranked(ranking),
        )
    else:
        if within is None:
            raise ValueError("a search without words lists `within`: give it")
        rows = within.filter(pk__in=keys_holding(facets)) if facets else within
        found = Results(keys=[], total=rows.count(), cap=None, _source=_Listed(rows))
    return found.page(offset=offset, limit=limit) if limit != 0 else found
