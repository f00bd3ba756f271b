"""Stemming is shared by the server's threads (gunicorn gthread): each must get its own
answer, as if it were alone."""

from concurrent.futures import ThreadPoolExecutor

from santuni.search import text

WORDS = [
    f"{prefix}{base}{suffix}"
    for prefix in ("", "pem", "ber", "di", "ke")
    for base in ("bantu", "jaga", "lindung", "kerja", "didik", "rawat", "help", "care")
    for suffix in ("", "an", "kan", "nya", "ing", "ed")
]


def test_threads_stemming_at_once_get_the_same_stems_as_one_alone():
    alone = {w: text.stems.__wrapped__(w) for w in WORDS}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(20):
            together = list(pool.map(text.stems.__wrapped__, WORDS * 4))
            assert together == [alone[w] for w in WORDS * 4]
