"""Turning what a person types into a ranked list of services.

1. The words are folded and stemmed like the index (`text`); a word the index has never
   seen (four letters or more) also looks for the nearest known words (typo tolerance).
2. Synonym families widen each word or phrase to everything that means the same.
3. One SQL query on the full-text index does the matching, the filters (given as a
   subquery of services: district, mukim, target group, need, open now, near me) and the
   ranking: field weights (names > terms > descriptions), exact-name and whole-phrase
   boosts, distance decay, a small boost for recently verified listings; active services
   first, defunct ones never indexed.
"""

import datetime
import math
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from rapidfuzz import process
from rapidfuzz.distance import OSA

from santuni.directory.models import Service

from . import synonyms
from .models import SearchDocument, SearchWord
from .text import STOPWORDS, stems, words

KM_PER_DEGREE = 111.195
# Distance decay: a listing 10 km away counts half as much as one next door.
DECAY_KM = 10.0
RECENT_DAYS = 365
EXACT_NAME_BOOST, NAME_PHRASE_BOOST, RECENT_BOOST = 3.0, 1.5, 1.1
# Per share of the query's words (groups) found in the names, or in the terms: makes
# "name above terms above description" hold whatever the words' rarity.
NAME_HIT_BOOST, TERMS_HIT_BOOST = 2.0, 0.5
SQLITE_WEIGHTS = "10.0, 3.0, 1.0, 0.0"  # bm25 weights of name, terms, body, facets
# Text scores saturate (score / (score + half)): how many words matched and how rare they
# are counts, but cannot outweigh where they matched (the name and terms boosts below).
SQLITE_HALF, POSTGRES_HALF = 5.0, 0.1
POSTGRES_WEIGHTS = "{0.0, 0.1, 0.4, 1.0}"  # ts_rank_cd weights of D, C (body), B (terms), A
TYPO_MIN_LENGTH = 4
# Ranked in full: the best this many matches by text and distance (deeper pages more).
CANDIDATE_ROWS = 200
# "Near me" looks this far around first (about 55 km), the whole country if too little.
BOX_DEGREES = 0.5
# A results page counts this far, then says "1,000 or more" (the API counts exactly).
COUNT_CAP = 1000
# Below this many services with every word typed, a search takes those with any word.
ENOUGH = 20
CANDIDATES = 3


@dataclass
class Plan:
    """The query as groups of alternatives; an alternative is one stem, or a phrase of
    stems that must stand together (`gaps`: how far apart they stand in the index)."""

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)
    folded: str = ""
    corrections: dict[str, str] = field(default_factory=dict)
    gaps: dict[tuple[str, ...], tuple[int, ...]] = field(default_factory=dict)

    @property
    def stems(self) -> set[str]:
        return {stem for group in self.groups for alternative in group for stem in alternative}

    @property
    def suggestion(self) -> str:
        """The query as it was probably meant ("did you mean"), or ""."""
        if not self.corrections:
            return ""
        return " ".join(self.corrections.get(w, w) for w in self.folded.split())


# --- words the index knows, and typo correction ------------------------------------------


class _Vocabulary:
    """SQLite: the index's words in memory, reloaded when words are added."""

    def __init__(self):
        self.words: list[str] = []
        self.version = None
        self.checked = 0.0

    def similar(self, word: str, distance: int) -> list[str]:
        now = time.monotonic()
        if now - self.checked > 5 or self.version is None:
            self.checked = now
            version = SearchWord.objects.aggregate(top=Max("id"))["top"]
            if version != self.version:
                self.words = list(SearchWord.objects.values_list("word", flat=True))
                self.version = version
        found = process.extract(
            word, self.words, scorer=OSA.distance, score_cutoff=distance, limit=CANDIDATES
        )
        return [choice for choice, _score, _index in found]


VOCABULARY = _Vocabulary()


def forget() -> None:
    """Re-read the vocabulary on next use (tests; other processes re-check every 5 s)."""
    VOCABULARY.version = None


def _similar_postgresql(word: str, distance: int) -> list[str]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.25")
        cursor.execute(
            "SELECT word FROM search_searchword WHERE word %% %s "
            "ORDER BY similarity(word, %s) DESC LIMIT 30",
            [word, word],
        )
        near = [row[0] for row in cursor.fetchall()]
    ranked = sorted((OSA.distance(word, w), w) for w in near)
    return [w for d, w in ranked if d <= distance][:CANDIDATES]


def similar_words(word: str) -> list[str]:
    distance = 2 if len(word) >= 8 else 1
    if connection.vendor == "postgresql":
        return _similar_postgresql(word, distance)
    return VOCABULARY.similar(word, distance)


