"""The workflow table is the one place a referral step is written: a step added to it is offered
on the referral page to the side it names, asks what it says, is let through by the service and
says its message; and the consent rule the referral page asks by is the one the service
refuses by."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from santuni.accounts.tests.personas import sign_in
from santuni.audit.actions import Action
from santuni.audit.models import AuditEntry
from santuni.lib.domain import Refusal

from .. import workflow
from ..models import Notification, Referral, ReferralEvent, Urgency
from ..services import referrals, sharing
from .factories import jkm_service, make_case, make_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
S = Referral.Status

# A step no referral has today: the receiver puts work in progress back to "accepted", saying
# why from a fixed list.
PAUSE = workflow.Step(
    label="Pause the work",
    sources={S.IN_PROGRESS: workflow.Side.RECEIVER},
    target=S.ACCEPTED,
    audit=Action.REFERRAL_START,
    done="Paused for now. The sender has been told.",
    tell=workflow.Tell.SENDERS,
    asks=(
        workflow.Code(
            label="Why pause",
            choices=Referral.DeclineReason,
            field="decline_reason",
            refusal="Choose why the work is paused.",
        ),
        workflow.Note(label="What happens next"),
    ),
)


@pytest.fixture
def in_progress(personas):
    referral = make_referral(personas.cbo_head, make_case(personas.cbo_head), jkm_service(personas))
    focal = personas.agency_focal_point.membership
    referrals.referral_accept(actor=focal, referral_id=referral.pk, version=None)
    return referrals.referral_start(actor=focal, referral_id=referral.pk, version=None)


def page(client, referral) -> str:
    return client.get(reverse("cases:referral", args=[referral.pk])).content.decode()


def test_a_step_added_to_the_table_is_offered_taken_and_announced(
    client, personas, in_progress, monkeypatch
):
    monkeypatch.setitem(workflow.STEPS, "pause", PAUSE)
    url = reverse("cases:referral", args=[in_progress.pk])
    pause = {"action": "pause", "version": in_progress.version, "reason": "no_capacity"}

    # Not the sender's step: not offered to the CBO head, and refused if posted.
    sign_in(client, personas.cbo_head)
    assert 'value="pause"' not in page(client, in_progress)
    assert client.post(url, pause).status_code == 403

    # The receiver sees it, with its form: the list to choose from and a note.
    sign_in(client, personas.agency_focal_point)
    form = next(
        part for part in page(client, in_progress).split("<form") if 'value="pause"' in part
    )
    assert "Pause the work" in form and "Why pause" in form
    assert 'name="reason"' in form and 'name="note"' in form
    assert escape(str(Referral.DeclineReason.NO_CAPACITY.label)) in form
    focal = personas.agency_focal_point.membership
    assert workflow.allowed_steps(focal, in_progress) == ["complete", "close", "pause"]

    # Without a reason the form says so and nothing moves; with one, the step is taken.
    assert client.post(url, {**pause, "reason": ""}).status_code == 200
    response = client.post(url, {**pause, "note": "Menunggu dokumen."}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Paused for now. The sender has been told." in response.content.decode()
    in_progress.refresh_from_db()
    assert in_progress.status == S.ACCEPTED
    assert in_progress.decline_reason == "no_capacity"
    event = ReferralEvent.objects.filter(referral=in_progress).latest("at")
    assert (event.status, event.reason, event.note) == (
        S.ACCEPTED,
        "no_capacity",
        "Menunggu dokumen.",
    )
    entry = AuditEntry.objects.filter(object_id=str(in_progress.pk)).order_by("-id").first()
    assert entry.action == "referral.start"
    assert entry.changes["status"] == [S.IN_PROGRESS, S.ACCEPTED]
    assert Notification.objects.filter(
        recipient=personas.cbo_head.user, referral=in_progress, kind=S.ACCEPTED
    ).exists()
    # From "accepted" the step is not offered any more, and the service says why.
    assert "pause" not in workflow.allowed_steps(focal, in_progress)
    with pytest.raises(Refusal):
        referrals.referral_step(
            actor=focal, referral_id=in_progress.pk, step="pause", version=None, code="other"
        )


def test_a_code_off_the_steps_list_is_refused_by_the_service(personas, in_progress, monkeypatch):
    monkeypatch.setitem(workflow.STEPS, "pause", PAUSE)
    with pytest.raises(Refusal) as refused:
        referrals.referral_step(
            actor=personas.agency_focal_point.membership,
            referral_id=in_progress.pk,
            step="pause",
            version=None,
            code="placed",  # an outcome, not a reason to pause
        )
    assert refused.value.message == "Choose why the work is paused."
    in_progress.refresh_from_db()
    assert in_progress.status == S.IN_PROGRESS


@pytest.mark.parametrize(
    ("urgency", "purposes", "sends", "with_reason"),
    [
        (Urgency.HIGH, ["record", "share"], True, True),
        (Urgency.HIGH, ["record"], False, False),
        (Urgency.IMMEDIATE, ["record", "share"], True, True),
        (Urgency.IMMEDIATE, ["record"], False, True),
    ],
    ids=["consent", "no-consent", "danger-consent", "danger-no-consent"],
)
def test_the_referral_page_asks_for_a_reason_exactly_where_the_service_takes_one(
    client, personas, urgency, purposes, sends, with_reason
):
    """The page asks why to refer without consent only where the service would send on that
    reason; what the service sends without one, the person had agreed to."""
    case = make_case(personas.cbo_head, urgency=urgency, purposes=purposes)
    service = jkm_service(personas)
    rule = sharing.sharing_for(case)
    sign_in(client, personas.cbo_head)
    form = client.get(reverse("cases:referral_new", args=[case.pk])).context["form"]
    assert ("consent_override" in form.fields) == rule.overridable == (with_reason and not sends)

    def refer(override):
        try:
            return make_referral(personas.cbo_head, case, service, override=override)
        except Refusal:
            return None

    assert (refer("") is not None) == sends == rule.consented
    assert (refer("Suami bersenjata di rumah.") is not None) == with_reason
