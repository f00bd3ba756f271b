"""The consent rule for sharing a person's details with another organisation, written once:
the referral pages ask by it and the referral services refuse by it.

A live referral puts the person's details before the receiving organisation, so it needs
their recorded consent to share. Only in immediate danger may the one sending it go without
(nobody but a CBO head or the district officer may send: workflow.STEPS), and then only with a
reason, which is kept on the referral and marked in the audit row. A referral that is only a
record (the person went on their own) shares nothing.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from santuni.lib.domain import require

from ..models import Case, Consent, Referral, Urgency


@dataclass(frozen=True)
class Sharing:
    # The person agreed to share their details with other organisations.
    consented: bool
    # They did not, but they are in immediate danger: a written reason may stand in.
    overridable: bool


def sharing_for(case: Case) -> Sharing:
    """What the consent rule allows for a live referral of this case."""
    consent = case.client.consents.filter(withdrawn_at__isnull=True).first()
    consented = bool(consent and consent.allows(Consent.Purpose.SHARE))
    return Sharing(consented, not consented and case.urgency == Urgency.IMMEDIATE)


def sharing_check(*, referral: Referral, override: str) -> dict:
    """Refuses to send a referral the rule does not allow; keeps the reason when consent is
    overridden, and returns what the audit row adds."""
    if referral.mode == Referral.Mode.LOGGED:
        return {}
    rule = sharing_for(referral.case)
    if rule.consented:
        return {}
    require(
        rule.overridable,
        _(
            "The person has not agreed to share their details with other organisations. "
            "Ask for their consent first, or record the referral as one they make themselves."
        ),
    )
    require(
        bool(override.strip()),
        _(
            "The person has not agreed to share their details. In immediate danger you may "
            "refer without consent: write why."
        ),
    )
    referral.consent_override = override.strip()
    return {"consent_overridden": True}
