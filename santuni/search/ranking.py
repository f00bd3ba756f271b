"""The ranked search: a plan of words (see `query`) becomes the keys of a page, best first.

The index holds documents by key (see `index`); what a key stands for is the caller's
business (for the directory: a service). The index queries are the backend's (`backends`).

Finding and ranking are split so that the cost stays small whatever the directory's size:

1. *Level.* Services with every word (group) of the query are what was asked for; when
   too few have them all, those with all but one, and so on down to any word.
2. *Pool.* The full-text index finds at most a few hundred candidates at that level, with
   every filter inside the index query (district, mukim, target group and need as facet
   tokens; open now and the API's own filters as a subquery). Near a position, the pool is
   taken from the nearest grid cells that hold enough matches (cells are facet tokens
   too). When more match than the pool holds, the index gives those with the words in
   their names first, then the others: the ranking's own order, without scoring every
   match.
3. *Score.* The candidates are ranked here: each group counts by its rarity (idf) and by
   where it stands (names > terms > descriptions); exact-name and whole-phrase boosts,
   distance decay, a small boost for recently verified listings; active services first.
   The same code ranks on SQLite (FTS5) and PostgreSQL (tsvector), so both give the same
   order.
"""

import datetime
import math
from dataclasses import dataclass, field
from itertools import combinations
from math import comb

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from santuni.geo.distance import KM_PER_DEGREE, squared_degrees
from santuni.lib.reloading import Reloading

from .backends import backend
from .backends.base import Facets
from .index import CELL_SIZES, INDEXED, cell_facets
from .models import SearchDocument
from .query import Plan

_KEY = SearchDocument._meta.get_field("key")

# Distance decay: a listing 10 km away counts half as much as one next door.
DECAY_KM = 10.0
NO_POSITION_DECAY = 0.5
RECENT_DAYS = 365
EXACT_NAME_BOOST, NAME_PHRASE_BOOST, RECENT_BOOST = 3.0, 1.5, 1.1
# Where a group of the query stands: in a name, in the terms (target groups, needs,
# organization, places), in the descriptions.
FIELD_WEIGHTS = (10.0, 3.0, 1.0)
# Per share of the query's groups found in the names, or in the terms: makes "name above
# terms above description" hold whatever the words' rarity.
NAME_HIT_BOOST, TERMS_HIT_BOOST = 2.0, 0.5
# Text scores saturate (score / (score + half)): how many words matched and how rare they
# are counts, but cannot outweigh where they matched.
HALF = 20.0
# A results page counts this far, then says "1,000 or more" (the API counts exactly).
COUNT_CAP = 1000
# At least this many services at a level, or the search goes one level down (fewer words).
ENOUGH = 20
# Levels between "every word" and "any word" are tried while they have at most this many
# combinations of groups (a long query goes from every word straight to fewer).
MAX_COMBINATIONS = 20
# Ranked in full: this many candidates (deeper pages, more, in blocks of this size).
POOL = 100
# Near a position: at most this many candidates from the nearest cells that hold a block
# of results.
NEAR_POOL, NEAR_BLOCK = 160, 40
# A group's rarity is counted up to here: beyond, every group is "common" alike.
DF_CAP = 1000
TOTAL_SECONDS = 10.0  # how long the number of documents (for idf) is reused
DF_SECONDS, DF_CACHE_SIZE = 60.0, 20_000  # how long, and how many, groups' counts are kept


@dataclass(frozen=True)
class _Where:
    """One index query: the plan at a level, in some fields, with facet filters."""

    level: int
    fields: tuple[str, ...] = ()  # () for every field
    facets: tuple[tuple[str, ...], ...] = ()


def _count_documents() -> int:
    return SearchDocument.objects.count()


# How many documents the index holds (idf needs it): a count is its own version.
TOTAL = Reloading(_count_documents, seconds=TOTAL_SECONDS)
# Each group's document count, by its index expression: counted when first needed, all
# forgotten together every DF_SECONDS (counts change slowly, as the number of documents).
DOCUMENT_FREQUENCIES: Reloading[dict[str, int]] = Reloading(dict, seconds=DF_SECONDS)


