"""The audit trail: append-only, chained, secrets removed, browsable by ministry admins only."""

import hashlib
import hmac
import io
import json
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from santuni.accounts.tests.personas import sign_in
from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


# Three kinds of row that share a prefix ("admin."), to filter the trail by.
STEPS = (Action.ADMIN_ADDED, Action.ADMIN_CHANGED, Action.ADMIN_DELETED)


def three_entries(personas):
    actor = personas.cbo_head.membership
    org = personas.cbo.organization
    return [
        trail.record(actor=actor, action=STEPS[i], obj=org, changes={"n": [i, i + 1]})
        for i in range(3)
    ]


def test_each_row_chains_to_the_one_before(personas):
    first, second, third = three_entries(personas)
    assert first.previous_hash == trail.GENESIS  # the personas wrote no audit rows
    assert second.previous_hash == first.hash and third.previous_hash == second.hash
    assert trail.verify_chain() == (AuditEntry.objects.count(), None)


def test_verify_audit_chain_finds_a_row_altered_in_the_database(personas, capsys):
    _first, second, _third = three_entries(personas)
    call_command("verify_audit_chain")
    assert "intact" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditentry SET changes = %s WHERE id = %s",
            ['{"n": [100, 101]}', second.pk],
        )
    with pytest.raises(CommandError, match=f"#{second.pk}: its content"):
        call_command("verify_audit_chain")


def test_verify_audit_chain_finds_a_removed_row(personas):
    _first, second, third = three_entries(personas)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditentry WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"#{third.pk}: its link"):
        call_command("verify_audit_chain")


def test_rewriting_a_row_and_its_hash_without_the_key_is_caught(personas, settings):
    _first, second, _third = three_entries(personas)
    forged = AuditEntry.objects.get(pk=second.pk)
    forged.changes = {"n": [7, 8]}
    settings.SANTUNI = {**settings.SANTUNI, "AUDIT_KEY": "a key the forger guessed"}
    forged_hash = trail.entry_hash(forged)
    settings.SANTUNI = {**settings.SANTUNI, "AUDIT_KEY": ""}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditentry SET changes = %s, hash = %s WHERE id = %s",
            ['{"n": [7, 8]}', forged_hash, second.pk],
        )
    checked, broken = trail.verify_chain()
    assert broken is not None and broken.entry_id == second.pk


def test_the_code_has_no_way_to_change_or_delete_a_row(personas):
    entry = three_entries(personas)[0]
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


def test_secrets_never_reach_the_trail(personas):
    entry = trail.record(
        actor=None,
        action=Action.ADMIN_CHANGED,
        obj=personas.cbo.organization,
        changes={"password": ["a", "b"], "otp_key": "k", "email": ["x", "y"]},
    )
    assert entry.changes == {
        "password": trail.REDACTED,
        "otp_key": trail.REDACTED,
        "email": ["x", "y"],
    }


def test_ministry_admins_filter_the_trail(client, personas):
    three_entries(personas)
    trail.record(actor=None, action=Action.LISTING_VERIFIED, obj=personas.agency)
    sign_in(client, personas.ministry_admin)
    html = client.get(reverse("accounts:audit"), {"action": "admin."}).content.decode()
    assert "admin.deleted" in html and "listing.verified" not in html
    html = client.get(
        reverse("accounts:audit"), {"email": personas.cbo_head.user.email}
    ).content.decode()
    assert "admin.added" in html and "listing.verified" not in html
    bad = client.get(reverse("accounts:audit"), {"since": "semalam"})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()
    # Read-only: the admin offers no way to add, change or delete entries.
    assert client.get("/admin/audit/auditentry/add/").status_code == 403


# --- what the chain covers, and rows cut from the end ---------------------------------------


def test_a_row_written_now_covers_its_id(personas):
    """A row renumbered in the database (moved in the trail) no longer verifies."""
    *_, third = three_entries(personas)
    assert AuditEntry.objects.get(pk=third.pk).version == trail.VERSION == 2
    assert trail.verify_chain()[1] is None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditentry SET id = %s WHERE id = %s", [third.pk + 10, third.pk]
        )
    assert trail.verify_chain()[1] == trail.Break(
        third.pk + 10, "its content does not match its hash"
    )


