"""What a ministry admin may not do in the admin: take over another account. Only a superuser
sets a password, grants superuser or permissions; second factors are deleted there, never made
or edited; and every admin write, in the libraries' tables too, leaves an audit row."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.utils.timezone import localtime
from django_otp.plugins.otp_totp.models import TOTPDevice

from santuni.accounts.tests.personas import PASSWORD, sign_in
from santuni.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Gunung-Angsi-2027!"


def audited(action: str, obj) -> list[dict]:
    rows = AuditEntry.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )
    return [row.changes for row in rows]


def set_password(client, user):
    return client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )


def test_a_ministry_admin_cannot_set_anyones_password(client, personas):
    sign_in(client, personas.ministry_admin)
    head = personas.cbo_head.user
    assert client.get(f"/admin/auth/user/{head.pk}/password/").status_code == 403
    assert set_password(client, head).status_code == 403
    head.refresh_from_db()
    assert head.check_password(PASSWORD) and not head.check_password(NEW_PASSWORD)
    # Nor is the change page a way round it: it links to no password form.
    page = client.get(f"/admin/auth/user/{head.pk}/change/").content.decode()
    assert "../password/" not in page


def test_a_superuser_sets_a_password_and_it_is_audited_without_it(client, personas):
    admin = personas.ministry_admin.user
    admin.is_superuser = True
    admin.save()
    sign_in(client, personas.ministry_admin)
    head = personas.cbo_head.user
    assert set_password(client, head).status_code == 302
    head.refresh_from_db()
    assert head.check_password(NEW_PASSWORD)
    [changes] = audited("admin.password_set", head)
    assert NEW_PASSWORD not in str(changes)


def test_a_ministry_admin_cannot_grant_powers_or_move_the_sign_in_address(client, personas):
    sign_in(client, personas.ministry_admin)
    head = personas.cbo_head.user
    address = head.email
    url = f"/admin/auth/user/{head.pk}/change/"
    page = client.get(url).content.decode()
    for power in ("username", "email", "is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{power}"' not in page, power
    group = Group.objects.create(name="Semua kuasa")
    joined = localtime(head.date_joined).replace(microsecond=0)
    head.date_joined = joined
    head.save()
    response = client.post(
        url,
        {
            # The password-reset link would go to this address: the account would be theirs.
            "username": "pentadbir@example.invalid",
            "first_name": "Nama Baharu",
            "last_name": "",
            "email": "pentadbir@example.invalid",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [group.pk],
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    head.refresh_from_db()
    assert head.first_name == "Nama Baharu"  # the change was saved...
    assert not head.is_superuser and not head.is_staff and not head.groups.exists()  # ...not these
    assert head.username == head.email == address
    [changes] = audited("admin.changed", head)
    assert "first_name" in changes["fields"]
    assert not {"username", "email", "is_superuser", "is_staff", "groups"} & set(changes["fields"])


def test_a_second_factor_is_deleted_in_the_admin_never_made_or_changed(client, personas):
    sign_in(client, personas.ministry_admin)
    officer = personas.district_officer
    device = officer.device
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    add = {"user": officer.user.pk, "name": "saya punya", "key": "00" * 20, "confirmed": "on"}
    assert client.post("/admin/otp_totp/totpdevice/add/", add).status_code == 403
    change = f"/admin/otp_totp/totpdevice/{device.pk}/change/"
    assert client.post(change, {**add, "step": 30, "t0": 0, "digits": 6}).status_code == 403
    device.refresh_from_db()
    assert device.key != "00" * 20 and device.name == "authenticator"
    # A lost phone: the device is deleted, and that is on the audit trail.
    delete = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert audited("admin.deleted", device) == [{}]


def test_writes_to_the_libraries_tables_are_audited(client, personas):
    sign_in(client, personas.ministry_admin)
    assert client.post("/admin/auth/group/add/", {"name": "Pegawai"}).status_code == 302
    assert audited("admin.added", Group.objects.get(name="Pegawai")) == [{"fields": ["name"]}]
    attempt = AccessAttempt.objects.create(
        username="someone@example.org", ip_address="10.1.2.3", failures_since_start=5
    )
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert audited("admin.deleted", attempt) == [{}]