def _corrections(sequence: list[str]) -> dict[str, list[str]]:
    candidates = {
        w for w in sequence if len(w) >= TYPO_MIN_LENGTH and not w.isdigit() and w not in STOPWORDS
    }
    if not candidates:
        return {}
    synonyms.FAMILIES.load()
    known = candidates & synonyms.FAMILIES.known_words
    # A word is known when its stem is in the index (jaga: penjagaan, dijaga).
    indexed = _indexed_stems({key(w) for w in candidates - known})
    known |= {w for w in candidates if key(w) in indexed}
    return {w: similar_words(w) for w in sorted(candidates - known)}


def _indexed_stems(wanted: set[str]) -> set[str]:
    if not wanted:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT s FROM unnest(%s::text[]) s WHERE EXISTS (SELECT 1 FROM "
                "search_searchdocument WHERE vector @@ to_tsquery('simple', s))",
                [sorted(wanted)],
            )
        else:
            marks = ", ".join(["%s"] * len(wanted))
            cursor.execute(
                f"SELECT term FROM search_fts_vocab WHERE term IN ({marks})",
                sorted(wanted),
            )
        return {row[0] for row in cursor.fetchall()}


# --- the plan ------------------------------------------------------------------------------


def _gaps(member: tuple[str, ...]) -> tuple[int, ...]:
    """Positions between the keys of consecutive words, as the index lays out their stems
    (each word is written as all its stems, in order)."""
    found = []
    for first, second in zip(member, member[1:], strict=False):
        after = len(stems(first)) - stems(first).index(key(first)) - 1
        found.append(after + stems(second).index(key(second)) + 1)
    return tuple(found)


def key(word: str) -> str:
    """The stem a query looks for: the shortest, which every form of the word shares (the
    index holds both stems of every word, so either finds it)."""
    return min(stems(word), key=len)


def plan(text: str) -> Plan:
    sequence = words(text)
    meaningful = [w for w in sequence if w not in STOPWORDS] or sequence
    result = Plan(folded=" ".join(meaningful))
    fixes = _corrections(meaningful)
    result.corrections = {w: found[0] for w, found in fixes.items() if found}
    # Synonym families are found on the corrected words, so "kebajkan" reaches "JKM".
    corrected = [result.corrections.get(w, w) for w in meaningful]
    position = 0
    while position < len(corrected):
        match = synonyms.find(corrected, position)
        word = meaningful[position]
        if match is not None:
            family, length = match
            group = [tuple(key(w) for w in member) for member in family.members]
            for member in family.members:
                if len(member) > 1:
                    result.gaps[tuple(key(w) for w in member)] = _gaps(member)
            if length == 1:
                group.append((key(word),))
            position += length
        else:
            group = [(key(word),)] + [(key(fix),) for fix in fixes.get(word, [])]
            position += 1
        result.groups.append(list(dict.fromkeys(group)))
    return result


def _fts5(plan_: Plan, every: bool = False, facets: tuple = ()) -> str:
    def alternative(stems_: tuple[str, ...]) -> str:
        quoted = " ".join(f'"{s}"' for s in stems_)
        if len(stems_) == 1:
            return quoted
        # FTS5's NEAR counts the span from the first phrase to the last, less one.
        span = sum(plan_.gaps.get(stems_, (1,) * (len(stems_) - 1)))
        return f"NEAR({quoted}, {span - 1})"

    joiner = " AND " if every else " OR "
    text = joiner.join("(" + " OR ".join(alternative(a) for a in g) + ")" for g in plan_.groups)
    # Each facet: one of its tokens, in the facets column (a filter).
    wanted = " AND ".join(
        "facets : (" + " OR ".join(f'"{token}"' for token in any_of) + ")" for any_of in facets
    )
    return f"({text}) AND {wanted}" if wanted else text


def _tsquery(plan_: Plan, every: bool = False, facets: tuple = ()) -> str:
    def alternative(stems_: tuple[str, ...]) -> str:
        if len(stems_) == 1:
            return stems_[0]
        gaps = plan_.gaps.get(stems_, (1,) * (len(stems_) - 1))
        phrase = stems_[0] + "".join(f" <{g}> {s}" for g, s in zip(gaps, stems_[1:], strict=True))
        return f"({phrase})"

    joiner = " & " if every else " | "
    text = joiner.join("(" + " | ".join(alternative(a) for a in g) + ")" for g in plan_.groups)
    wanted = " & ".join("(" + " | ".join(f"{t}:D" for t in any_of) + ")" for any_of in facets)
    return f"({text}) & {wanted}" if wanted else text


# --- the ranked query ----------------------------------------------------------------------


