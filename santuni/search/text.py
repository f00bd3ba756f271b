"""Search text: folding, words, and the stems both the index and the queries use.

A word is folded (case, accents, punctuation), a reduplication is reduced to its base
(kanak-kanak → kanak, rumah2 → rumah), and it is stemmed twice: by the Malay rules
(Snowball's Indonesian stemmer: meN-, peN-, ber-, ter-, di-, ke-, -an, -kan, -i, -nya and
their confixes) and by the English ones, since a listing or a query may be in either
language. Both stems are indexed and both are searched, so the two sides always agree.
"""

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

# A Snowball stemmer keeps the word it is working on in itself, so each thread of the
# server (gunicorn's gthread workers) has its own pair.
_stemmers = threading.local()
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NUMBERED_REPEAT = re.compile(r"^([a-z]{2,})2$")  # rumah2, kanak2: SMS reduplication

# Words too common to tell services apart; dropped from queries, not from the index.
STOPWORDS = frozenset(
    [
        # English
        "a",
        "about",
        "all",
        "also",
        "an",
        "and",
        "any",
        "anyone",
        "anything",
        "are",
        "around",
        "as",
        "ask",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "cannot",
        "cant",
        "could",
        "did",
        "do",
        "does",
        "dont",
        "find",
        "for",
        "from",
        "get",
        "gets",
        "getting",
        "got",
        "has",
        "have",
        "he",
        "help",
        "her",
        "here",
        "his",
        "how",
        "i",
        "if",
        "im",
        "in",
        "into",
        "is",
        "just",
        "know",
        "like",
        "looking",
        "may",
        "me",
        "might",
        "my",
        "near",
        "nearby",
        "need",
        "needs",
        "now",
        "of",
        "on",
        "or",
        "our",
        "please",
        "pls",
        "plz",
        "search",
        "service",
        "services",
        "she",
        "should",
        "so",
        "some",
        "someone",
        "something",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "us",
        "very",
        "want",
        "wants",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "would",
        "you",
        "your",
        # Malay, with the short spellings people type on phones
        "ada",
        "adakah",
        "adalah",
        "ade",
        "agar",
        "aje",
        "akan",
        "aku",
        "amat",
        "anda",
        "apa",
        "apabila",
        "apakah",
        "atau",
        "awak",
        "bagaimana",
        "bagaimanakah",
        "bagi",
        "banyak",
        "beliau",
        "berapa",
        "bg",
        "bila",
        "bilakah",
        "blh",
        "bole",
        "boleh",
        "buat",
        "byk",
        "camana",
        "camne",
        "cara",
        "cari",
        "cemana",
        "dah",
        "dalam",
        "dan",
        "dapat",
        "dapatkan",
        "dari",
        "daripada",
        "dekat",
        "dengan",
        "dgn",
        "di",
        "dia",
        "diorang",
        "dkt",
        "dlm",
        "dorang",
        "dpt",
        "drpd",
        "engkau",
        "gak",
        "hendak",
        "iaitu",
        "ialah",
        "ingin",
        "ini",
        "itu",
        "jangan",
        "je",
        "jer",
        "jgn",
        "jika",
        "juga",
        "jugak",
        "kah",
        "kalau",
        "kalo",
        "kami",
        "kamu",
        "kan",
        "kat",
        "kau",
        "ke",
        "kenapa",
        "kepada",
        "kerana",
        "kita",
        "klu",
        "korang",
        "kot",
        "kpd",
        "la",
        "lagi",
        "lah",
        "lg",
        "macam",
        "macamana",
        "mahu",
        "mana",
        "manakah",
        "masih",
        "mau",
        "mcm",
        "mcmana",
        "memang",
        "memerlukan",
        "mencari",
        "mendapatkan",
        "mengapa",
        "mengenai",
        "mereka",
        "minta",
        "mintak",
        "nak",
        "ni",
        "nih",
        "nk",
        "oleh",
        "pada",
        "paling",
        "pasal",
        "pd",
        "perkhidmatan",
        "perlu",
        "perlukan",
        "pon",
        "pun",
        "sahaja",
        "saja",
        "sana",
        "sangat",
        "saya",
        "sbb",
        "sebab",
        "sebagai",
        "sekarang",
        "semua",
        "seperti",
        "sesiapa",
        "sgt",
        "siapa",
        "sila",
        "sini",
        "situ",
        "skrg",
        "sudah",
        "supaya",
        "sy",
        "tak",
        "tapi",
        "telah",
        "tengok",
        "tentang",
        "tetapi",
        "tgk",
        "tidak",
        "tlg",
        "tolong",
        "tp",
        "tu",
        "tuh",
        "untuk",
        "utk",
        "x",
        "ya",
        "yang",
        "yg",
    ]
)


# The index's own tokens (filters and synonym families, see index.py) all hold this letter.
# `fold` never gives it (it keeps a-z and 0-9 only), while both full-text tokenizers keep it
# inside a word (SQLite's unicode61, and PostgreSQL's parser whatever the database's locale):
# what a person types can never be one of those tokens, so it can never ask for them.
MARK = "ζ"


def reserved(name: str) -> str:
    """An index token of our own (`name`: a-z and 0-9), apart from every folded word."""
    return MARK + name


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
    found: list[str] = []
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
    if not hasattr(_stemmers, "malay"):
        _stemmers.malay = snowballstemmer.stemmer("indonesian")
        _stemmers.english = snowballstemmer.stemmer("english")
    malay, english = _stemmers.malay.stemWord(word), _stemmers.english.stemWord(word)
    return (malay,) if malay == english else (malay, english)


def key(word: str) -> str:
    """The stem a query looks for: the shortest, which every form of the word shares (the
    index holds both stems of every word, so either finds it)."""
    return min(stems(word), key=len)


def family_tokens(
    found: list[str], members: dict[str, list[tuple[tuple[str, ...], str]]]
) -> list[str]:
    """The tokens of the families with a member in the words `found`. `members` maps a
    first key to (member keys, family token): each word of a member shares its key, in
    order, with no word between."""
    forms = [stems(w) for w in found]
    tokens = []
    for start, first in enumerate(forms):
        for stem in first:
            for keys, token in members.get(stem, ()):
                end = start + len(keys)
                if end <= len(forms) and all(
                    k in form for k, form in zip(keys[1:], forms[start + 1 : end], strict=True)
                ):
                    tokens.append(token)
    return tokens


def stemmed_text(text: str, seen: set[str] | None = None, families: dict | None = None) -> str:
    """What the index stores for a text: every stem of every word, space-separated, then
    the token of each of the `families` (see `family_tokens`) it has a member of. The
    words themselves are added to `seen` (the vocabulary for typo correction)."""
    found = words(text)
    if seen is not None:
        seen.update(found)
    indexed = [stem for word in found for stem in stems(word)]
    if families:
        indexed += dict.fromkeys(family_tokens(found, families))
    return " ".join(indexed)


_TOKEN = re.compile(r"[\w'’-]+|[^\w'’-]+")


def highlight(text: str, wanted: set[str]) -> str:
    """HTML of `text` (safe to put in a page) with the words whose stems were searched for in
    <mark>. format_html escapes the text: the words before each marked one, then the rest."""
    from django.utils.html import format_html, format_html_join

    marked: list[tuple[str, str]] = []
    before: list[str] = []
    for token in _TOKEN.findall(text or ""):
        folded = words(token)
        if wanted and any(set(stems(w)) & wanted for w in folded):
            marked.append(("".join(before), token))
            before = []
        else:
            before.append(token)
    return format_html("{}{}", format_html_join("", "{}<mark>{}</mark>", marked), "".join(before))
