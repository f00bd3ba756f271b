"""Refusals: a request the rules turn down, with a message shown to the person who made it.

Every app's domain functions refuse through `Refusal` (with `require`), so a page shows the
message beside the form whatever app it came from. A request the person may not make at all
is not a refusal: it stays a 403 (`require_permission`), or a 404 where a selector hides the
object, so that what is refused tells nothing about what exists.
"""

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise


class Refusal(Exception):
    """A request the rules refuse; the message says why, in the reader's language."""

    def __init__(self, message: str | Promise):
        # The text in the language active when refused (for logs and tests); `message` stays
        # lazy for a page that shows it later.
        super().__init__(str(message))
        self.message = message


def require(condition: bool, message: str | Promise) -> None:
    """Refuses the request, with `message`, unless `condition` holds."""
    if not condition:
        raise Refusal(message)


def require_permission(allowed: bool) -> None:
    """A 403 unless `allowed`: the person's role or scope does not let them do this."""
    if not allowed:
        raise PermissionDenied
