"""Read-only admin views of memberships, invitations and the audit trail; users and their
second factors as far as a ministry admin may touch them.

Roles change only through invitations and removals (santuni.accounts.services), which record
the audit row; the admin shows them but cannot write them.

A ministry admin cannot take over another account from the admin: only a superuser (made with
`manage.py createsuperuser`, on the server) sets someone's password or sign-in address, makes
superusers or gives permissions, and a second factor is never added or edited here, only
deleted when its phone is lost (the person then sets a new one up at /akaun/). The admin shows
no second factor's secret either (settings.OTP_ADMIN_HIDE_SENSITIVE_DATA).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from santuni.audit.actions import Action
from santuni.audit.models import AuditEntry

from .admin_site import Audited
from .models import Invitation, Membership

__all__ = ["ReadOnlyInline"]

User = get_user_model()
# Fields that would give an account powers beyond its roles, or (the sign-in address) send
# its password-reset link to someone else. A person with a new address is invited at it.
POWERS = ("username", "email", "is_superuser", "is_staff", "groups", "user_permissions")


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside their parent, changed only on their own page or in the app."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnly):
    list_display = [
        "user",
        "role",
        "organization",
        "district",
        "state",
        "created_at",
        "revoked_at",
    ]
    list_filter = ["role", "district", "state"]
    search_fields = ["user__username", "user__first_name", "organization__name"]
    list_select_related = ["user", "organization", "district", "state"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnly):
    list_display = [
        "email",
        "role",
        "organization",
        "district",
        "state",
        "created_at",
        "accepted_at",
    ]
    list_filter = ["role"]
    search_fields = ["email"]
    exclude = ["token_hash"]
    list_select_related = ["organization", "district", "state"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ["id", "at", "user", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user"]


admin.site.unregister(User)


@admin.register(User)
class SantuniUserAdmin(Audited, UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else (*fields, *POWERS)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # No "Set password" button: the form behind it is for superusers only.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            # The person resets their own password from the sign-in page, by email.
            raise PermissionDenied
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                self.record_audit(request, Action.ADMIN_PASSWORD_SET, self.get_object(request, id))
        return response


class DeletedOnly:
    """A second factor is seen and deleted here, never made or changed: whoever chose its key
    would hold it."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser


for model, model_admin in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (DeletedOnly, model_admin), {}))