@dataclass
class Ranking:
    plan: Plan
    services: QuerySet[Service]  # the filters, as a subquery
    filtered: bool
    latitude: float | None = None
    longitude: float | None = None
    today: datetime.date = field(default_factory=lambda: timezone.localdate())
    # Services matching every word (or one of its alternatives); else any word.
    every: bool = False
    # Filters inside the full-text query: each a set of facet tokens, one of which is needed.
    facets: tuple[tuple[str, ...], ...] = ()

    def _filter(self) -> tuple[str, list]:
        """The filters as a subquery of document ids (computed once by the database)."""
        if not self.filtered:
            return "", []
        subquery, params = self.services.values("id").query.sql_with_params()
        doc = SearchDocument._meta.db_table
        return f"SELECT id FROM {doc} WHERE service_id IN ({subquery})", list(params)

    def _decay(self) -> tuple[str, list]:
        if self.latitude is None:
            return "", []
        scale = math.cos(math.radians(self.latitude))
        sql = (
            " * COALESCE(1.0 / (1.0 + ((d.latitude - %s) * (d.latitude - %s)"
            " + (d.longitude - %s) * (d.longitude - %s) * %s) * %s), 0.5)"
        )
        params = [self.latitude, self.latitude, self.longitude, self.longitude]
        return sql, params + [scale * scale, (KM_PER_DEGREE / DECAY_KM) ** 2]

    def _candidates(self, count: int, box: bool) -> tuple[str, list]:
        """The `count` best matches by text score (and distance), with what the boosts need.

        SQLite: FTS5 ranks by bm25 on its own, without touching the documents table, which
        is read for the candidates only; with a position, within a box around it first.
        Filters are `+rowid IN (...)`: the "+" keeps SQLite from handing each id to FTS5 as
        a separate lookup; the set is built once and each match is checked against it.
        PostgreSQL: the documents table is the index, ranked with ts_rank_cd.
        """
        doc = SearchDocument._meta.db_table
        columns = (
            "d.service_id AS service_id, d.status_rank AS status_rank, d.name AS name,"
            " d.terms AS terms, d.names_folded AS names_folded, d.assured_date AS assured_date"
        )
        decay, decay_params = self._decay()
        filter_sql, filter_params = self._filter()
        if connection.vendor == "postgresql":
            rank = f"ts_rank_cd('{POSTGRES_WEIGHTS}', d.vector, q)"
            where = "d.vector @@ q" + (f" AND d.id IN ({filter_sql})" if filter_sql else "")
            sql = (
                f"SELECT {columns}, ({rank} / ({rank} + {POSTGRES_HALF})){decay} AS base"
                f" FROM {doc} d, to_tsquery('simple', %s) q WHERE {where}"
                " ORDER BY d.status_rank, base DESC LIMIT %s"
            )
            return sql, decay_params + [
                _tsquery(self.plan, self.every, self.facets),
                *filter_params,
                count,
            ]
        where, params = (
            "search_fts MATCH %s AND rank MATCH %s",
            [_fts5(self.plan, self.every, self.facets)],
        )
        params.append(f"bm25({SQLITE_WEIGHTS})")
        if filter_sql:
            where += f" AND +rowid IN ({filter_sql})"
            params += filter_params
        if box:
            where += (
                f" AND +rowid IN (SELECT id FROM {doc} WHERE latitude BETWEEN %s AND %s"
                " AND longitude BETWEEN %s AND %s)"
            )
            params += [self.latitude - BOX_DEGREES, self.latitude + BOX_DEGREES]
            params += [self.longitude - BOX_DEGREES, self.longitude + BOX_DEGREES]
        best = f"SELECT rowid AS id, rank AS r FROM search_fts WHERE {where} ORDER BY rank LIMIT %s"  # noqa: E501
        sql = (
            f"SELECT {columns}, ((-f.r) / ((-f.r) + {SQLITE_HALF})){decay} AS base"
            f" FROM ({best}) f JOIN {doc} d ON d.id = f.id"
        )
        return sql, decay_params + params + [count]

    def _ranked_sql(self, offset: int, limit: int, box: bool) -> tuple[str, list]:
        """Two steps: the best candidates by text score and distance, then the name,
        phrase, terms and recency boosts over those only."""
        contains = "strpos" if connection.vendor == "postgresql" else "instr"
        boosts = (
            f"(CASE WHEN {contains}(c.names_folded, %s) > 0 THEN {EXACT_NAME_BOOST}"
            f" WHEN {contains}(c.names_folded, %s) > 0 THEN {NAME_PHRASE_BOOST} ELSE 1.0 END)"
            f" * (CASE WHEN c.assured_date >= %s THEN {RECENT_BOOST} ELSE 1.0 END)"
        )
        boost_params = [
            f"| {self.plan.folded} |",
            self.plan.folded,
            self.today - datetime.timedelta(days=RECENT_DAYS),
        ]
        for column, boost in (("name", NAME_HIT_BOOST), ("terms", TERMS_HIT_BOOST)):
            hits, hit_params = self._group_hits(f"c.{column}", contains)
            boosts += f" * (1.0 + {boost} * ({hits}) / {len(self.plan.groups)}.0)"
            boost_params += hit_params
        candidates, candidate_params = self._candidates(max(CANDIDATE_ROWS, offset + limit), box)
        # Only our own constants and Django-compiled SQL are formatted in; every value
        # (the words typed included) goes in as a parameter.
        sql = (
            f"SELECT service_id, base * {boosts} AS score FROM ({candidates}) c"
            " ORDER BY status_rank, score DESC, service_id LIMIT %s OFFSET %s"
        )
        return sql, boost_params + candidate_params + [limit, offset]

    def _group_hits(self, column: str, contains: str) -> tuple[str, list]:
        """SQL counting the query's groups that have an alternative in `column`."""
        padded = f"(' ' || {column} || ' ')"
        cases, params = [], []
        for group in self.plan.groups:
            alternatives = []
            for alternative in group:
                alternatives.append(
                    "(" + " AND ".join(f"{contains}({padded}, %s) > 0" for _ in alternative) + ")"
                )
                params += [f" {stem} " for stem in alternative]
            cases.append(f"(CASE WHEN {' OR '.join(alternatives)} THEN 1 ELSE 0 END)")
        return " + ".join(cases), params

    def ids(self, offset: int, limit: int) -> list:
        # With a position, nearby first; the whole country when too little is near.
        boxed = self.latitude is not None and connection.vendor == "sqlite"
        for box in [True, False] if boxed else [False]:
            sql, params = self._ranked_sql(offset, limit, box)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            if len(rows) == limit:
                break
        return [Service._meta.pk.to_python(row[0]) for row in rows]

    def count(self, cap: int | None = None) -> int:
        """How many match; with `cap`, stops counting there (a page says "1,000 or more")."""
        filter_sql, params = self._filter()
        if connection.vendor == "postgresql":
            where = "d.vector @@ to_tsquery('simple', %s)"
            params = [_tsquery(self.plan, self.every, self.facets), *params]
            source = f"{SearchDocument._meta.db_table} d"
            where += f" AND d.id IN ({filter_sql})" if filter_sql else ""
        else:
            source, where = "search_fts", "search_fts MATCH %s"
            params = [_fts5(self.plan, self.every, self.facets), *params]
            where += f" AND +rowid IN ({filter_sql})" if filter_sql else ""
        inner = f"SELECT 1 FROM {source} WHERE {where}"
        if cap is not None:
            inner += " LIMIT %s"
            params.append(cap)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({inner}) matches", params)
            return cursor.fetchone()[0]


