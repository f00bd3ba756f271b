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
SQLITE_WEIGHTS = "10.0, 3.0, 1.0"  # bm25 weights of name, terms, body
# Text scores saturate (score / (score + half)): how many words matched and how rare they
# are counts, but cannot outweigh where they matched (the name and terms boosts below).
SQLITE_HALF, POSTGRES_HALF = 5.0, 0.1
POSTGRES_WEIGHTS = "{0.0, 0.1, 0.4, 1.0}"  # ts_rank_cd weights of D, C (body), B (terms), A
TYPO_MIN_LENGTH = 4
# Ranked in full: the best this many matches by text and distance (deeper pages more).
CANDIDATE_ROWS = 200
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
    known = candidates & synonyms.FAMILIES.known_words()
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
                f"SELECT term FROM search_fts_vocab WHERE term IN ({marks})",  # noqa: S608
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


def _fts5(plan_: Plan) -> str:
    def alternative(stems_: tuple[str, ...]) -> str:
        quoted = " ".join(f'"{s}"' for s in stems_)
        if len(stems_) == 1:
            return quoted
        # FTS5's NEAR counts the span from the first phrase to the last, less one.
        span = sum(plan_.gaps.get(stems_, (1,) * (len(stems_) - 1)))
        return f"NEAR({quoted}, {span - 1})"

    return " OR ".join("(" + " OR ".join(alternative(a) for a in g) + ")" for g in plan_.groups)


def _tsquery(plan_: Plan) -> str:
    def alternative(stems_: tuple[str, ...]) -> str:
        if len(stems_) == 1:
            return stems_[0]
        gaps = plan_.gaps.get(stems_, (1,) * (len(stems_) - 1))
        phrase = stems_[0] + "".join(f" <{g}> {s}" for g, s in zip(gaps, stems_[1:], strict=True))
        return f"({phrase})"

    return " | ".join("(" + " | ".join(alternative(a) for a in g) + ")" for g in plan_.groups)


# --- the ranked query ----------------------------------------------------------------------


@dataclass
class Ranking:
    plan: Plan
    services: QuerySet[Service]  # the filters, as a subquery
    filtered: bool
    latitude: float | None = None
    longitude: float | None = None
    today: datetime.date = field(default_factory=lambda: timezone.localdate())

    def _match(self) -> tuple[str, str, list, str, str]:
        """FROM and WHERE for the matching documents (text and filters), their params, the
        text score, and the database's substring function."""
        postgres = connection.vendor == "postgresql"
        doc = SearchDocument._meta.db_table
        if postgres:
            rank = f"ts_rank_cd('{POSTGRES_WEIGHTS}', d.vector, q)"
            text_score = f"({rank} / ({rank} + {POSTGRES_HALF}))"
            source, where = f"{doc} d, to_tsquery('simple', %s) q", "d.vector @@ q"
        else:
            rank = f"(-bm25(search_fts, {SQLITE_WEIGHTS}))"
            text_score = f"({rank} / ({rank} + {SQLITE_HALF}))"
            source = f"search_fts JOIN {doc} d ON d.id = search_fts.rowid"
            where = "search_fts MATCH %s"
        params: list = [_tsquery(self.plan) if postgres else _fts5(self.plan)]
        if self.filtered:
            subquery, subquery_params = self.services.values("id").query.sql_with_params()
            where += f" AND d.service_id IN ({subquery})"
            params += list(subquery_params)
        return source, where, params, text_score, "strpos" if postgres else "instr"

    def _ranked_sql(self, offset: int, limit: int) -> tuple[str, list]:
        """Two steps: the best CANDIDATES by text score and distance (cheap, over every
        match), then the name, phrase, terms and recency boosts over those only."""
        source, where, match_params, text_score, contains = self._match()
        base, base_params = text_score, []
        if self.latitude is not None:
            scale = math.cos(math.radians(self.latitude))
            base += (
                " * COALESCE(1.0 / (1.0 + ((d.latitude - %s) * (d.latitude - %s)"
                " + (d.longitude - %s) * (d.longitude - %s) * %s) * %s), 0.5)"
            )
            base_params = [self.latitude, self.latitude, self.longitude, self.longitude]
            base_params += [scale * scale, (KM_PER_DEGREE / DECAY_KM) ** 2]
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
        columns = (
            "d.service_id AS service_id, d.status_rank AS status_rank, d.name AS name,"
            " d.terms AS terms, d.names_folded AS names_folded, d.assured_date AS assured_date"
        )
        tail = "ORDER BY d.status_rank, base DESC LIMIT %s"
        inner = f"SELECT {columns}, {base} AS base FROM {source} WHERE {where} {tail}"  # noqa: S608
        # Only our own constants and Django-compiled SQL are formatted in; every value
        # (the words typed included) goes in as a parameter.
        sql = (
            f"SELECT service_id, base * {boosts} AS score FROM ({inner}) c"  # noqa: S608
            " ORDER BY status_rank, score DESC, service_id LIMIT %s OFFSET %s"
        )
        candidates = max(CANDIDATE_ROWS, offset + limit)
        params = boost_params + base_params + match_params + [candidates, limit, offset]
        return sql, params

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
        sql, params = self._ranked_sql(offset, limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Service._meta.pk.to_python(row[0]) for row in cursor.fetchall()]

    def count(self) -> int:
        source, where, params, _score, _contains = self._match()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {source} WHERE {where}", params)  # noqa: S608
            return cursor.fetchone()[0]


class RankedResults:
    """Services in rank order, sliceable and countable like a queryset (for Paginator)."""

    def __init__(self, ranking: Ranking, load: QuerySet[Service]):
        self.ranking = ranking
        self.load = load  # how to fetch the services of a page (annotations included)
        self._count: int | None = None

    @property
    def plan(self) -> Plan:
        return self.ranking.plan

    def count(self) -> int:
        if self._count is None:
            self._count = self.ranking.count() if self.ranking.plan.groups else 0
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
        if stop <= start or not self.ranking.plan.groups:
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
) -> RankedResults:
    """Services matching `text` among `services` (a filtered queryset), best first."""
    ranking = Ranking(plan(text), services, filtered, latitude, longitude)
    return RankedResults(ranking, services.select_related("organization"))
