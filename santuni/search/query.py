"""Turning what a person types into a plan: the groups of stems to look for.

1. The words are folded and stemmed like the index (`text`); a word the index has never
   seen (four letters or more) also looks for the nearest known words (typo tolerance).
2. Synonym families widen each word or phrase to everything that means the same.

`ranking` turns the plan into ranked keys.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import synonyms
from .backends import backend
from .text import STOPWORDS, key, stems, words

TYPO_MIN_LENGTH = 4
WORDS_FILE = Path(__file__).resolve().parent / "data" / "words.txt"
CANDIDATES = 3  # corrections tried for a misspelt word


@dataclass
class Plan:
    """The query as groups of alternatives; an alternative is one stem, or a phrase of
    stems that must stand together (`gaps`: how far apart they stand in the index)."""

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the words that mean something
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
    def folded(self) -> str:
        return " ".join(self.words)

    @property
    def stems(self) -> set[str]:
        return {stem for group in self.groups for alternative in group for stem in alternative}

    @property
    def suggestion(self) -> str:
        """The query as it was probably meant ("did you mean"), or ""."""
        if not self.corrections:
            return ""
        return " ".join(self.corrections.get(w, w) for w in self.words)


# --- typo correction ------------------------------------------------------------------


def similar_words(word: str) -> list[str]:
    distance = 2 if len(word) >= 8 else 1
    return backend().similar_words(word, distance, limit=CANDIDATES)


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
    known = candidates & synonyms.known_words() | candidates & common_words()
    # A word is known when its stem is in the index (jaga: penjagaan, dijaga).
    indexed = backend().indexed_stems({key(w) for w in candidates - known})
    known |= {w for w in candidates if key(w) in indexed}
    return {w: similar_words(w) for w in sorted(candidates - known)}


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
    """The plan of a text (for a text not split into words yet)."""
    return plan_words(words(text))


def plan_words(sequence: Sequence[str]) -> Plan:
    """The plan of a query's words (folded, as `text.words` gives them)."""
    meaningful = [w for w in sequence if w not in STOPWORDS] or list(sequence)
    result = Plan(words=meaningful)
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
            typed: list[tuple[str, ...]] = (
                [(key(word),)] if length == 1 and (key(word),) not in group else []
            )
            result.families[len(result.groups)] = (family.token, typed)
            group += typed
            position += length
        else:
            group = [(key(w),) for w in [word, *fixes.get(word, [])]]
            position += 1
        result.groups.append(list(dict.fromkeys(group)))
    return result
