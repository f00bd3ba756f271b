from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "santuni.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.backends.signals import connection_created

        from santuni.lib.files import sqlite_owner_only

        # The database file is the owner's only, also one made readable before (lib.files).
        connection_created.connect(sqlite_owner_only, dispatch_uid="santuni.sqlite_owner_only")


class SantuniAdminConfig(admin_apps.AdminConfig):
    """The admin, with the site that admits only ministry admins past two-factor sign-in."""

    default = False
    default_site = "santuni.accounts.admin_site.SantuniAdminSite"
