"""Refusals the case and referral services share: a page that went stale, a form used twice."""

from django.utils.translation import gettext_lazy as _

from santuni.lib.domain import Refusal

FORM_USED = _("This form was already used for something else. Open it again and retry.")


class StaleVersion(Refusal):
    """Someone else wrote since the page was shown: the page shows the latest, not the form."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this in the meantime (or the button was tapped twice). "
                "Here is the latest; check it and try again if still needed."
            )
        )


def check_version(obj, version: int | None) -> None:
    """Refuses a write made from an older version of the case or referral than the stored one
    (None: the caller showed no version, as a command does)."""
    if version is not None and obj.version != version:
        raise StaleVersion
