"""Synonym and abbreviation families: the data file plus what administrators add.

A family is a set of words and phrases that mean the same to a help-seeker (warga emas =
orang tua = elderly = senior citizen). A query that contains any member also looks for all
the others. Families are read at query time, so an edit in the admin works at once (each
process re-reads them when the table changes, checked at most every few seconds).
"""

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from django.db.models import Count, Max

from santuni.lib.reloading import Reloading

from .models import SynonymFamily
from .text import key, reserved, stems, words

DATA_FILE = Path(__file__).resolve().parent / "data" / "synonyms.txt"
RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Family:
    members: tuple[tuple[str, ...], ...]  # each member as its folded words

    @cached_property
    def keys(self) -> tuple[tuple[str, ...], ...]:
        """Each member as the stems a search looks for (`text.key`)."""
        return tuple(dict.fromkeys(tuple(key(w) for w in member) for member in self.members))

    @cached_property
    def token(self) -> str:
        """The index token that stands for any member, in a document that holds one. It
        changes with the members, so an edited family is a new token (see index.py); it
        is `reserved`, so no search can ask for it as a word."""
        digest = hashlib.sha256(repr(sorted(self.keys)).encode()).hexdigest()
        return reserved("f" + digest[:12])


def parse(lines) -> list[list[str]]:
    """Families from text: one per line, members separated by commas, '#' comments."""
    families = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        members = [m.strip() for m in line.split(",") if m.strip()]
        if len(members) >= 2:
            families.append(members)
    return families


def _family(members: list[str]) -> Family | None:
    folded = tuple(dict.fromkeys(tuple(words(m)) for m in members if words(m)))
    return Family(folded) if len(folded) >= 2 else None


@dataclass(frozen=True)
class _Loaded:
    families: list[Family]
    # Members by the stems of their first word: (family, member).
    by_stem: dict[str, list[tuple[Family, tuple[str, ...]]]]
    # Words no typo correction should touch: computed once here, not per query.
    known_words: frozenset[str]


def _load() -> _Loaded:
    members = parse(DATA_FILE.read_text(encoding="utf-8").splitlines())
    members += parse(SynonymFamily.objects.filter(is_active=True).values_list("members", flat=True))
    found = [f for f in (_family(m) for m in members) if f is not None]
    by_stem: dict[str, list[tuple[Family, tuple[str, ...]]]] = {}
    for family in found:
        for member in family.members:
            for stem in stems(member[0]):
                by_stem.setdefault(stem, []).append((family, member))
    known = frozenset(word for family in found for member in family.members for word in member)
    return _Loaded(found, by_stem, known)


def _version() -> tuple:
    return tuple(SynonymFamily.objects.aggregate(n=Count("id"), latest=Max("updated_at")).values())


# An admin's edit forgets it in its own process (admin.py); other processes see the change
# within RECHECK_SECONDS.
FAMILIES = Reloading(_load, version=_version, seconds=RECHECK_SECONDS)


def families() -> list[Family]:
    return FAMILIES.get().families


def known_words() -> frozenset[str]:
    """Every word of every family: words typo correction leaves alone."""
    return FAMILIES.get().known_words


def _same(word: str, member_word: str) -> bool:
    return word == member_word or bool(set(stems(word)) & set(stems(member_word)))


def find(sequence: list[str], start: int) -> tuple[Family, int] | None:
    """The family with the longest member that starts at `sequence[start]`, and its length."""
    by_stem = FAMILIES.get().by_stem
    best = None
    for stem in stems(sequence[start]):
        for family, member in by_stem.get(stem, []):
            end = start + len(member)
            if (
                end <= len(sequence)
                and (best is None or len(member) > best[1])
                and all(_same(w, m) for w, m in zip(sequence[start:end], member, strict=True))
            ):
                best = (family, len(member))
    return best