class RankedResults:
    """Services in rank order, sliceable and countable like a queryset (for Paginator)."""

    def __init__(self, ranking: Ranking, load: QuerySet[Service], cap: int | None = COUNT_CAP):
        self.ranking = ranking
        self.load = load  # how to fetch the services of a page (annotations included)
        self.cap = cap  # None: count exactly (the API's total_items)
        self._count: int | None = None

    @property
    def plan(self) -> Plan:
        return self.ranking.plan

    def count(self) -> int:
        """Services with every word, when there are enough of them to fill a page: they are
        what was asked for, and finding them is quick at any scale. Otherwise services with
        any word, the best (most words, in the name) first."""
        if self._count is None:
            ranking = self.ranking
            if not ranking.plan.groups:
                self._count = 0
            elif len(ranking.plan.groups) == 1:
                self._count = ranking.count(self.cap)
            else:
                ranking.every = True
                self._count = ranking.count(self.cap)
                if self._count < ENOUGH:
                    ranking.every = False
                    self._count = ranking.count(self.cap)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, int):
            found = self[item : item + 1]
            if not found:
                raise IndexError(item)
            return found[0]
        start, stop = item.start or 0, item.stop
        if stop is None:
            stop = self.count()
        if stop <= start or not self.count():
            return []
        ids = self.ranking.ids(start, stop - start)
        by_id = {s.pk: s for s in self.load.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def __iter__(self):
        return iter(self[0 : self.count()])


def ranked(
    text: str,
    services: QuerySet[Service],
    *,
    filtered: bool,
    latitude: float | None = None,
    longitude: float | None = None,
    load: QuerySet[Service] | None = None,
    facets: tuple[tuple[str, ...], ...] = (),
    count_cap: int | None = COUNT_CAP,
) -> RankedResults:
    """Services matching `text` among `services` (a filtered queryset), best first; a
    page's services are fetched with `load` (default: with their organization)."""
    ranking = Ranking(plan(text), services, filtered, latitude, longitude, facets=facets)
    if load is None:
        load = Service.objects.select_related("organization")
    return RankedResults(ranking, load, count_cap)
