"""The referral life cycle as one table: each step, who may take it from which status, what its
form asks, what the person is told after it and who else hears of it.

The services take a step by this table, the referral page offers the steps it allows and each
step's form asks what it says: a step added here appears on the page, with its form and its
message, for the people it names, and the services let them take it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, TypeVar

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from santuni.accounts.models import Membership, Role
from santuni.audit.actions import Action
from santuni.lib.i18n import StrOrPromise

from .models import Referral

S = Referral.Status
Text = StrOrPromise

# Said when the referral has moved on since the page was shown.
NO_LONGER_POSSIBLE = _(
    "This referral's status is now: %(status)s. That step is no longer possible."
)


class Side(StrEnum):
    """Which side of a referral may take a step (the district officer stands on both)."""

    # The referring CBO's head, or the district officer of the referral's district.
    SENDER = "sender"
    # The receiving organisation's focal point where they act, or the district officer.
    RECEIVER = "receiver"


def _is_sender(actor: Membership, referral: Referral) -> bool:
    if actor.role == Role.CBO_HEAD:
        return referral.case.organization_id == actor.organization_id
    return actor.role == Role.DISTRICT_OFFICER and referral.district_id == actor.district_id


def _is_receiver(actor: Membership, referral: Referral) -> bool:
    if referral.mode == Referral.Mode.LOGGED:
        # Nobody receives a record of a person who went on their own: the sender keeps it.
        return _is_sender(actor, referral)
    if actor.role == Role.AGENCY_FOCAL_POINT:
        return referral.organization_id == actor.organization_id and actor.covers(referral.district)
    return actor.role == Role.DISTRICT_OFFICER and referral.district_id == actor.district_id


def on_side(actor: Membership, referral: Referral, side: Side) -> bool:
    """Does the actor stand on this side of the referral? (CBO members stand on neither: they
    record cases and draft referrals, and their head takes it from there.)"""
    return _is_sender(actor, referral) if side == Side.SENDER else _is_receiver(actor, referral)


class Tell(StrEnum):
    """Who hears of a step, besides the person who took it."""

    SENDERS = "senders"
    # In immediate danger a referral sent is also told to the district officers.
    RECEIVERS = "receivers"
    BOTH = "both"


# What a step's form asks: each is one field of the form (`name`, as the page posts it) and
# one keyword of the service that takes the step (`argument`).


# Who reads a step's note: both organisations see the referral's timeline.
IN_THE_TIMELINE = _("Optional. Both organisations see it in the referral's timeline.")
# A step with a reason: "Other" says nothing a report can count, so the note is needed then.
SAY_WHAT_OTHER_WAS = _(
    "Optional, except for the reason “Other”. Both organisations see it in the referral's timeline."
)


@dataclass(frozen=True)
class Note:
    """A free note, kept on the step's event in the timeline; its label says what it is for."""

    label: Text
    help: Text = IN_THE_TIMELINE

    name: ClassVar[str] = "note"
    argument: ClassVar[str] = "note"

    def formfield(self) -> forms.Field:
        return forms.CharField(
            label=self.label,
            help_text=self.help,
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )


@dataclass(frozen=True)
class Code:
    """A code from a fixed list, so that reports can count them, kept on the referral."""

    label: Text
    choices: type[models.TextChoices]
    # The referral's field that keeps it.
    field: str
    # Said when no code, or one not on the list, is given.
    refusal: Text

    name: ClassVar[str] = "reason"
    argument: ClassVar[str] = "code"

    def formfield(self) -> forms.Field:
        return forms.ChoiceField(label=self.label, choices=self.choices.choices)


@dataclass(frozen=True)
class OnwardService:
    """Another service to pass the referral on to: a new referral, sent to it at once."""

    name: ClassVar[str] = "service"
    argument: ClassVar[str] = "service_id"

    def formfield(self) -> forms.Field:
        # Chosen from the service picker's list, never typed: a value that is not a service's
        # key came from a damaged page, and the person is asked to choose again.
        choose = _("Find the other service and choose it from the list.")
        return forms.UUIDField(
            label=_("New service"), error_messages={"required": choose, "invalid": choose}
        )


