"""Django's password-validator messages that its own Malay catalogue lacks or gets wrong.

Django's `ms` catalogue leaves "too short" in English and gives "too common" the Malay for
"too short", so a short common password read as English followed by a Malay duplicate.
Marked here, they are in our catalogue, which Django reads before its own (LOCALE_PATHS).
"""

from django.utils.translation import gettext_noop, ngettext_lazy

VALIDATOR_MESSAGES = (
    gettext_noop("This password is too common."),
    # Django's own msgid, "%d" and all: the validator formats it with `%`.
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
)
