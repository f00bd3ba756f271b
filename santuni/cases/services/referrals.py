"""Referrals: made from a case, then moved on step by step as the workflow table says.

Each operation runs in a transaction, locks the referral and checks the version the page
showed, lets only whom the table names take a step, writes the audit row and tells the other
side. Audit rows name fields and codes, never a person's details.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santuni.accounts.models import Membership, Role
from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.directory.models import Service
from santuni.lib.domain import Refusal, require, require_permission

from .. import deadlines, notify, workflow
from ..models import Case, Client, Referral, ReferralEvent, Urgency
from ..selectors import case_for, referral_for
from .refusals import FORM_USED, check_version
from .sharing import sharing_check

S = Referral.Status
# The step a referral takes when it is sent (as it is made, or onward after a redirect).
SEND = "send"
CASE_CLOSED = _("This case is closed. Open a new case to refer the person again.")
# The time a status is first reached, kept on the referral; and how long that took from sending.
STAMPS: dict[str, str] = {
    S.SENT: "sent_at",
    S.ACCEPTED: "acknowledged_at",
    S.DECLINED: "acknowledged_at",
    S.REDIRECTED: "acknowledged_at",
    S.COMPLETED: "completed_at",
    S.CLOSED: "closed_at",
    S.CANCELLED: "closed_at",
}
TOOK = {"acknowledged_at": "seconds_to_acknowledge", "completed_at": "seconds_to_complete"}


def _recipients(referral: Referral, tell: workflow.Tell) -> list[int]:
    if referral.mode == Referral.Mode.LOGGED:
        return []
    if tell == workflow.Tell.RECEIVERS:
        if referral.status == S.SENT and referral.case.urgency == Urgency.IMMEDIATE:
            # In immediate danger the district officers hear of every referral sent, at once.
            return [*notify.receivers(referral), *notify.district_officers(referral)]
        return notify.receivers(referral)
    if tell == workflow.Tell.SENDERS:
        return notify.senders(referral)
    return [*notify.receivers(referral), *notify.senders(referral)]


def _move(
    referral: Referral,
    *,
    actor: Membership | None,
    step: workflow.Step,
    target: str = "",
    reason: str = "",
    note: str = "",
    extra: dict | None = None,
) -> None:
    """Moves the referral to `target` (the step's own unless told): stamps the time, adds the
    event and the audit row, and tells whom the step says."""
    target = target or step.target
    before = referral.status
    now = timezone.now()
    referral.status = target
    stamp = STAMPS.get(target)
    if stamp and getattr(referral, stamp) is None:
        setattr(referral, stamp, now)
        if stamp in TOOK and referral.sent_at is not None:
            setattr(referral, TOOK[stamp], max(0, int((now - referral.sent_at).total_seconds())))
    referral.version += 1
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, actor=actor, status=target, reason=reason, note=note, at=now
    )
    trail.record(
        actor=actor,
        action=step.audit,
        obj=referral,
        changes={
            "status": [before, target],
            **({"reason": reason} if reason else {}),
            **(extra or {}),
        },
    )
    if before == S.DRAFT and not step.sends:
        return  # nobody else ever saw it
    notify.referral_event(
        referral,
        target,
        _recipients(referral, step.tell),
        exclude=actor.user_id if actor is not None else None,
    )


def _send(
    referral: Referral,
    *,
    actor: Membership,
    step: workflow.Step,
    consent_override: str,
    reason: str = "",
    note: str = "",
) -> None:
    """Puts the person's details before the receiving organisation, if the consent rule
    allows, and starts the target times."""
    extra = sharing_check(referral=referral, override=consent_override)
    target = step.target
    if referral.mode == Referral.Mode.LOGGED:
        # Nobody is asked to act: it starts at once and has no target times.
        target = step.logged_target or target
    else:
        _start_clock(referral)
    _move(referral, actor=actor, step=step, target=target, reason=reason, note=note, extra=extra)


def _start_clock(referral: Referral) -> None:
    referral.acknowledge_due, referral.complete_due = deadlines.due_times(
        referral.case.urgency, timezone.now(), referral.district.state_id
    )


def _new_referral(
    *,
    case: Case,
    service: Service,
    actor: Membership,
    mode: str,
    summary: str,
    **fields,
) -> Referral:
    # Numbered under the case's row lock: two referrals of one case at once wait in turn.
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True))
    number = case.referrals.count() + 1
    referral = Referral.objects.create(
        reference=f"{case.reference}-{number}",
        case=case,
        service=service,
        organization_id=service.organization_id,
        district_id=case.district_id,
        state_id=case.state_id,
        urgency=case.urgency,
        category=case.category,
        mode=mode,
        summary=summary,
        created_by=actor,
        **fields,
    )
    ReferralEvent.objects.create(referral=referral, actor=actor, status=S.DRAFT)
    trail.record(
        actor=actor,
        action=Action.REFERRAL_CREATED,
        obj=referral,
        changes={"case": case.reference, "service": service.pk, "mode": mode},
    )
    return referral


def _available_service(service_id) -> Service:
    service = Service.objects.filter(pk=service_id).select_related("organization").first()
    if service is None or not service.is_available:
        raise Refusal(_("This service is not available. Choose another one."))
    return service


def referral_create(
    *,
    actor: Membership,
    case_id,
    service_id,
    mode: str,
    summary: str,
    send: bool,
    consent_override: str = "",
    submission_key: uuid.UUID | None = None,
) -> Referral:
    """A new referral of the case: a draft, or sent at once (CBO members make drafts only)."""
    try:
        return _referral_create(
            actor=actor,
            case_id=case_id,
            service_id=service_id,
            mode=mode,
            summary=summary,
            send=send,
            consent_override=consent_override,
            submission_key=submission_key,
        )
    except IntegrityError:
        earlier = Referral.objects.filter(submission_key=submission_key, case=case_id).first()
        if submission_key is None:
            raise
        if earlier is None:
            raise Refusal(FORM_USED) from None
        return earlier


@transaction.atomic
def _referral_create(
    *,
    actor: Membership,
    case_id,
    service_id,
    mode: str,
    summary: str,
    send: bool,
    consent_override: str,
    submission_key: uuid.UUID | None,
) -> Referral:
    case = case_for(actor, case_id, lock=True)
    require_permission(actor.role in (Role.CBO_HEAD, Role.CBO_MEMBER, Role.DISTRICT_OFFICER))
    if submission_key is not None:
        earlier = case.referrals.filter(submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    require(case.status == Case.Status.OPEN, CASE_CLOSED)
    require_permission(not send or actor.role != Role.CBO_MEMBER)
    referral = _new_referral(
        case=case,
        service=_available_service(service_id),
        actor=actor,
        mode=mode,
        summary=summary,
        submission_key=submission_key,
    )
    if send:
        _send(referral, actor=actor, step=workflow.STEPS[SEND], consent_override=consent_override)
    return referral


def referral_step(
    *,
    actor: Membership,
    referral_id,
    step: str,
    version: int | None,
    note: str = "",
    code: str = "",
    service_id=None,
    consent_override: str = "",
) -> Referral:
    """Takes a step of workflow.STEPS on the referral, with what its form asks; returns the
    referral the person follows from here (after a redirect, the new one)."""
    taken = workflow.STEPS[step]
    kept = taken.asked(workflow.Code)
    if kept is not None:
        # Only a code from the step's fixed list: reports count them.
        require(code in kept.choices.values, kept.refusal)
    with transaction.atomic():
        referral = referral_for(actor, referral_id, lock=True)
        check_version(referral, version)
        if not workflow.may(actor, referral, step):
            require(
                referral.status in taken.sources,
                taken.too_late % {"status": referral.get_status_display()},
            )
            raise PermissionDenied
        if kept is not None:
            setattr(referral, kept.field, code)
        if taken.sends:
            require(referral.case.status == Case.Status.OPEN, CASE_CLOSED)
            _send(
                referral,
                actor=actor,
                step=taken,
                consent_override=consent_override,
                reason=code,
                note=note,
            )
            return referral
        if taken.asked(workflow.OnwardService) is not None:
            return _pass_on(
                referral, actor=actor, step=taken, service_id=service_id, reason=code, note=note
            )
        _move(referral, actor=actor, step=taken, reason=code, note=note)
        return referral


def _pass_on(
    referral: Referral,
    *,
    actor: Membership,
    step: workflow.Step,
    service_id,
    reason: str,
    note: str,
) -> Referral:
    """The receiver passes the referral on to a better service: a new referral of the same
    case, sent at once, that the sender sees on it. The person's consent (or the reason to go
    without it) was given for the first one and goes with it."""
    service = _available_service(service_id)
    require(service.pk != referral.service_id, _("Choose a service other than this one."))
    onward = _new_referral(
        case=referral.case,
        service=service,
        actor=actor,
        mode=Referral.Mode.LIVE,
        summary=referral.summary,
        redirected_from=referral,
        consent_override=referral.consent_override,
    )
    _move(
        referral,
        actor=actor,
        step=step,
        reason=reason,
        note=note,
        extra={"to": onward.reference},
    )
    _start_clock(onward)
    extra: dict[str, object] = {"redirected_from": str(referral.pk)}
    if onward.consent_override:
        extra["consent_overridden"] = True
    _move(onward, actor=actor, step=workflow.STEPS[SEND], extra=extra)
    return onward


def referral_send(
    *, actor: Membership, referral_id, version: int | None, consent_override: str = ""
) -> Referral:
    return referral_step(
        actor=actor,
        referral_id=referral_id,
        step="send",
        version=version,
        consent_override=consent_override,
    )


def referral_cancel(
    *, actor: Membership, referral_id, version: int | None, note: str = ""
) -> Referral:
    return referral_step(
        actor=actor, referral_id=referral_id, step="cancel", version=version, note=note
    )


def referral_accept(
    *, actor: Membership, referral_id, version: int | None, note: str = ""
) -> Referral:
    return referral_step(
        actor=actor, referral_id=referral_id, step="accept", version=version, note=note
    )


def referral_decline(
    *, actor: Membership, referral_id, version: int | None, reason: str, note: str = ""
) -> Referral:
    return referral_step(
        actor=actor,
        referral_id=referral_id,
        step="decline",
        version=version,
        code=reason,
        note=note,
    )


def referral_redirect(
    *, actor: Membership, referral_id, version: int | None, service_id, note: str = ""
) -> Referral:
    """The receiver passes the referral on to another service; returns the new referral."""
    return referral_step(
        actor=actor,
        referral_id=referral_id,
        step="redirect",
        version=version,
        service_id=service_id,
        note=note,
    )


def referral_start(
    *, actor: Membership, referral_id, version: int | None, note: str = ""
) -> Referral:
    return referral_step(
        actor=actor, referral_id=referral_id, step="start", version=version, note=note
    )


def referral_complete(
    *, actor: Membership, referral_id, version: int | None, outcome: str, note: str = ""
) -> Referral:
    return referral_step(
        actor=actor,
        referral_id=referral_id,
        step="complete",
        version=version,
        code=outcome,
        note=note,
    )


def referral_close(
    *, actor: Membership, referral_id, version: int | None, reason: str, note: str = ""
) -> Referral:
    return referral_step(
        actor=actor,
        referral_id=referral_id,
        step="close",
        version=version,
        code=reason,
        note=note,
    )


def referrals_stop(*, actor: Membership, client: Client) -> None:
    """The person withdrew their consent: the referrals not yet taken up are cancelled, those
    taken up closed (the person withdrew). Runs inside cases.consent_withdraw, which has
    checked who may."""
    cancel, close = workflow.STEPS["cancel"], workflow.STEPS["close"]
    for referral in Referral.objects.select_for_update().filter(case__client=client):
        if referral.status in cancel.sources:
            _move(referral, actor=actor, step=cancel)
        elif referral.status in close.sources:
            referral.close_reason = Referral.CloseReason.CLIENT_WITHDREW
            _move(referral, actor=actor, step=close, reason=referral.close_reason)