def first_formula(entry) -> str:
    """How rows were signed before the chain had versions, kept here as it was then."""
    content = json.dumps(
        [
            entry.previous_hash,
            entry.at.isoformat(),
            entry.user_id,
            entry.membership_id,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.changes,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    key = (settings.SANTUNI["AUDIT_KEY"] or settings.SECRET_KEY).encode()
    return hmac.new(key, content.encode(), hashlib.sha256).hexdigest()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_written_before_the_chain_had_versions_still_verify_after_migrating():
    executor = MigrationExecutor(connection)
    before = [("accounts", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("accounts", "AuditEntry")
    previous = trail.GENESIS
    for n in range(3):
        row = old(
            at=timezone.now(),
            action=f"test.old{n}",
            object_type="directory.organization",
            object_id=str(n),
            changes={"n": [n, n + 1]},
            previous_hash=previous,
        )
        row.hash = previous = first_formula(row)
        row.save()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(AuditEntry.objects.values_list("version", flat=True)) == {1}
    assert trail.verify_chain() == (3, None)
    new = trail.record(actor=None, action=Action.ADMIN_ADDED, object_type="x", object_id="1")
    assert new.version == 2 and new.previous_hash == previous
    assert trail.verify_chain() == (4, None)
    # A row of the first formula after one of the second is not the trail as written.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET version = 1 WHERE id = %s", [new.pk])
    assert trail.verify_chain()[1].entry_id == new.pk


def test_rows_cut_from_the_end_after_a_checkpoint_are_found(personas, settings):
    first, second, third = three_entries(personas)
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    checkpoint = Path(settings.SANTUNI["AUDIT_CHECKPOINT"])
    assert str(checkpoint) in out.getvalue()
    assert stat.S_IMODE(checkpoint.stat().st_mode) == 0o600
    # Rows added since are fine; the checkpoint moves on with them.
    fourth = trail.record(actor=None, action=Action.ADMIN_ADDED, object_type="x", object_id="4")
    call_command("verify_audit_chain", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditentry WHERE id >= %s", [third.pk])
    assert trail.verify_chain() == (2, None)  # what is left still chains
    with pytest.raises(CommandError, match=f"#{fourth.pk}") as failed:
        call_command("verify_audit_chain", stdout=io.StringIO())
    assert "4 rows" in str(failed.value) and "now holds 2" in str(failed.value)
    # The checkpoint keeps what it saw: the next run says the same.
    with pytest.raises(CommandError, match=f"#{fourth.pk}"):
        call_command("verify_audit_chain", stdout=io.StringIO())


def test_a_checkpoint_altered_or_signed_with_another_key_is_refused(personas, settings):
    three_entries(personas)
    call_command("verify_audit_chain", stdout=io.StringIO())
    checkpoint = Path(settings.SANTUNI["AUDIT_CHECKPOINT"])
    saved = json.loads(checkpoint.read_text())
    checkpoint.write_text(json.dumps({**saved, "count": saved["count"] - 1}))
    with pytest.raises(CommandError, match="signature"):
        call_command("verify_audit_chain", stdout=io.StringIO())


@pytest.mark.parametrize("key, warned", [("", True), ("a7" * 24, False)])
def test_the_deploy_check_asks_for_an_audit_key_of_its_own(settings, key, warned):
    settings.SANTUNI = {**settings.SANTUNI, "AUDIT_KEY": key}
    deploy = [m for m in run_checks(include_deployment_checks=True) if m.id == "santuni.W003"]
    assert bool(deploy) == warned
    if warned:
        assert "AUDIT_KEY" in deploy[0].hint
    # Only `check --deploy` asks: a local checkout runs without it.
    assert not [m for m in run_checks() if m.id == "santuni.W003"]
