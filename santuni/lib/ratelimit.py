"""How often one person or address may ask for something (an email): counts in the cache.

The counts live in Django's cache, which with REDIS_URL every app server shares, as the HSDS
API's rate limit does. Each count is one atomic increment, so requests arriving together cannot
all slip under the limit, and it starts again at the turn of each period (of the hour, the day
in UTC): a refusal can say how long to wait.
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

# As SANTUNI_API_RATE: "3/h" is three an hour; s, m, h or d (also sec, min, hour, day).
PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def parse_rate(rate: str) -> tuple[int, int]:
    """How many, in how many seconds: "3/h" is (3, 3600)."""
    count, _, period = rate.partition("/")
    try:
        return int(count), PERIODS[period.strip()[:1].lower()]
    except (KeyError, ValueError):
        raise ValueError(f"A rate is written as a count per s, m, h or d, not {rate!r}") from None


@dataclass(frozen=True)
class Limit:
    """At most `rate` of `action` for one `who` (an email address, a client address, a user)."""

    action: str
    who: str
    rate: str

    def key(self, window: int) -> str:
        # A keyed hash: the cache holds no email address, and none can be guessed from it.
        who = salted_hmac("santuni.lib.ratelimit", self.who).hexdigest()[:32]
        return f"santuni:limit:{self.action}:{who}:{window}"


def seconds_to_wait(*limits: Limit) -> int:
    """Counts one more under each limit in turn: 0 if every one allows it, else the seconds
    until the first that is full allows again (the limits after it are then not counted)."""
    now = time.time()
    for limit in limits:
        allowed, period = parse_rate(limit.rate)
        key = limit.key(int(now // period))
        cache.add(key, 0, timeout=period)
        try:
            count = cache.incr(key)
        except ValueError:  # expired (or evicted) between the two calls
            cache.set(key, count := 1, timeout=period)
        if count > allowed:
            return max(1, math.ceil(period - now % period))
    return 0


def wait_text(seconds: int) -> str:
    """How long to wait, rounded up: "50 minutes", or in hours beyond an hour and a half."""
    minutes = math.ceil(seconds / 60)
    if minutes <= 90:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
