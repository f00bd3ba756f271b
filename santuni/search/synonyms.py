"""Synonym and abbreviation families: the data file plus what administrators add.

A family is a set of words and phrases that mean the same to a help-seeker (warga emas =
orang tua = elderly = senior citizen). A query that contains any member also looks for all
the others. Families are read at query time, so an edit in the admin works at once (each
process re-reads them when the table changes, checked at most every few seconds).
"""

import time
from dataclasses import dataclass
from pathlib import Path

from .text import stems, words

DATA_FILE = Path(__file__).resolve().parent / "data" / "synonyms.txt"
RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Family:
    members: tuple[tuple[str, ...], ...]  # each member as its folded words


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


class _Families:
    def __init__(self):
        self.families: list[Family] = []
        self.by_stem: dict[str, list[Family]] = {}
        self.known_words: frozenset[str] = frozenset()
        self.version = None
        self.checked = 0.0

    def load(self) -> None:
        from django.db.models import Count, Max

        from .models import SynonymFamily

        now = time.monotonic()
        if now - self.checked < RECHECK_SECONDS and self.version is not None:
            return
        self.checked = now
        version = SynonymFamily.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
        if version == self.version:
            return
        members = parse(DATA_FILE.read_text(encoding="utf-8").splitlines())
        members += parse(
            SynonymFamily.objects.filter(is_active=True).values_list("members", flat=True)
        )
        self.families = [f for f in (_family(m) for m in members) if f is not None]
        self.by_stem = {}
        for family in self.families:
            for member in family.members:
                for stem in stems(member[0]):
                    self.by_stem.setdefault(stem, []).append(family)
        # Words no typo correction should touch: computed once here, not per query.
        self.known_words = frozenset(
            word for family in self.families for member in family.members for word in member
        )
        self.version = version


FAMILIES = _Families()


def forget() -> None:
    """Re-read the families on next use (tests, and after an admin edit in this process)."""
    FAMILIES.version = None
    FAMILIES.checked = 0.0


def _same(word: str, member_word: str) -> bool:
    return word == member_word or bool(set(stems(word)) & set(stems(member_word)))


def find(sequence: list[str], start: int) -> tuple[Family, int] | None:
    """The family with the longest member that starts at `sequence[start]`, and its length."""
    FAMILIES.load()
    best = None
    for stem in stems(sequence[start]):
        for family in FAMILIES.by_stem.get(stem, []):
            for member in family.members:
                end = start + len(member)
                if (
                    end <= len(sequence)
                    and all(_same(w, m) for w, m in zip(sequence[start:end], member, strict=True))
                    and (best is None or len(member) > best[1])
                ):
                    best = (family, len(member))
    return best
