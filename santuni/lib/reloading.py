"""What a process keeps of a table: loaded once, loaded again when the table's version changes.

Every process (each gunicorn worker) keeps its own copy, so a change made in one process
reaches the others within `seconds`: that is how often each one asks the table's version
(a cheap query, such as its row count and latest id). Tests start from nothing with
`forget_all()`.
"""

import time
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

_UNREAD = object()
_EVERY: "weakref.WeakSet[Reloading]" = weakref.WeakSet()


class Reloading(Generic[T]):
    """`load()`'s value, kept. At most every `seconds`, `version()` is asked again, and the
    value loaded again when the version differs. Without a `version`, the value is loaded
    again every `seconds` (for a value that is its own version, such as a count).

    `clock` gives seconds that only go forward (tests pass their own).
    """

    def __init__(
        self,
        load: Callable[[], T],
        *,
        seconds: float,
        version: Callable[[], Hashable] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._load = load
        self._version = version
        self.seconds = seconds
        self._clock = clock
        # (version, value, when the version was last asked), replaced whole, so that a
        # thread never reads a version beside another one's value.
        self._state: tuple = (_UNREAD, _UNREAD, 0.0)
        _EVERY.add(self)

    def get(self, *, check_now: bool = False) -> T:
        """The value; `check_now`: ask the version now, whenever it was last asked (to read
        what the current transaction sees)."""
        version, value, checked = self._state
        now = self._clock()
        if value is not _UNREAD and not check_now and now - checked < self.seconds:
            return value
        # The version is read before the data: a change in between makes the next check
        # load again, never keeps old data under a new version.
        current = self._version() if self._version is not None else _UNREAD
        if value is _UNREAD or self._version is None or current != version:
            value = self._load()
        self._state = (current, value, now)
        return value

    def forget(self) -> None:
        """Load again on next use."""
        self._state = (_UNREAD, _UNREAD, 0.0)


def forget_all() -> None:
    """Every `Reloading` loads again on next use (each test starts from the database)."""
    for kept in list(_EVERY):
        kept.forget()
