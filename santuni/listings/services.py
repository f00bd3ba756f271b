"""CBO heads edit their listings; district officers verify the edits, and the listings."""

from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from santuni.accounts.models import Role
from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.directory.indexing import index_services
from santuni.directory.models import Organization, Service
from santuni.lib.domain import require, require_permission

from . import editable, notify
from .models import ListingChange

# The change was already verified, returned or replaced (by another tab or officer).
ALREADY_HANDLED = _("This change was already handled.")


def _is_head_of(actor, organization: Organization) -> bool:
    return actor.role == Role.CBO_HEAD and actor.organization_id == organization.pk


def _is_officer_for(actor, district_id) -> bool:
    return actor.role == Role.DISTRICT_OFFICER and actor.district_id == district_id


def _listing_of(change: ListingChange):
    return change.service or change.organization


class Submission(NamedTuple):
    change: ListingChange | None  # the change now waiting, if any
    made: bool  # this edit made it
    hidden: bool  # this edit hid personal data at once (withdrawn consent)


@transaction.atomic
def listing_change_submit(
    *, actor, organization: Organization, service: Service | None = None, values: dict
) -> Submission:
    """A CBO head's edit. What the public sees waits for a district officer; what only hides
    personal data (withdrawn consent) applies at once."""
    require_permission(_is_head_of(actor, organization))
    require_permission(service is None or service.organization_id == organization.pk)
    listing = service or organization
    current = editable.current_values(listing)
    changed = {k: v for k, v in values.items() if k in current and v != current[k]}
    fields = {f.name: f for f in editable.fields_for(listing)}
    at_once = {k: v for k, v in changed.items() if fields[k].hides_when_off and not v}
    if at_once:
        editable.apply_values(listing, at_once)
        trail.record(
            actor=actor,
            action=Action.LISTING_CONSENT_WITHDRAWN,
            obj=listing,
            changes=trail.diff(current, at_once),
        )
    waiting = {k: v for k, v in changed.items() if k not in at_once}
    pending = ListingChange.objects.select_for_update().filter(
        organization=organization, service=service, status=ListingChange.Status.PENDING
    )
    if not waiting:
        return Submission(pending.first(), False, bool(at_once))
    pending.update(status=ListingChange.Status.REPLACED)
    change = ListingChange.objects.create(
        organization=organization,
        service=service,
        district_id=organization.cbo.district_id,
        previous={k: current[k] for k in waiting},
        proposed=waiting,
        submitted_by=actor,
    )
    trail.record(
        actor=actor,
        action=Action.LISTING_CHANGE_SUBMITTED,
        obj=change,
        changes=trail.diff(current, waiting),
    )
    transaction.on_commit(lambda: notify.change_submitted(change))
    return Submission(change, True, bool(at_once))


def _verified(listing, actor, today) -> dict:
    """Marks the listing checked today; returns the audit change."""
    if isinstance(listing, Service):
        before = {"assured_date": listing.assured_date, "assurer_email": listing.assurer_email}
        listing.assured_date = today
        listing.assurer_email = actor.user.email
        listing.last_modified = timezone.now()
        listing.save(update_fields=["assured_date", "assurer_email", "last_modified"])
        return trail.diff(before, {"assured_date": today, "assurer_email": actor.user.email})
    cbo = listing.cbo
    before = {"assured_date": cbo.assured_date}
    cbo.assured_date = today
    cbo.save(update_fields=["assured_date"])
    return trail.diff(before, {"assured_date": today})


@transaction.atomic
def listing_change_approve(*, actor, change: ListingChange) -> None:
    change = ListingChange.objects.select_for_update().get(pk=change.pk)
    require_permission(_is_officer_for(actor, change.district_id))
    require(change.status == ListingChange.Status.PENDING, ALREADY_HANDLED)
    listing = _listing_of(change)
    before = editable.current_values(listing)
    editable.apply_values(listing, change.proposed)
    today = timezone.localdate()
    verified = _verified(listing, actor, today)
    change.status = ListingChange.Status.APPROVED
    change.reviewed_by = actor
    change.reviewed_at = timezone.now()
    change.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    trail.record(
        actor=actor,
        action=Action.LISTING_CHANGE_APPROVED,
        obj=listing,
        changes={**trail.diff(before, change.proposed), **verified, "change": change.pk},
    )
    if change.service_id:
        index_services([change.service_id])
    else:
        index_services(change.organization.services.values_list("pk", flat=True))
    transaction.on_commit(lambda: notify.change_reviewed(change))


@transaction.atomic
def listing_change_return(*, actor, change: ListingChange, note: str) -> None:
    change = ListingChange.objects.select_for_update().get(pk=change.pk)
    require_permission(_is_officer_for(actor, change.district_id))
    require(change.status == ListingChange.Status.PENDING, ALREADY_HANDLED)
    change.status = ListingChange.Status.REJECTED
    change.reviewed_by = actor
    change.reviewed_at = timezone.now()
    change.review_note = note
    change.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    trail.record(
        actor=actor, action=Action.LISTING_CHANGE_RETURNED, obj=change, changes={"note": note}
    )
    transaction.on_commit(lambda: notify.change_reviewed(change))


@transaction.atomic
def listing_verify(*, actor, listing: Organization | Service) -> None:
    """A district officer confirms a listing is still right, unchanged."""
    organization = listing.organization if isinstance(listing, Service) else listing
    cbo = getattr(organization, "cbo", None)
    require_permission(cbo is not None and _is_officer_for(actor, cbo.district_id))
    changes = _verified(listing, actor, timezone.localdate())
    trail.record(actor=actor, action=Action.LISTING_VERIFIED, obj=listing, changes=changes)