@dataclass(frozen=True)
class ConsentOverride:
    """Why refer without the person's consent; the consent rule (services.sharing) says when
    it is needed and when it may stand in for consent."""

    name: ClassVar[str] = "consent_override"
    argument: ClassVar[str] = "consent_override"

    def formfield(self) -> forms.Field:
        return forms.CharField(
            label=_("Immediate danger: why refer without the person's consent?"),
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )


Ask = Note | Code | OnwardService | ConsentOverride
AskKind = TypeVar("AskKind", Note, Code, OnwardService, ConsentOverride)


@dataclass(frozen=True)
class Step:
    # Its button, and the heading of its form.
    label: Text
    # The statuses it may be taken from, and which side may take it there.
    sources: Mapping[str, Side]
    target: str
    audit: Action
    # What the person who took it is told.
    done: Text
    tell: Tell
    asks: tuple[Ask, ...] = ()
    # Said when the referral is no longer in a status the step starts from.
    too_late: Text = NO_LONGER_POSSIBLE
    # The statuses where it is the one obvious next step: its button is the main one there,
    # and every other step's is a quieter one.
    leads_from: tuple[str, ...] = ()
    # A step that cannot be taken back (cancelling, declining, passing on, closing) is asked
    # twice: `confirm` is the question, `consequence` what follows, `confirm_label` the button
    # that takes it. Empty: taken at once.
    confirm: Text = ""
    consequence: Text = ""
    confirm_label: Text = ""
    # The step puts the person's details before the receiving organisation: the consent rule
    # applies, the case must still be open, and the target times start. A referral that is
    # only a record (the person went on their own) goes to `logged_target` instead: nobody is
    # asked to act on it.
    sends: bool = False
    logged_target: str = ""

    @property
    def confirms(self) -> bool:
        return bool(self.confirm)

    def asked(self, kind: type[AskKind]) -> AskKind | None:
        """The ask of this kind, if the step has one."""
        return next((ask for ask in self.asks if isinstance(ask, kind)), None)


def _by(side: Side, *statuses: str) -> dict[str, Side]:
    return dict.fromkeys(statuses, side)


