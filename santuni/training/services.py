"""Domain operations that write capacity-building data: attendance, and the demo events.

Programmes and events are kept by ministry admins in the admin (audited there). Audit rows
name the event, the CBO and the role, never the attendee: a volunteer's name is personal data.
"""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from santuni.accounts.models import CBO_ROLES, Membership
from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.directory.models import Organization
from santuni.lib.domain import Refusal, require, require_permission

from . import access
from .models import NAME_MAX, Attendance, AttendeeRole, Event


def clean_name(name: str) -> str:
    """The name as it is kept: spaces at the ends and doubled spaces removed."""
    return " ".join(name.split())


@transaction.atomic
def attendance_add(
    *,
    actor: Membership,
    event: Event,
    organization: Organization,
    name: str,
    role: str,
    user: User | None = None,
) -> Attendance:
    """Records that a person of the CBO attended the event."""
    require_permission(access.records_for(actor, event, organization))
    name = clean_name(name)
    require(bool(name), _("Write the person's name."))
    require(len(name) <= NAME_MAX, _("The name is too long; shorten it."))
    require(role in AttendeeRole.values, _("Pick the person's role at the CBO."))
    require(
        user is None
        or Membership.objects.filter(
            user=user, organization=organization, role__in=CBO_ROLES, revoked_at__isnull=True
        ).exists(),
        _("That account is not a member of this CBO."),
    )
    duplicate = Refusal(
        _("%(name)s is already on the list for this CBO at this event.") % {"name": name}
    )
    # Compared by the database's own lower(), as the unique constraint is.
    same = Attendance.objects.annotate(lower=Lower("name")).filter(
        event=event, organization=organization, lower=Lower(Value(name))
    )
    if same.exists():
        raise duplicate
    try:
        # A savepoint: a twin saved by someone else a moment ago leaves the transaction usable.
        with transaction.atomic():
            attendance = Attendance.objects.create(
                event=event,
                organization=organization,
                name=name,
                role=role,
                user=user,
                recorded_by=actor,
            )
    except IntegrityError:
        raise duplicate from None
    trail.record(
        actor=actor,
        action=Action.ATTENDANCE_ADDED,
        obj=attendance,
        changes={
            "event": event.pk,
            "organization": organization.pk,
            "role": role,
            "user": user.pk if user is not None else None,
        },
    )
    return attendance


@transaction.atomic
def attendance_remove(*, actor: Membership, attendance: Attendance) -> None:
    """Takes a person off an event's list (recorded by mistake)."""
    require_permission(access.records_for(actor, attendance.event, attendance.organization))
    trail.record(
        actor=actor,
        action=Action.ATTENDANCE_REMOVED,
        obj=attendance,
        changes={
            "event": attendance.event_id,
            "organization": attendance.organization_id,
            "role": attendance.role,
        },
    )
    attendance.delete()
