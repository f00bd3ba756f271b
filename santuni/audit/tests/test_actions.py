"""Every row of the audit trail is of a kind listed in Action: the trail takes nothing else, no
code hands it a string, and the values old rows carry stay as they are."""

import ast
from pathlib import Path

import pytest

import santuni
from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.audit.models import AuditEntry

PACKAGE = Path(santuni.__file__).resolve().parent
# The product and the developer tools beside it (tools/ writes rows through the product's code).
SCANNED = (PACKAGE, PACKAGE.parent / "tools")
# Where the audit page's filter and the reports find them: rows written before the list was.
STORED = {
    "invitation.sent",
    "invitation.cancelled",
    "user.created",
    "user.signed_in",
    "user.password_reset",
    "membership.created",
    "membership.revoked",
    "two_factor.enabled",
    "two_factor.recovery_codes_renewed",
    "admin.added",
    "admin.changed",
    "admin.deleted",
    "admin.password_set",
    "case.created",
    "case.note_added",
    "case.attachment_added",
    "case.closed",
    "client.viewed",
    "client.exported",
    "client.consent_withdrawn",
    "client.anonymised",
    "referral.created",
    "referral.send",
    "referral.cancel",
    "referral.accept",
    "referral.decline",
    "referral.redirect",
    "referral.start",
    "referral.complete",
    "referral.close",
    "referral.overdue_acknowledge",
    "referral.overdue_complete",
    "listing.consent_withdrawn",
    "listing.verified",
    "listing_change.submitted",
    "listing_change.approved",
    "listing_change.returned",
    "attendance.added",
    "attendance.removed",
    "hsds.imported",
    "booklet.requested",
    "reports.aid_statistics_imported",
    "directory.demo_loaded",
    "training.demo_loaded",
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["referral.send", "made.up"])
def test_the_trail_takes_no_action_that_is_not_a_member(personas, action):
    """Not even a string that spells a member's value: the list is the only way in."""
    with pytest.raises(TypeError):
        trail.record(actor=None, action=action, obj=personas.agency)
    assert not AuditEntry.objects.exists()
    entry = trail.record(actor=None, action=Action.REFERRAL_SEND, obj=personas.agency)
    assert AuditEntry.objects.get(pk=entry.pk).action == "referral.send"


def test_the_values_old_rows_carry_are_all_still_there():
    assert {action.value for action in Action} >= STORED
    longest = AuditEntry._meta.get_field("action").max_length
    for action in Action:
        thing, _dot, event = action.value.partition(".")
        assert thing and event and len(action.value) <= longest, action


def actions_given_as_text(source: str) -> list[int]:
    """Lines of calls that give the audit trail its action as a string: a literal, an f-string,
    or text joined or formatted, whether as `action=` or as record_audit's second argument."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        given = [k.value for k in node.keywords if k.arg == "action" and name == "record"]
        if name == "record_audit" and len(node.args) > 1:
            given.append(node.args[1])
        for value in given:
            if isinstance(value, ast.Constant | ast.JoinedStr | ast.BinOp) or (
                isinstance(value, ast.IfExp)
                and any(isinstance(v, ast.Constant) for v in (value.body, value.orelse))
            ):
                found.append(node.lineno)
    return found


def test_no_code_gives_the_trail_its_action_as_text():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for folder in SCANNED
        for path in sorted(folder.rglob("*.py"))
        for line in actions_given_as_text(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_scan_sees_each_way_of_writing_an_action_as_text():
    source = """
trail.record(actor=a, action="case.created", obj=o)
trail.record(actor=a, action=f"referral.{step}", obj=o)
trail.record(actor=a, action="referral." + step, obj=o)
self.record_audit(request, "admin.deleted", obj)
self.record_audit(request, "admin.changed" if change else "admin.added", obj)
trail.record(actor=a, action=Action.CASE_CREATED, obj=o)
trail.record(actor=a, action=step.audit, obj=o)
self.record_audit(request, Action.ADMIN_DELETED, obj)
"""
    assert actions_given_as_text(source) == [2, 3, 4, 5, 6]