STEPS: dict[str, Step] = {
    "send": Step(
        label=_("Send"),
        sources=_by(Side.SENDER, S.DRAFT),
        target=S.SENT,
        audit=Action.REFERRAL_SEND,
        done=_("Referral sent."),
        tell=Tell.RECEIVERS,
        asks=(ConsentOverride(),),
        too_late=_("This referral was already sent."),
        leads_from=(S.DRAFT,),
        sends=True,
        logged_target=S.IN_PROGRESS,
    ),
    "cancel": Step(
        label=_("Cancel the referral"),
        sources=_by(Side.SENDER, S.DRAFT, S.SENT),
        target=S.CANCELLED,
        audit=Action.REFERRAL_CANCEL,
        done=_("Referral cancelled."),
        tell=Tell.RECEIVERS,
        asks=(Note(label=_("Why cancel it")),),
        confirm=_("Cancel this referral?"),
        consequence=_(
            "The organisation is told and can no longer act on it. A cancelled referral cannot "
            "be sent again: you would make a new one."
        ),
        confirm_label=_("Yes, cancel the referral"),
    ),
    "accept": Step(
        label=_("Accept"),
        sources=_by(Side.RECEIVER, S.SENT),
        target=S.ACCEPTED,
        audit=Action.REFERRAL_ACCEPT,
        done=_("Accepted. The sender has been told."),
        tell=Tell.SENDERS,
        leads_from=(S.SENT,),
    ),
    "decline": Step(
        label=_("Decline"),
        sources=_by(Side.RECEIVER, S.SENT),
        target=S.DECLINED,
        audit=Action.REFERRAL_DECLINE,
        done=_("Declined. The referral is back with the sender."),
        tell=Tell.SENDERS,
        asks=(
            Code(
                label=_("Why"),
                choices=Referral.DeclineReason,
                field="decline_reason",
                refusal=_("Choose why the referral is declined."),
            ),
            Note(label=_("More about the reason"), help=SAY_WHAT_OTHER_WAS),
        ),
        confirm=_("Decline this referral?"),
        consequence=_(
            "It goes back to the organisation that sent it. You cannot accept it afterwards."
        ),
        confirm_label=_("Yes, decline it"),
    ),
    "redirect": Step(
        label=_("Redirect to another service"),
        sources=_by(Side.RECEIVER, S.SENT, S.ACCEPTED),
        target=S.REDIRECTED,
        audit=Action.REFERRAL_REDIRECT,
        done=_("Redirected: the other service has it now."),
        tell=Tell.SENDERS,
        asks=(OnwardService(), Note(label=_("Why this service"))),
        confirm=_("Redirect to this service?"),
        consequence=_(
            "A new referral goes to it at once, with what the sender wrote, and this one ends "
            "here. You cannot take it back."
        ),
        confirm_label=_("Yes, redirect"),
    ),
    "start": Step(
        label=_("Start work"),
        sources=_by(Side.RECEIVER, S.ACCEPTED),
        target=S.IN_PROGRESS,
        audit=Action.REFERRAL_START,
        done=_("Marked as in progress."),
        tell=Tell.SENDERS,
    ),
    "complete": Step(
        label=_("Record the outcome"),
        sources=_by(Side.RECEIVER, S.ACCEPTED, S.IN_PROGRESS),
        target=S.COMPLETED,
        audit=Action.REFERRAL_COMPLETE,
        done=_("Outcome recorded. The sender has been told."),
        tell=Tell.SENDERS,
        asks=(
            Code(
                label=_("Outcome"),
                choices=Referral.Outcome,
                field="outcome",
                refusal=_("Choose the outcome."),
            ),
            Note(label=_("What was done"), help=SAY_WHAT_OTHER_WAS),
        ),
        leads_from=(S.ACCEPTED, S.IN_PROGRESS),
    ),
    "close": Step(
        label=_("Close"),
        # A referral being worked on is closed by the receiver (with a reason); a completed
        # one by the sender, who has seen the outcome: that closes the loop.
        sources={
            **_by(Side.RECEIVER, S.ACCEPTED, S.IN_PROGRESS),
            **_by(Side.SENDER, S.COMPLETED),
        },
        target=S.CLOSED,
        audit=Action.REFERRAL_CLOSE,
        done=_("Referral closed."),
        tell=Tell.BOTH,
        asks=(
            Code(
                label=_("Why"),
                choices=Referral.CloseReason,
                field="close_reason",
                refusal=_("Choose why the referral is closed."),
            ),
            Note(label=_("More about the reason"), help=SAY_WHAT_OTHER_WAS),
        ),
        leads_from=(S.COMPLETED,),
        confirm=_("Close this referral?"),
        consequence=_("Nobody can act on it after this, and it cannot be opened again."),
        confirm_label=_("Yes, close it"),
    ),
}


def may(actor: Membership, referral: Referral, name: str) -> bool:
    """May the actor take this step on the referral now?"""
    side = STEPS[name].sources.get(referral.status)
    return side is not None and on_side(actor, referral, side)


def allowed_steps(actor: Membership, referral: Referral) -> list[str]:
    """The steps the actor may take on the referral now, in the table's order (its buttons)."""
    return [name for name in STEPS if may(actor, referral, name)]


def leading_step(status: str, allowed: list[str]) -> str | None:
    """Of the steps allowed, the one obvious next step in this status (at most one), if any:
    the page shows it first, with the main button."""
    return next((name for name in allowed if status in STEPS[name].leads_from), None)
