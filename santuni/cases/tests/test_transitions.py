"""The referral life cycle as the people in it see it: who may take which step from where,
what a second tap or a late writer gets, what consent allows, who hears of it, and that no
message or audit row names the person."""

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation

from santuni.accounts.models import Membership
from santuni.audit.models import AuditEntry
from santuni.directory.tests.factories import OrganizationFactory, ServiceFactory
from santuni.lib.domain import Refusal

from .. import messaging, selectors, workflow
from ..models import Case, Client, Consent, Notification, Referral, Urgency
from ..services import cases, referrals
from ..services.refusals import StaleVersion
from .factories import (
    CLIENT_NAME,
    CLIENT_PHONE,
    MYKAD,
    client_details,
    jkm_service,
    make_case,
    make_referral,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
S = Referral.Status
PERSONAL = (CLIENT_NAME, MYKAD, MYKAD.replace("-", ""), CLIENT_PHONE)


@pytest.fixture
def service(personas):
    return jkm_service(personas)


@pytest.fixture
def shelter(personas):
    """A second service of the same JKM office, to redirect to."""
    return jkm_service(personas, name="Rumah Perlindungan")


def assert_no_personal_data(text: str) -> None:
    for value in PERSONAL:
        assert value not in text


def referral_at(people, service, status: str) -> Referral:
    """A referral of a case the CBO member opened, brought to `status` the usual way: the CBO
    head sends it, the JKM focal point accepts, starts and completes it."""
    head, focal = people.cbo_head.membership, people.agency_focal_point.membership
    steps = [
        (S.DRAFT, lambda r: referrals.referral_send(actor=head, referral_id=r.pk, version=None)),
        (S.SENT, lambda r: referrals.referral_accept(actor=focal, referral_id=r.pk, version=None)),
        (
            S.ACCEPTED,
            lambda r: referrals.referral_start(actor=focal, referral_id=r.pk, version=None),
        ),
        (
            S.IN_PROGRESS,
            lambda r: referrals.referral_complete(
                actor=focal, referral_id=r.pk, version=None, outcome="service_delivered"
            ),
        ),
    ]
    referral = make_referral(people.cbo_head, make_case(people.cbo_member), service, send=False)
    for before, step in steps:
        if referral.status == status:
            break
        assert referral.status == before
        referral = step(referral)
    assert referral.status == status
    return Referral.objects.get(pk=referral.pk)


# Each action as its button would call it, with the version the page showed.
ACTIONS = {
    "send": lambda actor, r, other: referrals.referral_send(
        actor=actor, referral_id=r.pk, version=r.version
    ),
    "cancel": lambda actor, r, other: referrals.referral_cancel(
        actor=actor, referral_id=r.pk, version=r.version
    ),
    "accept": lambda actor, r, other: referrals.referral_accept(
        actor=actor, referral_id=r.pk, version=r.version
    ),
    "decline": lambda actor, r, other: referrals.referral_decline(
        actor=actor, referral_id=r.pk, version=r.version, reason="no_capacity"
    ),
    "redirect": lambda actor, r, other: referrals.referral_redirect(
        actor=actor, referral_id=r.pk, version=r.version, service_id=other.pk
    ),
    "start": lambda actor, r, other: referrals.referral_start(
        actor=actor, referral_id=r.pk, version=r.version
    ),
    "complete": lambda actor, r, other: referrals.referral_complete(
        actor=actor, referral_id=r.pk, version=r.version, outcome="aid_approved"
    ),
    "close": lambda actor, r, other: referrals.referral_close(
        actor=actor, referral_id=r.pk, version=r.version, reason="resolved"
    ),
}
TARGET = {
    "send": S.SENT,
    "cancel": S.CANCELLED,
    "accept": S.ACCEPTED,
    "decline": S.DECLINED,
    "redirect": S.REDIRECTED,
    "start": S.IN_PROGRESS,
    "complete": S.COMPLETED,
    "close": S.CLOSED,
}

# The case is the CBO's (opened by its member); the referral goes to the JKM Seremban office.
COLUMNS = (
    "cbo_head",
    "cbo_member",
    "district_officer",
    "agency_focal_point",
    "other_cbo_head",
    "other_district_officer",
    "other_agency_focal_point",
    "ministry_admin",
)
# fmt: off
TABLE = {
    #                             head      member    off.  focal     o.head o.off  o.foc  admin
    ("send", S.DRAFT):           ("ok",     "denied", "ok", "404",    "404", "404", "404", "404"),
    ("cancel", S.DRAFT):         ("ok",     "denied", "ok", "404",    "404", "404", "404", "404"),
    ("cancel", S.SENT):          ("ok",     "denied", "ok", "denied", "404", "404", "404", "404"),
    ("accept", S.SENT):          ("denied", "denied", "ok", "ok",     "404", "404", "404", "404"),
    ("decline", S.SENT):         ("denied", "denied", "ok", "ok",     "404", "404", "404", "404"),
    ("redirect", S.SENT):        ("denied", "denied", "ok", "ok",     "404", "404", "404", "404"),
    ("redirect", S.ACCEPTED):    ("denied", "denied", "ok", "ok",     "404", "404", "404", "404"),
    ("start", S.ACCEPTED):       ("denied", "denied", "ok", "ok",     "404", "404", "404", "404"),
    ("complete", S.ACCEPTED):    ("denied", "denied", "ok", "ok",     "404", "404", "404", "404"),
    ("complete", S.IN_PROGRESS): ("denied", "denied", "ok", "ok",     "404", "404", "404", "404"),
    ("close", S.ACCEPTED):       ("denied", "denied", "ok", "ok",     "404", "404", "404", "404"),
    ("close", S.IN_PROGRESS):    ("denied", "denied", "ok", "ok",     "404", "404", "404", "404"),
    ("close", S.COMPLETED):      ("ok",     "denied", "ok", "denied", "404", "404", "404", "404"),
}
# fmt: on
ROWS = [
    pytest.param(action, start, persona, expected, id=f"{action}-{start}-by-{persona}-{expected}")
    for (action, start), results in TABLE.items()
    for persona, expected in zip(COLUMNS, results, strict=True)
]


@pytest.mark.parametrize(("action", "start", "persona", "expected"), ROWS)
def test_who_may_take_each_step(personas, service, shelter, action, start, persona, expected):
    referral = referral_at(personas, service, start)
    actor = getattr(personas, persona).membership
    if expected == "404":
        with pytest.raises(Http404):
            ACTIONS[action](actor, referral, shelter)
    else:
        # The buttons offered say the same as the rules.
        visible = selectors.referral_for(actor, referral.pk)
        assert (action in workflow.allowed_steps(actor, visible)) == (expected == "ok")
    if expected == "denied":
        with pytest.raises(PermissionDenied):
            ACTIONS[action](actor, referral, shelter)
    if expected != "ok":
        referral.refresh_from_db()
        assert referral.status == start
        assert not AuditEntry.objects.filter(action=f"referral.{action}").exists()
        return

    ACTIONS[action](actor, referral, shelter)
    referral.refresh_from_db()
    assert referral.status == TARGET[action]
    # Every step leaves one audit row naming who, as what, and the statuses: no personal data.
    entry = AuditEntry.objects.get(action=f"referral.{action}", object_id=str(referral.pk))
    assert entry.membership == actor
    assert entry.changes["status"] == [start, TARGET[action]]
    assert_no_personal_data(json.dumps(entry.changes))


def test_a_step_from_the_wrong_status_is_refused_with_a_reason(personas, service):
    completed = referral_at(personas, service, S.COMPLETED)
    focal = personas.agency_focal_point.membership
    with translation.override("en"), pytest.raises(Refusal) as refused:
        referrals.referral_accept(actor=focal, referral_id=completed.pk, version=completed.version)
    assert "status is now: Completed" in str(refused.value)
    completed.refresh_from_db()
    assert completed.status == S.COMPLETED

    sent = referral_at(personas, service, S.SENT)
    with translation.override("en"), pytest.raises(Refusal) as refused:
        referrals.referral_send(
            actor=personas.cbo_head.membership, referral_id=sent.pk, version=sent.version
        )
    assert "already sent" in str(refused.value)


def test_the_second_of_two_people_acting_on_the_same_version_is_told_and_changes_nothing(
    personas, service
):
    referral = referral_at(personas, service, S.SENT)
    seen = referral.version
    referrals.referral_accept(
        actor=personas.agency_focal_point.membership, referral_id=referral.pk, version=seen
    )
    with pytest.raises(StaleVersion):
        referrals.referral_decline(
            actor=personas.district_officer.membership,
            referral_id=referral.pk,
            version=seen,
            reason="no_capacity",
        )
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
    assert referral.decline_reason == ""
    assert referral.version == seen + 1
    assert not AuditEntry.objects.filter(action="referral.decline").exists()


def test_a_double_tap_on_refer_makes_one_referral(personas, service):
    case = make_case(personas.cbo_head)
    key = uuid.uuid4()

    def refer():
        return referrals.referral_create(
            actor=personas.cbo_head.membership,
            case_id=case.pk,
            service_id=service.pk,
            mode="live",
            summary="Perlukan perlindungan.",
            send=True,
            submission_key=key,
        )

    first, second = refer(), refer()
    assert first.pk == second.pk
    assert Referral.objects.filter(case=case).count() == 1
    assert Notification.objects.filter(kind="sent").count() == 1
    assert len(mail.outbox) == 1


def test_a_double_tap_on_record_makes_one_case(personas):
    key = uuid.uuid4()

    def record():
        return cases.case_create(
            actor=personas.cbo_head.membership,
            client=client_details(),
            consent=cases.ConsentDetails(method="written", purposes=["record", "share"]),
            category="financial",
            urgency=Urgency.HIGH,
            situation="Tiada pendapatan sejak suami meninggal.",
            submission_key=key,
        )

    first, second = record(), record()
    assert first.created is True
    assert second.created is False
    assert second.case.pk == first.case.pk
    assert Case.objects.count() == 1
    assert Client.objects.count() == 1


def test_a_form_key_another_cbo_used_never_hands_back_that_cbos_case(personas):
    key = uuid.uuid4()

    def record(persona):
        return cases.case_create(
            actor=persona.membership,
            client=client_details(),
            consent=cases.ConsentDetails(method="written", purposes=["record", "share"]),
            category="financial",
            urgency=Urgency.HIGH,
            situation="Tiada pendapatan.",
            submission_key=key,
        )

    record(personas.cbo_head)
    try:
        theirs = record(personas.other_cbo_head)
    except Refusal:
        return  # refusing the form is fine too
    assert theirs.case.organization == personas.other_cbo.organization


def test_a_form_key_reused_on_another_case_never_hands_back_that_cases_referral(personas, service):
    key = uuid.uuid4()
    first, second = make_case(personas.cbo_head), make_case(personas.cbo_head)

    def refer(case):
        return referrals.referral_create(
            actor=personas.cbo_head.membership,
            case_id=case.pk,
            service_id=service.pk,
            mode="live",
            summary="",
            send=False,
            submission_key=key,
        )

    refer(first)
    try:
        referral = refer(second)
    except Refusal:
        return
    assert referral.case == second


def test_without_consent_to_share_a_referral_can_only_be_logged(personas, service):
    case = make_case(personas.cbo_head, purposes=[Consent.Purpose.RECORD])
    with pytest.raises(Refusal):
        make_referral(personas.cbo_head, case, service)
    assert not Referral.objects.exists()

    logged = make_referral(personas.cbo_head, case, service, mode="logged")
    assert logged.status == S.IN_PROGRESS
    assert not Notification.objects.filter(referral=logged).exists()
    assert mail.outbox == []
    with pytest.raises(Http404):
        selectors.referral_for(personas.agency_focal_point.membership, logged.pk)


def test_in_immediate_danger_consent_may_be_overridden_with_a_reason(personas, service):
    case = make_case(personas.cbo_head, urgency=Urgency.IMMEDIATE, purposes=["record"])
    with pytest.raises(Refusal):
        make_referral(personas.cbo_head, case, service, override="   ")
    assert not Referral.objects.exists()

    referral = make_referral(
        personas.cbo_head, case, service, override="Suami bersenjata di rumah sekarang."
    )
    assert referral.status == S.SENT
    referral.refresh_from_db()
    assert referral.consent_override == "Suami bersenjata di rumah sekarang."
    entry = AuditEntry.objects.get(action="referral.send", object_id=str(referral.pk))
    assert entry.changes["consent_overridden"] is True


def test_a_decline_needs_a_reason_from_the_list_and_a_completion_an_outcome(personas, service):
    focal = personas.agency_focal_point.membership
    sent = referral_at(personas, service, S.SENT)
    with pytest.raises(Refusal):
        referrals.referral_decline(
            actor=focal, referral_id=sent.pk, version=sent.version, reason="bogus"
        )
    with pytest.raises(Refusal):
        referrals.referral_decline(
            actor=focal, referral_id=sent.pk, version=sent.version, reason=""
        )
    sent.refresh_from_db()
    assert sent.status == S.SENT

    started = referral_at(personas, service, S.IN_PROGRESS)
    for outcome in ("", "bogus"):
        with pytest.raises(Refusal):
            referrals.referral_complete(
                actor=focal, referral_id=started.pk, version=started.version, outcome=outcome
            )
    started.refresh_from_db()
    assert started.status == S.IN_PROGRESS
    assert started.outcome == ""


def test_a_declined_referral_goes_back_to_the_cbo_head(personas, service):
    referral = referral_at(personas, service, S.SENT)
    referrals.referral_decline(
        actor=personas.agency_focal_point.membership,
        referral_id=referral.pk,
        version=referral.version,
        reason="outside_area",
    )
    referral.refresh_from_db()
    assert referral.status == S.DECLINED
    assert referral.decline_reason == "outside_area"
    assert Notification.objects.filter(
        recipient=personas.cbo_head.user, referral=referral, kind="declined"
    ).exists()


def test_a_redirect_sends_a_new_referral_the_cbo_head_sees_on_the_case(personas, service, shelter):
    referral = referral_at(personas, service, S.SENT)
    onward = referrals.referral_redirect(
        actor=personas.agency_focal_point.membership,
        referral_id=referral.pk,
        version=referral.version,
        service_id=shelter.pk,
    )
    referral.refresh_from_db()
    assert referral.status == S.REDIRECTED
    onward.refresh_from_db()
    assert onward.redirected_from == referral
    assert onward.status == S.SENT
    assert onward.service == shelter
    assert onward.organization == shelter.organization
    assert onward.case == referral.case
    head = personas.cbo_head.membership
    assert set(selectors.referrals_visible_to(head)) == {referral, onward}
    assert Notification.objects.filter(
        recipient=personas.cbo_head.user, referral=referral, kind="redirected"
    ).exists()


def test_redirecting_to_the_same_service_is_refused(personas, service):
    referral = referral_at(personas, service, S.SENT)
    with pytest.raises(Refusal):
        referrals.referral_redirect(
            actor=personas.agency_focal_point.membership,
            referral_id=referral.pk,
            version=referral.version,
            service_id=service.pk,
        )
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert Referral.objects.count() == 1


def test_sending_tells_the_agency_focal_point_in_app_and_by_one_email(personas, service):
    referral = make_referral(personas.cbo_head, make_case(personas.cbo_head), service)
    focal = personas.agency_focal_point.user
    assert list(Notification.objects.values_list("recipient", "referral", "kind")) == [
        (focal.pk, referral.pk, "sent")
    ]
    assert [message.to for message in mail.outbox] == [[focal.email]]
    assert referral.reference in mail.outbox[0].body


def test_a_referral_to_an_organisation_without_focal_point_goes_to_the_district_officer(
    personas,
):
    shelter = ServiceFactory(organization=OrganizationFactory(name="Rumah Ehsan Sampel"))
    referral = make_referral(personas.cbo_head, make_case(personas.cbo_head), shelter)
    officer = personas.district_officer.user
    assert list(Notification.objects.values_list("recipient", "referral", "kind")) == [
        (officer.pk, referral.pk, "sent")
    ]
    assert [message.to for message in mail.outbox] == [[officer.email]]


@pytest.mark.parametrize("has_focal_point", [True, False], ids=["agency", "no-focal-point"])
def test_in_immediate_danger_the_district_officer_hears_of_a_referral_once(
    personas, service, has_focal_point
):
    if not has_focal_point:
        service = ServiceFactory(organization=OrganizationFactory(name="Rumah Ehsan Sampel"))
    case = make_case(personas.cbo_head, urgency=Urgency.IMMEDIATE)
    make_referral(personas.cbo_head, case, service)
    told = sorted(Notification.objects.values_list("recipient", flat=True))
    expected = [personas.district_officer.user.pk]
    if has_focal_point:
        expected.append(personas.agency_focal_point.user.pk)
    assert told == sorted(expected)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        get_user_model().objects.get(pk=pk).email for pk in expected
    )


