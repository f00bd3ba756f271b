"""Data migrations of accounts, run on rows made as the older code made them."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from santuni.accounts.models import Invitation, Membership, Role
from santuni.accounts.tests.personas import make_user

pytestmark = pytest.mark.django_db
area = importlib.import_module("santuni.accounts.migrations.0003_focal_point_area_from_inviter")


def test_a_focal_point_without_an_area_acts_where_its_inviter_does(personas):
    """Port Dickson's officer invited them: Port Dickson it is, for the role and for an open
    invitation. One with no inviter keeps no area (and so sees nothing); one with an area
    keeps it."""
    officer = personas.other_district_officer.membership
    agency = personas.agency

    def focal_point(email, **fields):
        user, _device = make_user(email, email)
        return Membership.objects.create(
            user=user, role=Role.AGENCY_FOCAL_POINT, organization=agency, **fields
        )

    invited = focal_point("dijemput@example.invalid", invited_by=officer)
    orphan = focal_point("yatim@example.invalid")
    kept = personas.agency_focal_point.membership
    Membership.objects.filter(pk=kept.pk).update(invited_by=officer)
    head = personas.cbo_head.membership
    Membership.objects.filter(pk=head.pk).update(district=None, invited_by=officer)
    invitation = Invitation.objects.create(
        email="baru@example.invalid",
        role=Role.AGENCY_FOCAL_POINT,
        organization=agency,
        invited_by=officer,
        token_hash="a" * 64,
        expires_at=timezone.now() + timedelta(days=7),
    )

    area.focal_point_area_from_inviter(apps, None)

    for membership in (invited, orphan, kept, head, invitation):
        membership.refresh_from_db()
    assert (invited.district, invited.state) == (officer.district, None)
    assert (invitation.district, invitation.state) == (officer.district, None)
    assert (orphan.district, orphan.state) == (None, None)
    assert kept.district == personas.district  # not its inviter's
    assert head.district is None  # not a focal point: left alone
