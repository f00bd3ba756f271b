"""The admin site: for ministry admins (and superusers) who have passed two-factor sign-in.

Every table's writes are audited, those of the libraries' tables (users, second factors,
lock-outs, tasks) too: each model registered here gets the Audited mixin.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from santuni.audit import trail
from santuni.audit.actions import Action
from santuni.lib.redirects import safe_next

from .access import active_membership
from .models import Role


class Audited:
    """Admin writes leave an audit row: who, acting as what, which fields."""

    def record_audit(self, request, action: Action, obj, changes=None) -> None:
        trail.record(
            actor=active_membership(request),
            user=request.user,
            action=action,
            obj=obj,
            changes=changes,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        fields = list(form.changed_data) + [
            f"{fs.prefix}[{i}]"
            for fs in formsets
            for i, f in enumerate(fs.forms)
            if f.has_changed()
        ]
        action = Action.ADMIN_CHANGED if change else Action.ADMIN_ADDED
        self.record_audit(request, action, form.instance, {"fields": fields})

    def delete_model(self, request, obj):
        self.record_audit(request, Action.ADMIN_DELETED, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.record_audit(request, Action.ADMIN_DELETED, obj)
        super().delete_queryset(request, queryset)


class SantuniAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated and user.is_verified()):
            return False
        membership = active_membership(request)
        return user.is_superuser or (
            membership is not None and membership.role == Role.MINISTRY_ADMIN
        )

    def login(self, request, extra_context=None):
        # One sign-in page (with its lock-out and second factor) for the whole site, which
        # then goes on to the admin page asked for (this address would refuse a signed-in user).
        if request.user.is_authenticated:
            raise PermissionDenied
        next_url = safe_next(request, request.GET.get("next"), reverse("admin:index"))
        return redirect_to_login(next_url, reverse("accounts:sign_in"))

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, Audited):
            admin_class = type(admin_class.__name__, (Audited, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)