def test_no_message_or_audit_row_of_the_whole_life_cycle_names_the_person(
    personas, service, shelter, settings, monkeypatch
):
    settings.SANTUNI = {
        **settings.SANTUNI,
        "MESSAGE_BACKEND": "santuni.cases.messaging.MemoryBackend",
    }
    monkeypatch.setattr(messaging.MemoryBackend, "outbox", [])
    head = personas.cbo_head.membership
    focal = personas.agency_focal_point.membership
    case = make_case(personas.cbo_member, urgency=Urgency.IMMEDIATE)

    def step(name, actor, referral, **fields):
        return getattr(referrals, f"referral_{name}")(
            actor=actor, referral_id=referral.pk, version=None, **fields
        )

    done = make_referral(personas.cbo_head, case, service, send=False)
    step("send", head, done)
    step("accept", focal, done)
    step("start", focal, done)
    step("complete", focal, done, outcome="placed", note="Ditempatkan di rumah perlindungan.")
    step("close", head, done, reason="resolved")
    declined = make_referral(personas.cbo_head, case, service)
    step("decline", focal, declined, reason="no_capacity")
    redirected = make_referral(personas.cbo_head, case, service)
    onward = step("redirect", focal, redirected, service_id=shelter.pk)
    step("cancel", head, onward)

    assert len(mail.outbox) >= 8
    for message in mail.outbox:
        assert_no_personal_data(message.subject)
        assert_no_personal_data(message.body)
    assert messaging.MemoryBackend.outbox
    for _user, text in messaging.MemoryBackend.outbox:
        assert_no_personal_data(text)
    entries = AuditEntry.objects.filter(action__startswith="referral.")
    assert {e.action for e in entries} >= {f"referral.{action}" for action in ACTIONS}
    for entry in entries:
        assert_no_personal_data(json.dumps(entry.changes))


def test_a_member_whose_role_was_removed_hears_no_more_of_the_case(personas, service):
    case = make_case(personas.cbo_member)
    referral = make_referral(personas.cbo_head, case, service)
    Membership.objects.filter(pk=personas.cbo_member.membership.pk).update(
        revoked_at=timezone.now()
    )
    referrals.referral_accept(
        actor=personas.agency_focal_point.membership, referral_id=referral.pk, version=None
    )
    told = Notification.objects.filter(kind="accepted").values_list("recipient", flat=True)
    assert list(told) == [personas.cbo_head.user.pk]
