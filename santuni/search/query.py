"""Turning what a person types into a plan: the groups of stems to look for.

1. The words are folded and stemmed like the index (`text`); a word the index has never
   seen (four letters or more) also looks for the nearest known words (typo tolerance).
2. Synonym families widen each word or phrase to everything that means the same.

`ranking` turns the plan into ranked services.
"""

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Max
from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import synonyms
from .models import SearchWord
from .text import STOPWORDS, key, stems, words

TYPO_MIN_LENGTH = 4
WORDS_FILE = Path(__file__).resolve().parent / "data" / "words.txt"
CANDIDATES = 3  # corrections tried for a misspelt word


@dataclass
class Plan:
    """The query as groups of alternatives; an alternative is one stem, or a phrase of
    stems that must stand together (`gaps`: how far apart they stand in the index)."""

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)
    folded: str = ""
    corrections: dict[str, str] = field(default_factory=dict)
    gaps: dict[tuple[str, ...], tuple[int, ...]] = field(default_factory=dict)
    # Groups that are a synonym family: its index token, and the group's alternatives
    # that are not members (the word as typed).
    families: dict[int, tuple[str, list[tuple[str, ...]]]] = field(default_factory=dict)

    def alternatives(self, group: int, indexed: frozenset[str]) -> list[tuple[str, ...]]:
        """What to look for to find a group: its family's token where the index holds it
        (with the word as typed), else every member."""
        if group in self.families and self.families[group][0] in indexed:
            token, others = self.families[group]
            return [(token,), *others]
        return self.groups[group]

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


@functools.cache
def common_words() -> frozenset[str]:
    """Correctly spelt words (data/words.txt) that typo correction leaves alone: "beli"
    (buy) is not a misspelt "belia" (youth)."""
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if (w := line.split("#", 1)[0].strip()))


def _corrections(sequence: list[str]) -> dict[str, list[str]]:
    candidates = {
        w for w in sequence if len(w) >= TYPO_MIN_LENGTH and not w.isdigit() and w not in STOPWORDS
    }
    if not candidates:
        return {}
    synonyms.FAMILIES.load()
    known = candidates & synonyms.FAMILIES.known_words | candidates & common_words()
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
                f"SELECT term FROM search_fts_vocab"  # nosec B608 - only %s placeholders added
                f" WHERE term IN ({marks})",
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
            group = list(family.keys)
            for member in family.members:
                if len(member) > 1:
                    result.gaps[tuple(key(w) for w in member)] = _gaps(member)
            typed = [(key(word),)] if length == 1 and (key(word),) not in group else []
            result.families[len(result.groups)] = (family.token, typed)
            group += typed
            position += length
        else:
            group = [(key(word),)] + [(key(fix),) for fix in fixes.get(word, [])]
            position += 1
        result.groups.append(list(dict.fromkeys(group)))
    return result
