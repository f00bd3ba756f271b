"""The admin site: for ministry admins (and superusers) who have passed two-factor sign-in."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from .access import active_membership
from .models import Role


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
        # One sign-in page (with its lock-out and second factor) for the whole site.
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.get_full_path(), reverse("accounts:sign_in"))
