"""Domain operations on clients, cases and referrals (DESIGN.md, Referral life cycle).

Each one runs in a transaction, checks the actor's role and scope, writes the audit row and
notifies the other side. Audit rows name fields and codes, never a person's details.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santuni.accounts.models import Membership, Role
from santuni.audit import trail
from santuni.directory.models import CboProfile, Service, TaxonomyTerm
from santuni.geo.models import Mukim
from santuni.lib import crypto

from . import deadlines, mykad, notify
from .models import (
    Attachment,
    Case,
    CaseNote,
    Client,
    Consent,
    Referral,
    ReferralEvent,
    Urgency,
)
from .selectors import case_for, referral_for

S = Referral.Status


class CaseError(Exception):
    """A request the rules refuse; the message says why, in the reader's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class StaleVersion(CaseError):
    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this in the meantime (or the button was tapped twice). "
                "Here is the latest; check it and try again if still needed."
            )
        )


FORM_USED = _("This form was already used for something else. Open it again and retry.")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_version(obj, version: int | None) -> None:
    if version is not None and obj.version != version:
        raise StaleVersion


# --- clients and cases ------------------------------------------------------------------


@dataclass(frozen=True)
class ClientDetails:
    name: str
    sex: str
    mykad: str = ""
    phone: str = ""
    address: str = ""
    mukim: Mukim | None = None
    date_of_birth: date | None = None
    age: int | None = None
    household_size: int | None = None
    household: str = ""
    target_groups: list[TaxonomyTerm] = field(default_factory=list)
    oku_card: str = ""


@dataclass(frozen=True)
class ConsentDetails:
    method: str
    purposes: list[str]
    given_by: str = ""
    relationship: str = ""


@dataclass(frozen=True)
class CaseCreated:
    case: Case
    # Another client in the district has the same MyKad number (not said which, or where).
    possible_duplicate: bool
    created: bool = True


def _filled(details) -> list[str]:
    return sorted(name for name, value in vars(details).items() if value not in ("", None, []))


def case_create(
    *,
    actor: Membership,
    client: ClientDetails,
    consent: ConsentDetails,
    category: str,
    urgency: str,
    situation: str,
    submission_key: uuid.UUID | None = None,
) -> CaseCreated:
    _require(actor.role in (Role.CBO_HEAD, Role.CBO_MEMBER))
    if submission_key is not None:
        earlier = Case.objects.filter(
            submission_key=submission_key, organization=actor.organization_id
        ).first()
        if earlier is not None:
            return CaseCreated(earlier, possible_duplicate=False, created=False)
    if Consent.Purpose.RECORD not in consent.purposes and urgency != Urgency.IMMEDIATE:
        raise CaseError(
            _(
                "Without the person's consent to keep a record, a case can be recorded only in "
                "immediate danger."
            )
        )
    try:
        return _case_create(actor, client, consent, category, urgency, situation, submission_key)
    except IntegrityError:
        # The same form sent twice at once: the other request made the case.
        earlier = Case.objects.filter(
            submission_key=submission_key, organization=actor.organization_id
        ).first()
        if submission_key is None:
            raise
        if earlier is None:
            raise CaseError(FORM_USED) from None
        return CaseCreated(earlier, possible_duplicate=False, created=False)


@transaction.atomic
def _case_create(actor, client, consent, category, urgency, situation, submission_key):
    district_id = (
        actor.district_id or CboProfile.objects.get(organization=actor.organization_id).district_id
    )
    # The same number however it was typed (with or without dashes) matches.
    number = mykad.compact(client.mykad)
    mykad_hash = crypto.keyed_hash(number) if number else ""
    duplicate = bool(mykad_hash) and (
        Client.objects.filter(
            district=district_id, mykad_hash=mykad_hash, anonymised_at__isnull=True
        ).exists()
    )
    person = Client.objects.create(
        organization_id=actor.organization_id,
        district_id=district_id,
        mukim=client.mukim,
        name=client.name,
        mykad=number,
        mykad_hash=mykad_hash,
        phone=client.phone,
        address=client.address,
        date_of_birth=client.date_of_birth,
        age=client.age,
        sex=client.sex,
        household_size=client.household_size,
        household=client.household,
        oku_card=client.oku_card,
        created_by=actor,
    )
    person.target_groups.set(client.target_groups)
    Consent.objects.create(
        client=person,
        given_by=consent.given_by or client.name,
        relationship=consent.relationship,
        method=consent.method,
        purposes=list(consent.purposes),
        recorded_by=actor,
    )
    case = Case.objects.create(
        client=person,
        organization_id=actor.organization_id,
        district_id=district_id,
        category=category,
        urgency=urgency,
        situation=situation,
        opened_by=actor,
        submission_key=submission_key,
    )
    trail.record(
        actor=actor,
        action="case.created",
        obj=case,
        changes={
            "category": category,
            "urgency": urgency,
            "client_fields": _filled(client),
            "consent": sorted(consent.purposes),
            "possible_duplicate": duplicate,
        },
    )
    return CaseCreated(case, possible_duplicate=duplicate)


