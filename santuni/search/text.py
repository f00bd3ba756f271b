"""Search text: folding, words, and the stems both the index and the queries use.

A word is folded (case, accents, punctuation), a reduplication is reduced to its base
(kanak-kanak → kanak, rumah2 → rumah), and it is stemmed twice: by the Malay rules
(Snowball's Indonesian stemmer: meN-, peN-, ber-, ter-, di-, ke-, -an, -kan, -i, -nya and
their confixes) and by the English ones, since a listing or a query may be in either
language. Both stems are indexed and both are searched, so the two sides always agree.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_MALAY = snowballstemmer.stemmer("indonesian")
_ENGLISH = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NUMBERED_REPEAT = re.compile(r"^([a-z]{2,})2$")  # rumah2, kanak2: SMS reduplication

# Words too common to tell services apart; dropped from queries, not from the index.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "my",
        "me",
        "i",
        "we",
        "our",
        "need",
        "needs",
        "help",
        "want",
        "dan",
        "di",
        "ke",
        "dari",
        "untuk",
        "utk",
        "yang",
        "ini",
        "itu",
        "atau",
        "dengan",
        "dgn",
        "pada",
        "bagi",
        "saya",
        "kami",
        "kita",
        "nak",
        "mahu",
        "mau",
        "perlu",
        "ada",
        "tak",
        "tidak",
        "apa",
        "mana",
        "cara",
        "boleh",
    ]
)


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed (hyphens inside words kept)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain.replace("'", "").replace("’", "")))


def base(word: str) -> str:
    """The word without reduplication: kanak-kanak, rumah-rumah, sayur-mayur, kanak2."""
    numbered = _NUMBERED_REPEAT.match(word)
    if numbered:
        return numbered.group(1)
    if "-" in word:
        first, _, rest = word.partition("-")
        if rest == first or rest.endswith(first[1:]) and len(first) > 2:
            return first
    return word


def words(text: str) -> list[str]:
    """Folded words, reduplication reduced; a hyphenated compound becomes its parts."""
    found = []
    for word in fold(text).split():
        reduced = base(word)
        found.extend(part for part in reduced.split("-") if part)
    return found


# Root words the affix rules would cut into other words (ketua → tua "old", terapi → api
# "fire", sekolah → seko), and abbreviations (epoku → epo): kept whole, or mapped.
STEM_OVERRIDES = {
    "ketua": "ketua",
    "masalah": "masalah",
    "bermasalah": "masalah",
    "percuma": "percuma",
    "sekolah": "sekolah",
    "persekolahan": "sekolah",
    "terapi": "terapi",
    "perempuan": "perempuan",
    "keluarga": "keluarga",
    "kekeluargaan": "keluarga",
    "perumahan": "rumah",
    "penghulu": "penghulu",
    "beranak": "beranak",
    "epoku": "epoku",
    "ketuanan": "ketuanan",
    "teman": "teman",
    "berita": "berita",
    "selamat": "selamat",
}


@lru_cache(maxsize=200_000)
def stems(word: str) -> tuple[str, ...]:
    """The Malay and English stems of a folded word (one when they agree)."""
    if word in STEM_OVERRIDES:
        return (STEM_OVERRIDES[word],)
    if word.isdigit() or len(word) <= 3:
        return (word,)
    malay, english = _MALAY.stemWord(word), _ENGLISH.stemWord(word)
    return (malay,) if malay == english else (malay, english)


def stemmed_text(text: str, seen: set[str] | None = None) -> str:
    """What the index stores for a text: every stem of every word, space-separated.
    The words themselves are added to `seen` (the vocabulary for typo correction)."""
    found = words(text)
    if seen is not None:
        seen.update(found)
    return " ".join(stem for word in found for stem in stems(word))


_TOKEN = re.compile(r"[\w'’-]+|[^\w'’-]+")


def highlight(text: str, wanted: set[str]) -> str:
    """HTML of `text` with the words whose stems were searched for in <mark>."""
    from django.utils.html import escape

    parts = []
    for token in _TOKEN.findall(text or ""):
        folded = words(token)
        hit = wanted and any(set(stems(w)) & wanted for w in folded)
        parts.append(f"<mark>{escape(token)}</mark>" if hit else escape(token))
    return "".join(parts)
