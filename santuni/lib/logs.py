"""Log lines without the secrets that emailed links carry in their address (invitation and
password-reset tokens).

The first request of such a link moves the secret into the session and sends the browser on
to an address without it, but that request's line is still written: by the web server's access
log (runserver's, gunicorn's), and by Django when it refuses or fails a request. Every address
in a log line is matched against the URL configuration, and the value of an argument named
`token` is written as [secret]. settings.LOGGING_CONFIG installs this on the loggers that write
addresses; the console handler has it too, for any other.
"""

import logging
import logging.config
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation

SECRET_ARGUMENTS = {"token"}
HIDDEN = "[secret]"
# Django's stand-in for a reset token once it is in the session, no secret
# (PasswordResetConfirmView.reset_url_token; its module cannot load while logging is set up).
NOT_SECRET = {"set-password"}
# A path, or an address with its host, up to a blank or a quote.
ADDRESS = re.compile(r"""(?:https?://[^/\s"'<>]+)?/[^\s"'<>]*""")
# Runserver's access log, Django's lines about refused and failed requests (and CSRF
# failures), gunicorn's access and error logs.
ADDRESS_LOGGERS = (
    "django.server",
    "django.request",
    "django.security.csrf",
    "gunicorn.access",
    "gunicorn.error",
)


def hide_secrets(text: str) -> str:
    """`text` with the secret part of every address of the site in it written as [secret]."""
    if "/" not in text:
        return text
    return ADDRESS.sub(lambda match: _hidden(match.group()), text)


def _hidden(address: str) -> str:
    parts = urlsplit(address)
    secrets = _secrets(parts.path)
    if not secrets:
        return address
    segments = [HIDDEN if unquote(s) in secrets else s for s in parts.path.split("/")]
    return urlunsplit(parts._replace(path="/".join(segments)))


def _secrets(path: str) -> frozenset[str]:
    """The values of the secret arguments of the page at `path` (in either language)."""
    try:
        return _page_secrets(unquote(path))
    except Exception:  # no URL configuration yet (lines while starting): not kept in the cache
        return frozenset()


@lru_cache(maxsize=512)
def _page_secrets(path: str) -> frozenset[str]:
    # English pages are under /en/, and resolve() reads the prefix of the active language.
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            match = resolve(path)
    except Resolver404:
        return frozenset()
    return frozenset(
        value
        for name, value in match.kwargs.items()
        if name in SECRET_ARGUMENTS and value not in NOT_SECRET
    )


class HideSecrets(logging.Filter):
    """Writes a record's message with the secrets of its addresses hidden."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = hide_secrets(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


HIDE_SECRETS = HideSecrets()


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: LOGGING as Django applies it, then the filter on the loggers
    that write addresses. Those belong to Django and gunicorn, with their own handlers: the
    filter is added to them, not their configuration replaced."""
    logging.config.dictConfig(config)
    for name in ADDRESS_LOGGERS:
        logging.getLogger(name).addFilter(HIDE_SECRETS)
