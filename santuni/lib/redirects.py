"""Where a page sends a person next, and links back to the current page: paths of this site only.

A `next` page comes from a link or a form anyone can craft, and the current path from the
address anyone can type (`/%2F%2Fevil.example` is the path `//evil.example`). Browsers read an
address starting with `//`, `/\\`, `///` or `\\\\` (tabs and newlines are dropped) as the
address of another site: a link back to the page makes such a start one slash, and a `next`
page written so is refused.
"""

import re

from django.utils.http import url_has_allowed_host_and_scheme

# A slash or backslash, then any more of them and of blanks and control characters.
LEADING = re.compile(r"^[/\\][/\\\x00-\x20\x7f]*")


def site_path(url: str) -> str:
    """`url` as a path of this site (its start made one slash), or "" if it is not a path."""
    return LEADING.sub("/", url, count=1) if url[:1] in ("/", "\\") else ""


def safe_next(request, value: str | None, default: str) -> str:
    """The page to go on to: `value` if it is a plain path of this site, else `default`.

    A `next` made to look like another site is refused, not repaired: the person goes on to
    `default`, not to a page that is not there.
    """
    value = value or ""
    if (
        value
        and site_path(value) == value
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return default


def current_path(request) -> str:
    """The address of this request (path and query) as a path of this site, to link back to."""
    return site_path(request.get_full_path()) or "/"