# --- the ranked query ----------------------------------------------------------------------


@dataclass
class _Candidate:
    key: object
    status_rank: int
    score: float
    name_length: int


@dataclass
class Ranking:
    plan: Plan
    # The filters the index cannot hold, as a queryset of the keys that pass them (None:
    # no such filter).
    within: QuerySet | None = None
    latitude: float | None = None
    longitude: float | None = None
    today: datetime.date = field(default_factory=lambda: timezone.localdate())
    # Filters inside the full-text query: each a set of facet tokens, one of which is needed.
    facets: Facets = ()
    # The families whose tokens the index holds, as the search starts.
    indexed: frozenset[str] = field(default_factory=INDEXED.get)
    _level: int | None = None
    _counts: dict = field(default_factory=dict)
    _ranked: dict = field(default_factory=dict)
    _cells: list = field(default_factory=list)
    _filter_sql: tuple | None = None

    @property
    def position(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude

    @property
    def near(self) -> bool:
        return self.position is not None

    # -- SQL pieces

    def _filter(self) -> tuple[str, list]:
        """The filters as a subquery of document ids (computed once by the database, and
        compiled once here)."""
        if self.within is None:
            return "", []
        if self._filter_sql is None:
            subquery, params = self.within.values("pk").query.sql_with_params()
            doc = SearchDocument._meta.db_table
            self._filter_sql = (
                f"SELECT id FROM {doc}"  # nosec B608 - our table, the ORM's subquery and its params
                f" WHERE key IN ({subquery})",
                params,
            )
        sql, params = self._filter_sql
        return sql, list(params)

    def _groups_at(self, level: int) -> list[list[int]]:
        return [list(c) for c in combinations(range(len(self.plan.groups)), level)]

    def _alternatives(self, group: int) -> list[tuple[str, ...]]:
        return self.plan.alternatives(group, self.indexed)

    def _expression(self, groups: list[list[int]], where: _Where) -> str:
        return backend().expression(
            [[self._alternatives(g) for g in combination] for combination in groups],
            gaps=self.plan.gaps,
            fields=where.fields,
            facets=where.facets,
        )

    def _matches(self, where: _Where, limit: int | None) -> tuple[str, list]:
        expression = self._expression(self._groups_at(where.level), where)
        filter_sql, filter_params = self._filter()
        sql, params = backend().matches(expression, filter_sql)
        params += filter_params
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        return sql, params

    def _count(self, where: _Where, cap: int | None, at_least: int = COUNT_CAP) -> int:
        """Matches, counted up to `cap` (None: all). Counted up to `at_least` anyway, so
        that the level, the pool and the page ask the database one question."""
        wanted = None if cap is None else max(cap, at_least)
        known = self._counts.get(where)  # (count, the cap it was counted up to)
        if known is None or not (known[1] is None or (wanted is not None and wanted <= known[1])):
            sql, params = self._matches(where, wanted)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COUNT(*) FROM ({sql}) matches",  # nosec B608 - our matches query
                    params,
                )
                known = (cursor.fetchone()[0], wanted)
            self._counts[where] = known
        return known[0] if cap is None else min(known[0], cap)

    # -- level and pool

    def level(self) -> int:
        """How many of the query's groups a service needs: all when enough services have
        them all (they are what was asked for, and quick to find at any scale), else fewer."""
        if self._level is None:
            groups = len(self.plan.groups)
            self._level = 1
            for level in range(groups, 1, -1):
                if level != groups and comb(groups, level) > MAX_COMBINATIONS:
                    continue
                if self._count(_Where(level, facets=self.facets), ENOUGH) >= ENOUGH:
                    self._level = level
                    break
        return self._level

    def count(self, cap: int | None = COUNT_CAP) -> int:
        """How many match; with `cap`, stops counting there (a page says "1,000 or more")."""
        if not self.plan.groups:
            return 0
        return self._count(_Where(self.level(), facets=self.facets), cap)

    def _rings(self) -> list[tuple[str, ...]]:
        position = self.position
        if position is None:
            return []
        if not self._cells:
            self._cells = [cell_facets(*position, s) for s in CELL_SIZES]
        return self._cells

    def _nearest_ring(self, level: int, needed: int) -> int | None:
        """The smallest ring of cells around the position with `needed` matches (None:
        even the widest has fewer), found by halving: a few counts, not one per size."""
        rings = self._rings()
        low, high, best = 0, len(rings) - 1, None
        while low <= high:
            middle = (low + high) // 2
            where = _Where(level, facets=(*self.facets, rings[middle]))
            if self._count(where, needed, at_least=0) >= needed:
                best, high = middle, middle - 1
            else:
                low = middle + 1
        return best

    def _pool(self, size: int, needed: int) -> list[tuple]:
        """Up to `size` candidates (the documents' rows the score needs). Near a position,
        every match in the smallest ring of cells that holds the `needed` ones (a block of
        pages), up to NEAR_POOL."""
        level = self.level()
        facets, limit, nearby = self.facets, size, []
        # (Counted already for the page, mostly.)
        everywhere = self._count(_Where(level, facets=facets), COUNT_CAP)
        if self.near and everywhere <= max(NEAR_POOL, needed):
            limit = max(NEAR_POOL, needed)  # few enough to rank them all by distance
        elif self.near:
            rings = self._rings()
            ring = self._nearest_ring(level, needed)
            if ring is None:
                # Too few near: the widest ring's matches stay, beside the others.
                nearby = _rows(*self._matches(_Where(level, (), (*facets, rings[-1])), needed))
            else:
                facets, limit = (*facets, rings[ring]), max(NEAR_POOL, needed)
        found = self._count(_Where(level, facets=facets), limit + 1, at_least=0)
        if found <= limit:
            return _rows(*self._matches(_Where(level, (), facets), limit))
        # Too many to score: those with the words in their names first, then the rest.
        pool: dict = {row[0]: row for row in nearby}
        for fields in [("name",), ()]:
            for row in _rows(*self._matches(_Where(level, fields, facets), limit)):
                pool.setdefault(row[0], row)
            if len(pool) >= limit + len(nearby):
                break
        return list(pool.values())[: limit + len(nearby)]

    # -- score

    def _idfs(self) -> list[float]:
        """Each group's inverse document frequency (BM25's) in the whole index, its count
        capped at DF_CAP. Counts are reused for a minute (like the number of documents,
        they change slowly); those not known are counted in one query."""
        expressions = [
            backend().matches(self._expression([[g]], _Where(1)))
            for g in range(len(self.plan.groups))
        ]
        known = DOCUMENT_FREQUENCIES.get()
        counts = {params[0]: known[params[0]] for _, params in expressions if params[0] in known}
        missing = [(sql, params) for sql, params in expressions if params[0] not in counts]
        if missing:
            sql = ", ".join(
                f"(SELECT COUNT(*) FROM ({m} LIMIT %s) g)"  # nosec B608 - our matches queries
                for m, _ in missing
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT " + sql, [p for _, ps in missing for p in [*ps, DF_CAP]])
                counted = cursor.fetchone()
            if len(known) > DF_CACHE_SIZE:
                known.clear()
            for (_, params), n in zip(missing, counted, strict=True):
                counts[params[0]] = known[params[0]] = n
        total = TOTAL.get()
        return [
            math.log(1 + (max(total, n) - n + 0.5) / (n + 0.5))
            for n in (counts[params[0]] for _, params in expressions)
        ]

    def _score(self, rows: list[tuple]) -> list[_Candidate]:
        # Each group as the tokens any one of which finds it, and the sets of tokens
        # (phrases searched word by word) all of which are needed.
        groups: list[tuple[frozenset[str], list[frozenset[str]]]] = []
        for g in range(len(self.plan.groups)):
            found = self._alternatives(g)
            singles = frozenset(a[0] for a in found if len(a) == 1)
            groups.append((singles, [frozenset(a) for a in found if len(a) > 1]))
        wanted = frozenset().union(*(s for s, _ in groups), *(m for _, ms in groups for m in ms))
        idfs = self._idfs()
        exact, phrase = f"| {self.plan.folded} |", self.plan.folded
        recent_from = self.today - datetime.timedelta(days=RECENT_DAYS)
        recent_text = recent_from.isoformat()  # SQLite gives dates as ISO text
        share = 1.0 / len(groups)
        name_weight, terms_weight, body_weight = FIELD_WEIGHTS
        candidates: list[_Candidate] = []
        for _id, key, status, name, terms, body, names, assured, lat, lng in rows:
            name_hits = wanted.intersection(name.split())
            terms_hits = wanted.intersection(terms.split())
            body_hits = None  # read only for a group in neither names nor terms
            text = 0.0
            in_name = in_terms = 0
            for (singles, multis), idf in zip(groups, idfs, strict=True):
                in_these_terms = not singles.isdisjoint(terms_hits) or (
                    multis and any(m <= terms_hits for m in multis)
                )
                in_terms += bool(in_these_terms)
                if not singles.isdisjoint(name_hits) or (
                    multis and any(m <= name_hits for m in multis)
                ):
                    text += idf * name_weight
                    in_name += 1
                elif in_these_terms:
                    text += idf * terms_weight
                else:
                    if body_hits is None:
                        body_hits = wanted.intersection(body.split())
                    if not singles.isdisjoint(body_hits) or (
                        multis and any(m <= body_hits for m in multis)
                    ):
                        text += idf * body_weight
            score = text / (text + HALF)
            if exact in names:
                score *= EXACT_NAME_BOOST
            elif phrase in names:
                score *= NAME_PHRASE_BOOST
            if assured is not None and assured >= (
                recent_text if isinstance(assured, str) else recent_from
            ):
                score *= RECENT_BOOST
            score *= (1.0 + NAME_HIT_BOOST * in_name * share) * (
                1.0 + TERMS_HIT_BOOST * in_terms * share
            )
            if self.near:
                score *= self._decay(lat, lng)
            candidates.append(_Candidate(key, status, score, len(names)))
        # Active first; then the best; then the shortest names (the most to the point).
        candidates.sort(key=lambda c: (c.status_rank, -c.score, c.name_length, str(c.key)))
        return candidates

    def _decay(self, latitude: float | None, longitude: float | None) -> float:
        position = self.position
        if position is None:
            return 1.0
        if latitude is None or longitude is None:
            return NO_POSITION_DECAY
        d2 = squared_degrees(latitude, longitude, *position)
        return 1.0 / (1.0 + d2 * (KM_PER_DEGREE / DECAY_KM) ** 2)

    def ids(self, offset: int, limit: int) -> list:
        if not self.plan.groups:
            return []
        # Pools come in blocks, so that the pages of one block agree with each other.
        size = POOL * (1 + (offset + limit - 1) // POOL)
        # Near a position: enough for a block of pages, so that they agree with each other.
        needed = NEAR_BLOCK * (1 + (offset + limit - 1) // NEAR_BLOCK)
        if (size, needed) not in self._ranked:
            self._ranked[size, needed] = self._score(self._pool(size, needed))
        ranked = self._ranked[size, needed][offset : offset + limit]
        return [_KEY.to_python(c.key) for c in ranked]


def _rows(sql: str, params: list) -> list[tuple]:
    doc = SearchDocument._meta.db_table
    columns = (
        "d.id, d.key, d.status_rank, d.name, d.terms, d.body, d.names_folded,"
        " d.assured_date, d.latitude, d.longitude"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM ({sql}) m"  # nosec B608 - our columns, table and query
            f" JOIN {doc} d ON d.id = m.id",
            params,
        )
        return cursor.fetchall()
