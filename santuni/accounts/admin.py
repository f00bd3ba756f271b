"""Read-only admin views of memberships, invitations and the audit trail.

Roles change only through invitations and removals (santuni.accounts.services), which record
the audit row; the admin shows them but cannot write them.
"""

from django.contrib import admin

from . import audit
from .access import active_membership
from .models import AuditEntry, Invitation, Membership


class Audited:
    """Admin writes leave an audit row: who, acting as what, which fields."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        fields = list(form.changed_data) + [
            f"{fs.prefix}[{i}]"
            for fs in formsets
            for i, f in enumerate(fs.forms)
            if f.has_changed()
        ]
        audit.record(
            actor=active_membership(request),
            user=request.user,
            action="admin.changed" if change else "admin.added",
            obj=form.instance,
            changes={"fields": fields},
        )

    def delete_model(self, request, obj):
        audit.record(
            actor=active_membership(request), user=request.user, action="admin.deleted", obj=obj
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(
                actor=active_membership(request), user=request.user, action="admin.deleted", obj=obj
            )
        super().delete_queryset(request, queryset)


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
    list_display = ["user", "role", "organization", "district", "created_at", "revoked_at"]
    list_filter = ["role", "district"]
    search_fields = ["user__username", "user__first_name", "organization__name"]
    list_select_related = ["user", "organization", "district"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnly):
    list_display = ["email", "role", "organization", "district", "created_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    exclude = ["token_hash"]
    list_select_related = ["organization", "district"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ["id", "at", "user", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user"]
