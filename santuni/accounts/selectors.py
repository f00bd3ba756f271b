"""Reads of accounts data, filtered to what the acting membership may see."""

from django.db.models import Q, QuerySet

from santuni.audit.models import AuditEntry

from .models import INVITES, Invitation, Membership, Role


def _scope_filter(actor: Membership) -> Q:
    roles = INVITES.get(actor.role, set())
    if not roles:
        return Q(pk__in=[])
    where = Q(role__in=roles)
    if actor.role == Role.STATE_OFFICER:
        # District officers of its districts; focal points for a district of it, or for it.
        where &= Q(district__state=actor.state_id) | Q(district__isnull=True, state=actor.state_id)
    elif actor.role == Role.DISTRICT_OFFICER:
        where &= Q(district=actor.district_id)
    elif actor.role == Role.CBO_HEAD:
        where &= Q(organization=actor.organization_id)
    return where


def memberships_managed_by(actor: Membership) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(_scope_filter(actor), revoked_at__isnull=True)
        .select_related("user", "organization", "district", "state")
        .order_by("role", "user__first_name", "id")
    )


def invitations_managed_by(actor: Membership, now) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            _scope_filter(actor),
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("organization", "district", "state")
        .order_by("-created_at")
    )


def managed_membership(actor: Membership, membership_id: int) -> Membership:
    """The membership if `actor` manages it; Membership.DoesNotExist (a 404) otherwise."""
    return memberships_managed_by(actor).get(pk=membership_id)


def managed_invitation(actor: Membership, invitation_id, now) -> Invitation:
    return invitations_managed_by(actor, now).get(pk=invitation_id)


def audit_entries(
    *,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    email: str = "",
    since=None,
    until=None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("user", "membership").order_by("-id")
    if action:
        entries = entries.filter(action__startswith=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if email:
        entries = entries.filter(user__username=email.strip().lower())
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries
