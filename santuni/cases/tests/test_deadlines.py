"""Target times per urgency: working days skip the weekend; a referral past its time shows as
overdue and the deadline check escalates it once, to the district officers and the agency."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from santuni.accounts.models import Membership, Role
from santuni.accounts.tests.personas import Persona, make_user, sign_in
from santuni.cases import deadlines
from santuni.cases.models import (
    Notification,
    PublicHoliday,
    Referral,
    ReferralEvent,
    ServiceLevel,
    Urgency,
)
from santuni.cases.services import escalation, referrals
from santuni.directory.tests.factories import CboProfileFactory, OrganizationFactory
from santuni.geo.models import District, State

from .factories import jkm_service, make_case, make_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_at_once")]
KL = timezone.get_fixed_timezone(8 * 60)
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=KL)
FRIDAY_16 = datetime(2026, 12, 4, 16, 0, tzinfo=KL)
SATURDAY_10 = datetime(2026, 12, 5, 10, 0, tzinfo=KL)


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected"),
    [
        (MONDAY_9, 1, "hours", MONDAY_9 + timedelta(hours=1)),
        (FRIDAY_16, 24, "hours", FRIDAY_16 + timedelta(hours=24)),
        (MONDAY_9, 3, "working_days", datetime(2026, 12, 3, 9, 0, tzinfo=KL)),
        (FRIDAY_16, 1, "working_days", datetime(2026, 12, 7, 16, 0, tzinfo=KL)),
        (FRIDAY_16, 3, "working_days", datetime(2026, 12, 9, 16, 0, tzinfo=KL)),
        # Sent on a Saturday: the count starts on Monday.
        (SATURDAY_10, 1, "working_days", datetime(2026, 12, 8, 10, 0, tzinfo=KL)),
    ],
    ids=["1h", "24h-over-weekend", "3wd", "friday+1wd", "friday+3wd", "saturday+1wd"],
)
def test_target_times_count_hours_or_working_days(start, amount, unit, expected):
    assert deadlines.add(start, amount, unit) == expected


@pytest.mark.parametrize(
    ("urgency", "acknowledge", "complete"),
    [
        (Urgency.IMMEDIATE, timedelta(hours=1), timedelta(hours=24)),
        (Urgency.HIGH, timedelta(hours=24), timedelta(days=7)),  # 5 working days from Monday
        (Urgency.NORMAL, timedelta(days=3), timedelta(days=18)),  # 14 working days
    ],
)
def test_a_referral_sent_gets_the_targets_of_its_urgency(personas, urgency, acknowledge, complete):
    service = jkm_service(personas)
    with time_machine.travel(MONDAY_9, tick=False):
        referral = make_referral(
            personas.cbo_head, make_case(personas.cbo_head, urgency=urgency), service
        )
    assert referral.acknowledge_due == MONDAY_9 + acknowledge
    assert referral.complete_due == MONDAY_9 + complete


def test_an_admin_change_of_targets_applies_to_referrals_sent_after_it(personas):
    service = jkm_service(personas)
    with time_machine.travel(MONDAY_9, tick=False):
        before = make_referral(personas.cbo_head, make_case(personas.cbo_head), service)
        ServiceLevel.objects.filter(urgency=Urgency.HIGH).update(
            acknowledge_within=4, acknowledge_unit="hours"
        )
        after = make_referral(personas.cbo_head, make_case(personas.cbo_head), service)
    assert before.acknowledge_due == MONDAY_9 + timedelta(hours=24)
    assert after.acknowledge_due == MONDAY_9 + timedelta(hours=4)


def overdue_on_dashboard(client, persona) -> str:
    sign_in(client, persona)
    return client.get(reverse("cases:dashboard")).content.decode()


def test_an_unanswered_referral_becomes_overdue_and_is_escalated_once(client, personas, mailoutbox):
    service = jkm_service(personas)
    with time_machine.travel(MONDAY_9, tick=False):
        referral = make_referral(
            personas.cbo_head, make_case(personas.cbo_head, urgency="normal"), service
        )
    due = referral.acknowledge_due
    with time_machine.travel(due - timedelta(minutes=1), tick=False):
        assert referral.reference not in overdue_on_dashboard(client, personas.district_officer)
        assert escalation.referrals_escalate() == {"acknowledge": 0, "complete": 0}
    mailoutbox.clear()
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert referral.reference in overdue_on_dashboard(client, personas.district_officer)
        # The other district's officer does not see it.
        assert referral.reference not in overdue_on_dashboard(
            client, personas.other_district_officer
        )
        out = StringIO()
        call_command("check_referral_deadlines", stdout=out)
        assert "escalated: 1 not answered, 0 not completed" in out.getvalue()
        call_command("check_referral_deadlines", stdout=out)  # cron runs again: nothing new
    told = Notification.objects.filter(kind="acknowledge", referral=referral)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [personas.district_officer.user.pk, personas.agency_focal_point.user.pk]
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [personas.district_officer.user.email, personas.agency_focal_point.user.email]
    )
    assert ReferralEvent.objects.filter(referral=referral, escalation="acknowledge").count() == 1


def test_an_accepted_referral_past_its_completion_time_is_escalated(personas):
    service = jkm_service(personas)
    with time_machine.travel(MONDAY_9, tick=False):
        referral = make_referral(
            personas.cbo_head, make_case(personas.cbo_head, urgency="immediate"), service
        )
        referrals.referral_accept(
            actor=personas.agency_focal_point.membership, referral_id=referral.pk, version=None
        )
    with time_machine.travel(MONDAY_9 + timedelta(hours=25), tick=False):
        assert escalation.referrals_escalate() == {"acknowledge": 0, "complete": 1}
        referral.refresh_from_db()
        assert referral.overdue() == "complete"
        assert referral.complete_escalated_at is not None


def test_an_answered_referral_is_not_overdue(personas):
    service = jkm_service(personas)
    with time_machine.travel(MONDAY_9, tick=False):
        referral = make_referral(personas.cbo_head, make_case(personas.cbo_head), service)
        referrals.referral_decline(
            actor=personas.agency_focal_point.membership,
            referral_id=referral.pk,
            version=None,
            reason=Referral.DeclineReason.OUTSIDE_AREA,
        )
    with time_machine.travel(MONDAY_9 + timedelta(days=30), tick=False):
        referral.refresh_from_db()
        assert referral.overdue() == ""
        assert escalation.referrals_escalate() == {"acknowledge": 0, "complete": 0}


def test_a_logged_referral_has_no_targets(personas):
    service = jkm_service(personas)
    referral = make_referral(
        personas.cbo_head, make_case(personas.cbo_head), service, mode="logged"
    )
    assert referral.status == Referral.Status.IN_PROGRESS
    assert (referral.acknowledge_due, referral.complete_due) == (None, None)


def test_public_holidays_of_the_nation_and_of_the_state_are_not_working_days(personas):
    negeri_sembilan = personas.district.state
    selangor = State.objects.get(code="MY-10")
    PublicHoliday.objects.create(date=date(2026, 12, 7), name="Cuti umum sampel")
    PublicHoliday.objects.create(
        date=date(2026, 12, 8), name="Cuti negeri sampel", state=negeri_sembilan
    )
    PublicHoliday.objects.create(date=date(2026, 12, 9), name="Cuti Selangor", state=selangor)
    service = jkm_service(personas)
    with time_machine.travel(FRIDAY_16, tick=False):
        referral = make_referral(
            personas.cbo_head, make_case(personas.cbo_head, urgency="normal"), service
        )
    # Friday + 3 working days: not Monday 7th (national) nor Tuesday 8th (Negeri Sembilan);
    # Wednesday 9th counts (only Selangor's), then Thursday 10th and Friday 11th.
    assert referral.acknowledge_due == datetime(2026, 12, 11, 16, 0, tzinfo=KL)


def test_working_days_follow_the_state_weekend():
    kedah = State.objects.get(code="MY-02")
    assert kedah.weekend_days == frozenset({4, 5})
    thursday_9 = datetime(2026, 12, 3, 9, 0, tzinfo=KL)
    # In Kedah Friday and Saturday are the weekend: Thursday + 1 working day is Sunday.
    assert deadlines.add(thursday_9, 1, "working_days", weekend=kedah.weekend_days) == datetime(
        2026, 12, 6, 9, 0, tzinfo=KL
    )
    negeri_sembilan = State.objects.get(code="MY-05")
    assert deadlines.add(
        thursday_9, 1, "working_days", weekend=negeri_sembilan.weekend_days
    ) == datetime(2026, 12, 4, 9, 0, tzinfo=KL)
    assert deadlines.due_times("normal", thursday_9, kedah.pk)[0] == datetime(
        2026, 12, 8, 9, 0, tzinfo=KL
    )


def test_a_referral_from_a_kelantan_cbo_gets_a_deadline_that_skips_friday(personas):
    kota_bharu = District.objects.get(slug="kota-bharu")
    cbo = CboProfileFactory(
        organization=OrganizationFactory(name="Pertubuhan Sampel Kota Bharu"), district=kota_bharu
    )
    user, _device = make_user("ketua.kelantan@example.invalid", "Ketua Kelantan")
    head = Persona(
        "kelantan_cbo_head",
        user,
        Membership.objects.create(
            user=user, role=Role.CBO_HEAD, organization=cbo.organization, district=kota_bharu
        ),
        None,
    )
    tuesday_16 = datetime(2026, 12, 1, 16, 0, tzinfo=KL)
    with time_machine.travel(tuesday_16, tick=False):
        case = make_case(head, urgency="normal", mukim=None)
        referral = make_referral(head, case, jkm_service(personas))
    assert referral.district == kota_bharu
    # Tuesday + 3 working days in Kelantan: Wednesday, Thursday, then (past Friday and
    # Saturday, its weekend) Sunday. In Negeri Sembilan it would be Friday.
    assert referral.acknowledge_due == datetime(2026, 12, 6, 16, 0, tzinfo=KL)
    seremban_case = make_case(personas.cbo_head, urgency="normal")
    with time_machine.travel(tuesday_16, tick=False):
        seremban = make_referral(personas.cbo_head, seremban_case, jkm_service(personas))
    assert seremban.acknowledge_due == datetime(2026, 12, 4, 16, 0, tzinfo=KL)
