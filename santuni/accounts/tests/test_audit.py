"""The audit trail: append-only, chained, secrets removed, browsable by ministry admins only."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from santuni.accounts import audit
from santuni.accounts.models import AuditEntry
from santuni.accounts.tests.personas import sign_in

pytestmark = pytest.mark.django_db


def three_entries(personas):
    actor = personas.cbo_head.membership
    org = personas.cbo.organization
    return [
        audit.record(actor=actor, action=f"test.step{i}", obj=org, changes={"n": [i, i + 1]})
        for i in range(3)
    ]


def test_each_row_chains_to_the_one_before(personas):
    first, second, third = three_entries(personas)
    assert first.previous_hash == audit.GENESIS  # the personas wrote no audit rows
    assert second.previous_hash == first.hash and third.previous_hash == second.hash
    assert audit.verify_chain() == (AuditEntry.objects.count(), None)


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
    forged_hash = audit.entry_hash(forged)
    settings.SANTUNI = {**settings.SANTUNI, "AUDIT_KEY": ""}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditentry SET changes = %s, hash = %s WHERE id = %s",
            ['{"n": [7, 8]}', forged_hash, second.pk],
        )
    checked, broken = audit.verify_chain()
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
    entry = audit.record(
        actor=None,
        action="test.secret",
        obj=personas.cbo.organization,
        changes={"password": ["a", "b"], "otp_key": "k", "email": ["x", "y"]},
    )
    assert entry.changes == {
        "password": audit.REDACTED,
        "otp_key": audit.REDACTED,
        "email": ["x", "y"],
    }


def test_ministry_admins_filter_the_trail(client, personas):
    three_entries(personas)
    audit.record(actor=None, action="other.thing", obj=personas.agency)
    sign_in(client, personas.ministry_admin)
    html = client.get(reverse("accounts:audit"), {"action": "test."}).content.decode()
    assert "test.step2" in html and "other.thing" not in html
    html = client.get(
        reverse("accounts:audit"), {"email": personas.cbo_head.user.email}
    ).content.decode()
    assert "test.step0" in html and "other.thing" not in html
    bad = client.get(reverse("accounts:audit"), {"since": "semalam"})
    assert bad.status_code == 200 and 'class="error"' in bad.content.decode()
    # Read-only: the admin offers no way to add, change or delete entries.
    assert client.get("/admin/accounts/auditentry/add/").status_code == 403
