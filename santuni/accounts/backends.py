"""Permissions from roles: a ministry admin may use every table of the admin."""

from .models import Membership, Role


class RoleBackend:
    """Grants model permissions by role; signs nobody in (ModelBackend does that)."""

    def authenticate(self, request, **credentials):
        return None

    def _is_ministry_admin(self, user) -> bool:
        if not (user.is_active and user.is_authenticated):
            return False
        if not hasattr(user, "_santuni_ministry_admin"):
            user._santuni_ministry_admin = Membership.objects.filter(
                user=user, role=Role.MINISTRY_ADMIN, revoked_at__isnull=True
            ).exists()
        return user._santuni_ministry_admin

    def has_perm(self, user, perm, obj=None) -> bool:
        return self._is_ministry_admin(user)

    def has_module_perms(self, user, app_label) -> bool:
        return self._is_ministry_admin(user)
