"""People helped, their cases, notes and attachments, consent and its withdrawal, the record
they may take with them, and anonymising it (DESIGN.md, Personal data).

Each operation runs in a transaction, checks the actor's role and scope and writes the audit
row. Audit rows name fields and codes, never a person's details.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santuni.accounts.models import Membership, Role
from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.directory.models import CboProfile, TaxonomyTerm
from santuni.geo.models import Mukim
from santuni.lib import crypto
from santuni.lib.domain import Refusal, require, require_permission

from .. import mykad
from ..models import (
    Attachment,
    Case,
    CaseNote,
    Client,
    Consent,
    Referral,
    ReferralEvent,
    Urgency,
)
from ..selectors import CASE_ROLES, case_for
from .referrals import referrals_stop
from .refusals import FORM_USED, check_version

S = Referral.Status


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
    require_permission(actor.role in (Role.CBO_HEAD, Role.CBO_MEMBER))
    if submission_key is not None:
        earlier = Case.objects.filter(
            submission_key=submission_key, organization=actor.organization_id
        ).first()
        if earlier is not None:
            return CaseCreated(earlier, possible_duplicate=False, created=False)
    require(
        Consent.Purpose.RECORD in consent.purposes or urgency == Urgency.IMMEDIATE,
        _(
            "Without the person's consent to keep a record, a case can be recorded only in "
            "immediate danger."
        ),
    )
    try:
        return _case_create(
            actor=actor,
            client=client,
            consent=consent,
            category=category,
            urgency=urgency,
            situation=situation,
            submission_key=submission_key,
        )
    except IntegrityError:
        # The same form sent twice at once: the other request made the case.
        earlier = Case.objects.filter(
            submission_key=submission_key, organization=actor.organization_id
        ).first()
        if submission_key is None:
            raise
        if earlier is None:
            raise Refusal(FORM_USED) from None
        return CaseCreated(earlier, possible_duplicate=False, created=False)


@transaction.atomic
def _case_create(
    *,
    actor: Membership,
    client: ClientDetails,
    consent: ConsentDetails,
    category: str,
    urgency: str,
    situation: str,
    submission_key: uuid.UUID | None,
) -> CaseCreated:
    # A CBO head or member acts for their CBO (case_create let no other role in).
    organization_id = cast(uuid.UUID, actor.organization_id)
    district = (
        actor.district
        or CboProfile.objects.select_related("district").get(organization=organization_id).district
    )
    district_id, state_id = district.pk, district.state_id
    # The same number however it was typed (with or without dashes) matches.
    number = mykad.compact(client.mykad)
    mykad_hash = crypto.keyed_hash(number) if number else ""
    duplicate = bool(mykad_hash) and (
        Client.objects.filter(
            district=district_id, mykad_hash=mykad_hash, anonymised_at__isnull=True
        ).exists()
    )
    person = Client.objects.create(
        organization_id=organization_id,
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
        organization_id=organization_id,
        district_id=district_id,
        state_id=state_id,
        category=category,
        urgency=urgency,
        situation=situation,
        opened_by=actor,
        submission_key=submission_key,
    )
    trail.record(
        actor=actor,
        action=Action.CASE_CREATED,
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
    require(
        case.client.anonymised_at is None,
        _("The person withdrew their consent: nothing more can be added."),
    )


@transaction.atomic
def case_note_add(
    *, actor: Membership, case_id, text: str, submission_key: uuid.UUID | None = None
) -> CaseNote:
    case = case_for(actor, case_id, lock=True)
    # A state officer reads the case; the CBO and the district officer write in it.
    require_permission(actor.role in CASE_ROLES)
    _refuse_if_anonymised(case)
    if submission_key is not None:
        earlier = CaseNote.objects.filter(case=case, submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    note = CaseNote.objects.create(
        case=case, text=text, author=actor, submission_key=submission_key
    )
    trail.record(actor=actor, action=Action.CASE_NOTE_ADDED, obj=case, changes={"note": note.pk})
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
    require_permission(actor.role in CASE_ROLES)
    _refuse_if_anonymised(case)
    size, content_type = upload.size, upload.content_type
    if size is None or size > settings.SANTUNI["ATTACHMENT_MAX_BYTES"]:
        raise Refusal(_("The file is too large: at most 5 MB."))
    if content_type not in ATTACHMENT_TYPES or not _starts_as(upload, content_type):
        raise Refusal(_("Attach a PDF, JPEG or PNG file."))
    attachment = Attachment.objects.create(
        case=case,
        file=upload,
        # The form's file field refuses a file without a name.
        name=(upload.name or "")[:200],
        content_type=content_type,
        size=size,
        uploaded_by=actor,
    )
    trail.record(
        actor=actor,
        action=Action.CASE_ATTACHMENT_ADDED,
        obj=case,
        changes={"attachment": attachment.pk, "size": attachment.size},
    )
    return attachment


def client_record_view(*, actor: Membership, case: Case, what: str = "case") -> None:
    """Every look at a person's record leaves a row in the audit trail."""
    with transaction.atomic():
        trail.record(
            actor=actor,
            action=Action.CLIENT_VIEWED,
            obj=case.client,
            changes={"through": what, "case": case.reference},
        )


@transaction.atomic
def case_close(*, actor: Membership, case_id, version: int | None) -> Case:
    case = case_for(actor, case_id, lock=True)
    require_permission(actor.role in (Role.CBO_HEAD, Role.DISTRICT_OFFICER))
    check_version(case, version)
    require(case.status != Case.Status.CLOSED, _("This case is already closed."))
    require(
        not case.referrals.filter(status__in=(S.DRAFT, *Referral.OPEN)).exists(),
        _("This case still has referrals that are not finished. Cancel or close them first."),
    )
    _close(case, actor=actor, now=timezone.now())
    return case


def _close(case: Case, *, actor: Membership, now: datetime) -> None:
    case.status = Case.Status.CLOSED
    case.closed_at = now
    case.version += 1
    case.save(update_fields=["status", "closed_at", "version"])
    trail.record(
        actor=actor, action=Action.CASE_CLOSED, obj=case, changes={"status": ["open", "closed"]}
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
            "mukim": client.mukim.name if client.mukim is not None else "",
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
    require_permission(actor.role == Role.CBO_HEAD)
    data = _client_data(case.client)
    trail.record(actor=actor, action=Action.CLIENT_EXPORTED, obj=case.client, changes={})
    return data


@transaction.atomic
def consent_withdraw(*, actor: Membership, case_id) -> None:
    """The person takes back their consent: open referrals stop, the record is anonymised."""
    case = case_for(actor, case_id, lock=True)
    require_permission(actor.role in (Role.CBO_HEAD, Role.DISTRICT_OFFICER))
    client = case.client
    require(not client.anonymised_at, _("This record is already anonymised."))
    now = timezone.now()
    client.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    referrals_stop(actor=actor, client=client)
    for open_case in Case.objects.select_for_update().filter(
        client=client, status=Case.Status.OPEN
    ):
        _close(open_case, actor=actor, now=now)
    _anonymise(client, now=now)
    trail.record(actor=actor, action=Action.CLIENT_CONSENT_WITHDRAWN, obj=client, changes={})


def _anonymise(client: Client, *, now: datetime) -> None:
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
            _anonymise(client, now=now)
            trail.record(actor=None, action=Action.CLIENT_ANONYMISED, obj=client, changes={})
        count += 1
    return count
