"""Every kind of row the audit trail holds, one name each: `trail.record` takes no other.

The values are what the rows store and what the audit page filters on ("referral." finds every
referral step): a value never changes once rows carry it, or old rows would read differently
from new ones. A new kind of write gets a new member here.
"""

from enum import StrEnum, unique


@unique
class Action(StrEnum):
    # Accounts: invitations, memberships, sign-in and second factors.
    INVITATION_SENT = "invitation.sent"
    INVITATION_CANCELLED = "invitation.cancelled"
    USER_CREATED = "user.created"
    USER_SIGNED_IN = "user.signed_in"
    USER_PASSWORD_RESET = "user.password_reset"  # noqa: S105 (names a row, holds no password)
    MEMBERSHIP_CREATED = "membership.created"
    MEMBERSHIP_REVOKED = "membership.revoked"
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_RECOVERY_CODES_RENEWED = "two_factor.recovery_codes_renewed"
    # The admin site, on any table registered with it.
    ADMIN_ADDED = "admin.added"
    ADMIN_CHANGED = "admin.changed"
    ADMIN_DELETED = "admin.deleted"
    ADMIN_PASSWORD_SET = "admin.password_set"  # noqa: S105 (names a row, holds no password)

    # Cases and the people in them.
    CASE_CREATED = "case.created"
    CASE_NOTE_ADDED = "case.note_added"
    CASE_ATTACHMENT_ADDED = "case.attachment_added"
    CASE_CLOSED = "case.closed"
    CLIENT_VIEWED = "client.viewed"
    CLIENT_EXPORTED = "client.exported"
    CLIENT_CONSENT_WITHDRAWN = "client.consent_withdrawn"
    CLIENT_ANONYMISED = "client.anonymised"

    # Referrals: made, then one row per step of the workflow, and the escalations.
    REFERRAL_CREATED = "referral.created"
    REFERRAL_SEND = "referral.send"
    REFERRAL_CANCEL = "referral.cancel"
    REFERRAL_ACCEPT = "referral.accept"
    REFERRAL_DECLINE = "referral.decline"
    REFERRAL_REDIRECT = "referral.redirect"
    REFERRAL_START = "referral.start"
    REFERRAL_COMPLETE = "referral.complete"
    REFERRAL_CLOSE = "referral.close"
    REFERRAL_OVERDUE_ACKNOWLEDGE = "referral.overdue_acknowledge"
    REFERRAL_OVERDUE_COMPLETE = "referral.overdue_complete"

    # Listings: a CBO head's edits and the district officer's review.
    LISTING_CONSENT_WITHDRAWN = "listing.consent_withdrawn"
    LISTING_VERIFIED = "listing.verified"
    LISTING_CHANGE_SUBMITTED = "listing_change.submitted"
    LISTING_CHANGE_APPROVED = "listing_change.approved"
    LISTING_CHANGE_RETURNED = "listing_change.returned"

    # Training attendance.
    ATTENDANCE_ADDED = "attendance.added"
    ATTENDANCE_REMOVED = "attendance.removed"

    # Imports, reports and demo data.
    HSDS_IMPORTED = "hsds.imported"
    BOOKLET_REQUESTED = "booklet.requested"
    AID_STATISTICS_IMPORTED = "reports.aid_statistics_imported"
    DIRECTORY_DEMO_LOADED = "directory.demo_loaded"
    TRAINING_DEMO_LOADED = "training.demo_loaded"