def _refuse_if_anonymised(case: Case) -> None:
    """Once the person's details are removed, nothing new about them may be added."""
    if case.client.anonymised_at is not None:
        raise CaseError(_("The person withdrew their consent: nothing more can be added."))


@transaction.atomic
def case_note_add(
    *, actor: Membership, case_id, text: str, submission_key: uuid.UUID | None = None
) -> CaseNote:
    case = case_for(actor, case_id, lock=True)
    _refuse_if_anonymised(case)
    if submission_key is not None:
        earlier = CaseNote.objects.filter(case=case, submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    note = CaseNote.objects.create(
        case=case, text=text, author=actor, submission_key=submission_key
    )
    trail.record(actor=actor, action="case.note_added", obj=case, changes={"note": note.pk})
    return note


ATTACHMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# What each type's files start with: the browser's word for the type is not trusted.
SIGNATURES = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}


def _starts_as(upload: UploadedFile, content_type: str) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return head.startswith(SIGNATURES[content_type])


@transaction.atomic
def attachment_add(*, actor: Membership, case_id, upload: UploadedFile) -> Attachment:
    case = case_for(actor, case_id, lock=True)
    _refuse_if_anonymised(case)
    if upload.size > settings.SANTUNI["ATTACHMENT_MAX_BYTES"]:
        raise CaseError(_("The file is too large: at most 5 MB."))
    if upload.content_type not in ATTACHMENT_TYPES or not _starts_as(upload, upload.content_type):
        raise CaseError(_("Attach a PDF, JPEG or PNG file."))
    attachment = Attachment.objects.create(
        case=case,
        file=upload,
        name=upload.name[:200],
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    trail.record(
        actor=actor,
        action="case.attachment_added",
        obj=case,
        changes={"attachment": attachment.pk, "size": attachment.size},
    )
    return attachment


def client_record_view(*, actor: Membership, case: Case, what: str = "case") -> None:
    """Every look at a person's record leaves a row in the audit trail."""
    with transaction.atomic():
        trail.record(
            actor=actor,
            action="client.viewed",
            obj=case.client,
            changes={"through": what, "case": case.reference},
        )


@transaction.atomic
def case_close(*, actor: Membership, case_id, version: int | None) -> Case:
    case = case_for(actor, case_id, lock=True)
    _require(actor.role in (Role.CBO_HEAD, Role.DISTRICT_OFFICER))
    _check_version(case, version)
    if case.status == Case.Status.CLOSED:
        raise CaseError(_("This case is already closed."))
    if case.referrals.filter(status__in=(S.DRAFT, *Referral.OPEN)).exists():
        raise CaseError(
            _("This case still has referrals that are not finished. Cancel or close them first.")
        )
    _close(case, actor, timezone.now())
    return case


def _close(case: Case, actor: Membership, now: datetime) -> None:
    case.status = Case.Status.CLOSED
    case.closed_at = now
    case.version += 1
    case.save(update_fields=["status", "closed_at", "version"])
    trail.record(
        actor=actor, action="case.closed", obj=case, changes={"status": ["open", "closed"]}
    )


def _client_data(client: Client) -> dict[str, Any]:
    cases = client.cases.prefetch_related("notes", "attachments", "referrals__events")
    return {
        "client": {
            "name": client.name,
            "mykad": client.mykad,
            "phone": client.phone,
            "address": client.address,
            "district": client.district.name,
            "mukim": client.mukim.name if client.mukim_id else "",
            "date_of_birth": client.date_of_birth,
            "age": client.age,
            "sex": client.sex,
            "household_size": client.household_size,
            "household": client.household,
            "target_groups": [t.name for t in client.target_groups.all()],
            "oku_card": client.oku_card,
            "recorded": client.created_at,
        },
        "consents": [
            {
                "given_by": c.given_by,
                "relationship": c.relationship,
                "method": c.method,
                "purposes": c.purposes,
                "given": c.given_at,
                "withdrawn": c.withdrawn_at,
            }
            for c in client.consents.all()
        ],
        "cases": [
            {
                "reference": case.reference,
                "category": case.category,
                "urgency": case.urgency,
                "situation": case.situation,
                "status": case.status,
                "opened": case.opened_at,
                "closed": case.closed_at,
                "notes": [{"at": n.at, "text": n.text} for n in case.notes.all()],
                "attachments": [a.name for a in case.attachments.all()],
                "referrals": [
                    {
                        "reference": r.reference,
                        "service": r.service.name,
                        "status": r.status,
                        "summary": r.summary,
                        "outcome": r.outcome,
                        "events": [
                            {"at": e.at, "status": e.status, "reason": e.reason, "note": e.note}
                            for e in r.events.all()
                        ],
                    }
                    for r in case.referrals.select_related("service")
                ],
            }
            for case in cases
        ],
    }


@transaction.atomic
def client_export(*, actor: Membership, case_id) -> dict[str, Any]:
    """All Santuni holds about the person, for them to take (PDPA portability)."""
    case = case_for(actor, case_id)
    _require(actor.role == Role.CBO_HEAD)
    data = _client_data(case.client)
    trail.record(actor=actor, action="client.exported", obj=case.client, changes={})
    return data


@transaction.atomic
def consent_withdraw(*, actor: Membership, case_id) -> None:
    """The person takes back their consent: open referrals stop, the record is anonymised."""
    case = case_for(actor, case_id, lock=True)
    _require(actor.role in (Role.CBO_HEAD, Role.DISTRICT_OFFICER))
    client = case.client
    if client.anonymised_at:
        raise CaseError(_("This record is already anonymised."))
    now = timezone.now()
    client.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    for referral in Referral.objects.select_for_update().filter(case__client=client):
        if referral.status in (S.DRAFT, S.SENT):
            _move(referral, actor, "cancel", S.CANCELLED, note="")
        elif referral.status in (S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED):
            referral.close_reason = Referral.CloseReason.CLIENT_WITHDREW
            _move(referral, actor, "close", S.CLOSED, reason=referral.close_reason)
    for open_case in Case.objects.select_for_update().filter(
        client=client, status=Case.Status.OPEN
    ):
        _close(open_case, actor, now)
    _anonymise(client, now)
    trail.record(actor=actor, action="client.consent_withdrawn", obj=client, changes={})


def _anonymise(client: Client, now: datetime) -> None:
    """Empties every field that says who the person is; keeps what statistics count."""
    today = timezone.localdate(now)
    Client.objects.filter(pk=client.pk).update(
        name="",
        mykad="",
        mykad_hash="",
        phone="",
        address="",
        date_of_birth=None,
        age=client.age_on(today),
        # A mukim and a household size can point to one family; the district is kept.
        mukim=None,
        household_size=None,
        household="",
        oku_card="",
        anonymised_at=now,
    )
    client.consents.update(given_by="", relationship="")
    cases = Case.objects.filter(client=client)
    cases.update(situation="")
    CaseNote.objects.filter(case__in=cases).delete()
    referrals = Referral.objects.filter(case__in=cases)
    referrals.update(summary="", consent_override="")
    ReferralEvent.objects.filter(referral__in=referrals).update(note="")
    attachments = list(Attachment.objects.filter(case__in=cases))
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    transaction.on_commit(lambda: [a.file.delete(save=False) for a in attachments])


def clients_anonymise_expired(*, now: datetime | None = None) -> int:
    """Anonymises the people whose cases all closed more than the retention period ago."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.SANTUNI["CASE_RETENTION_DAYS"])
    expired = (
        Client.objects.filter(anonymised_at__isnull=True)
        .exclude(cases__status=Case.Status.OPEN)
        .annotate(last_closed=Max("cases__closed_at"))
        .filter(last_closed__lt=limit)
    )
    count = 0
    for client_id in expired.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            client = Client.objects.select_for_update().get(pk=client_id)
            _anonymise(client, now)
            trail.record(actor=None, action="client.anonymised", obj=client, changes={})
        count += 1
    return count


# --- referrals --------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    # Who may: "sender" (the CBO, or the district officer) or "receiver".
    side: str
    # Who hears of it.
    tell: str


TRANSITIONS = {
    "send": Transition((S.DRAFT,), S.SENT, "sender", "receivers"),
    "cancel": Transition((S.DRAFT, S.SENT), S.CANCELLED, "sender", "receivers"),
    "accept": Transition((S.SENT,), S.ACCEPTED, "receiver", "senders"),
    "decline": Transition((S.SENT,), S.DECLINED, "receiver", "senders"),
    "redirect": Transition((S.SENT, S.ACCEPTED), S.REDIRECTED, "receiver", "senders"),
    "start": Transition((S.ACCEPTED,), S.IN_PROGRESS, "receiver", "senders"),
    "complete": Transition((S.ACCEPTED, S.IN_PROGRESS), S.COMPLETED, "receiver", "senders"),
    # A referral being worked on is closed by the receiver (with a reason); a completed one by
    # the sender, who has seen the outcome: that closes the loop.
    "close": Transition((S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED), S.CLOSED, "either", "both"),
}


def allowed_actions(actor: Membership, referral: Referral) -> list[str]:
    """The transitions this actor may make on the referral now (for the buttons)."""
    return [name for name in TRANSITIONS if _may(actor, referral, name)]


def _may(actor: Membership, referral: Referral, action: str) -> bool:
    transition = TRANSITIONS[action]
    if referral.status not in transition.sources:
        return False
    if action == "close":
        if referral.status == S.COMPLETED:
            return _is_sender(actor, referral)
        return _is_receiver(actor, referral)
    if action == "send" and actor.role == Role.CBO_MEMBER:
        return False
    if transition.side == "sender":
        return _is_sender(actor, referral)
    return _is_receiver(actor, referral)


def _recipients(referral: Referral, tell: str) -> list[int]:
    if referral.mode == Referral.Mode.LOGGED:
        return []
    if tell == "receivers":
        if referral.status == S.SENT and referral.case.urgency == Urgency.IMMEDIATE:
            # In immediate danger the district officers hear of every referral sent, at once.
            return [*notify.receivers(referral), *notify.district_officers(referral)]
        return notify.receivers(referral)
    if tell == "senders":
        return notify.senders(referral)
    return [*notify.receivers(referral), *notify.senders(referral)]


def _move(
    referral: Referral,
    actor: Membership | None,
    action: str,
    target: str,
    *,
    reason: str = "",
    note: str = "",
    extra: dict | None = None,
) -> None:
    before = referral.status
    now = timezone.now()
    referral.status = target
    stamp = {
        S.SENT: "sent_at",
        S.ACCEPTED: "acknowledged_at",
        S.DECLINED: "acknowledged_at",
        S.REDIRECTED: "acknowledged_at",
        S.COMPLETED: "completed_at",
        S.CLOSED: "closed_at",
        S.CANCELLED: "closed_at",
    }.get(target)
    if stamp and getattr(referral, stamp) is None:
        setattr(referral, stamp, now)
        took = {"acknowledged_at": "seconds_to_acknowledge", "completed_at": "seconds_to_complete"}
        if stamp in took and referral.sent_at is not None:
            setattr(referral, took[stamp], max(0, int((now - referral.sent_at).total_seconds())))
    referral.version += 1
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, actor=actor, status=target, reason=reason, note=note, at=now
    )
    trail.record(
        actor=actor,
        action=f"referral.{action}",
        obj=referral,
        changes={
            "status": [before, target],
            **({"reason": reason} if reason else {}),
            **(extra or {}),
        },
    )
    tell = TRANSITIONS[action].tell if action in TRANSITIONS else "both"
    if before == S.DRAFT and action == "cancel":
        return  # nobody else ever saw it
    notify.referral_event(
        referral, target, _recipients(referral, tell), exclude=actor and actor.user_id
    )


def _consent_check(actor: Membership, referral: Referral, override: str) -> dict:
    """A live referral shares the person's details: it needs their consent, or (only in
    immediate danger) a reason to go without it, which the audit trail keeps."""
    if referral.mode == Referral.Mode.LOGGED:
        return {}
    consent = referral.case.client.consents.filter(withdrawn_at__isnull=True).first()
    if consent is not None and consent.allows(Consent.Purpose.SHARE):
        return {}
    if referral.case.urgency != Urgency.IMMEDIATE:
        raise CaseError(
            _(
                "The person has not agreed to share their details with other organisations. "
                "Ask for their consent first, or record the referral as one they make themselves."
            )
        )
    if not override.strip():
        raise CaseError(
            _(
                "The person has not agreed to share their details. In immediate danger you may "
                "refer without consent: write why."
            )
        )
    referral.consent_override = override.strip()
    return {"consent_overridden": True}


def _send(referral: Referral, actor: Membership, override: str) -> None:
    extra = _consent_check(actor, referral, override)
    now = timezone.now()
    if referral.mode == Referral.Mode.LOGGED:
        # Nobody is asked to act: it starts at once and has no target times.
        _move(referral, actor, "send", S.IN_PROGRESS, extra=extra)
        return
    referral.acknowledge_due, referral.complete_due = deadlines.due_times(
        referral.case.urgency, now, referral.district.state_id
    )
    _move(referral, actor, "send", S.SENT, extra=extra)


def _new_referral(
    case: Case, service: Service, actor: Membership, mode: str, summary: str, **fields
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
        action="referral.created",
        obj=referral,
        changes={"case": case.reference, "service": service.pk, "mode": mode},
    )
    return referral


def _service(service_id) -> Service:
    service = Service.objects.filter(pk=service_id).select_related("organization").first()
    if service is None or not service.is_available:
        raise CaseError(_("This service is not available. Choose another one."))
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
            actor, case_id, service_id, mode, summary, send, consent_override, submission_key
        )
    except IntegrityError:
        earlier = Referral.objects.filter(submission_key=submission_key, case=case_id).first()
        if submission_key is None:
            raise
        if earlier is None:
            raise CaseError(FORM_USED) from None
        return earlier


@transaction.atomic
def _referral_create(actor, case_id, service_id, mode, summary, send, override, submission_key):
    case = case_for(actor, case_id, lock=True)
    _require(actor.role in (Role.CBO_HEAD, Role.CBO_MEMBER, Role.DISTRICT_OFFICER))
    if submission_key is not None:
        earlier = case.referrals.filter(submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    if case.status != Case.Status.OPEN:
        raise CaseError(_("This case is closed. Open a new case to refer the person again."))
    if send and actor.role == Role.CBO_MEMBER:
        raise PermissionDenied
    referral = _new_referral(
        case, _service(service_id), actor, mode, summary, submission_key=submission_key
    )
    if send:
        _send(referral, actor, override)
    return referral


def _transition(
    action: str,
    *,
    actor: Membership,
    referral_id,
    version: int | None,
    then: Callable[[Referral], dict | None] | None = None,
    reason: str = "",
    note: str = "",
) -> Referral:
    with transaction.atomic():
        referral = referral_for(actor, referral_id, lock=True)
        _check_version(referral, version)
        if not _may(actor, referral, action):
            if referral.status not in TRANSITIONS[action].sources:
                raise CaseError(
                    _("This referral's status is now: %(status)s. That step is no longer possible.")
                    % {"status": referral.get_status_display()}
                )
            raise PermissionDenied
        extra = then(referral) if then else None
        _move(
            referral,
            actor,
            action,
            TRANSITIONS[action].target,
            reason=reason,
            note=note,
            extra=extra,
        )
        return referral


def referral_send(*, actor: Membership, referral_id, version: int | None, consent_override=""):
    with transaction.atomic():
        referral = referral_for(actor, referral_id, lock=True)
        _check_version(referral, version)
        if not _may(actor, referral, "send"):
            if referral.status != S.DRAFT:
                raise CaseError(_("This referral was already sent."))
            raise PermissionDenied
        if referral.case.status != Case.Status.OPEN:
            raise CaseError(_("This case is closed. Open a new case to refer the person again."))
        _send(referral, actor, consent_override)
        return referral


def referral_cancel(*, actor: Membership, referral_id, version: int | None, note: str = ""):
    return _transition("cancel", actor=actor, referral_id=referral_id, version=version, note=note)


def referral_accept(*, actor: Membership, referral_id, version: int | None, note: str = ""):
    return _transition("accept", actor=actor, referral_id=referral_id, version=version, note=note)


def referral_start(*, actor: Membership, referral_id, version: int | None, note: str = ""):
    return _transition("start", actor=actor, referral_id=referral_id, version=version, note=note)


def _with_reason(action: str, field: str, choices, refusal, **common) -> Referral:
    """A step that needs a code from a fixed list (reports count them), kept on the referral."""
    code = common.pop("code")
    if code not in choices.values:
        raise CaseError(refusal)

    def record(referral):
        setattr(referral, field, code)

    return _transition(action, then=record, reason=code, **common)


def referral_decline(
    *, actor: Membership, referral_id, version: int | None, reason: str, note: str = ""
):
    return _with_reason(
        "decline",
        "decline_reason",
        Referral.DeclineReason,
        _("Choose why the referral is declined."),
        actor=actor,
        referral_id=referral_id,
        version=version,
        code=reason,
        note=note,
    )


def referral_complete(
    *, actor: Membership, referral_id, version: int | None, outcome: str, note: str = ""
):
    return _with_reason(
        "complete",
        "outcome",
        Referral.Outcome,
        _("Choose the outcome."),
        actor=actor,
        referral_id=referral_id,
        version=version,
        code=outcome,
        note=note,
    )


def referral_close(
    *, actor: Membership, referral_id, version: int | None, reason: str, note: str = ""
):
    return _with_reason(
        "close",
        "close_reason",
        Referral.CloseReason,
        _("Choose why the referral is closed."),
        actor=actor,
        referral_id=referral_id,
        version=version,
        code=reason,
        note=note,
    )


def referral_redirect(
    *, actor: Membership, referral_id, version: int | None, service_id, note: str = ""
) -> Referral:
    """The receiver passes the referral on to a better service: a new referral, sent at once,
    that the sender sees on the same case."""
    made: list[Referral] = []

    def record(referral):
        service = _service(service_id)
        if service.pk == referral.service_id:
            raise CaseError(_("Choose a service other than this one."))
        onward = _new_referral(
            referral.case,
            service,
            actor,
            Referral.Mode.LIVE,
            referral.summary,
            redirected_from=referral,
            consent_override=referral.consent_override,
        )
        made.append(onward)
        return {"to": onward.reference}

    with transaction.atomic():
        _transition(
            "redirect",
            actor=actor,
            referral_id=referral_id,
            version=version,
            then=record,
            note=note,
        )
        onward = made[0]
        now = timezone.now()
        onward.acknowledge_due, onward.complete_due = deadlines.due_times(
            onward.case.urgency, now, onward.district.state_id
        )
        extra = {"redirected_from": str(referral_id)}
        if onward.consent_override:
            extra["consent_overridden"] = True
        _move(onward, actor, "send", S.SENT, extra=extra)
        return onward


def referrals_escalate(*, now: datetime | None = None) -> dict[str, int]:
    """Marks referrals past a target time, once each, and tells the district officers and the
    receiving organisation (the periodic job: `manage.py check_referral_deadlines`)."""
    now = now or timezone.now()
    counts = {"acknowledge": 0, "complete": 0}
    checks = {
        "acknowledge": Q(status=S.SENT, acknowledge_due__lt=now, acknowledge_escalated_at=None),
        "complete": Q(
            status__in=(S.ACCEPTED, S.IN_PROGRESS),
            complete_due__lt=now,
            complete_escalated_at=None,
        ),
    }
    for kind, late in checks.items():
        ids = list(
            Referral.objects.filter(late, mode=Referral.Mode.LIVE).values_list("pk", flat=True)
        )
        for referral_id in ids:
            with transaction.atomic():
                referral = (
                    Referral.objects.select_for_update(of=("self",))
                    .select_related("case")
                    .filter(late, pk=referral_id)
                    .first()
                )
                if referral is None:
                    continue  # answered meanwhile
                setattr(referral, f"{kind}_escalated_at", now)
                referral.save(update_fields=[f"{kind}_escalated_at"])
                ReferralEvent.objects.create(
                    referral=referral, status=referral.status, escalation=kind, at=now
                )
                trail.record(actor=None, action=f"referral.overdue_{kind}", obj=referral)
                notify.referral_event(
                    referral,
                    kind,
                    [*notify.district_officers(referral), *notify.receivers(referral)],
                )
            counts[kind] += 1
    return counts
