"""Text messages (SMS, WhatsApp) about referrals, through a provider chosen in settings.

A backend is a class with `send(user, text)`; SANTUNI["MESSAGE_BACKEND"] names it. A provider's
backend looks up the user's number itself. The texts carry a referral reference, nothing more.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleBackend:
    """Development: writes the message to the log (it holds no personal data)."""

    def send(self, user, text: str) -> None:
        logger.info("text message to user #%s: %s", user.pk, text)


class MemoryBackend:
    """Tests: keeps what was sent in `outbox`."""

    outbox: list[tuple[int, str]] = []

    def send(self, user, text: str) -> None:
        self.outbox.append((user.pk, text))


def backend():
    return import_string(settings.SANTUNI["MESSAGE_BACKEND"])()
