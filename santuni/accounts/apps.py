from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "santuni.accounts"
    verbose_name = _("Accounts and audit trail")


class SantuniAdminConfig(admin_apps.AdminConfig):
    """The admin, with the site that admits only ministry admins past two-factor sign-in."""

    default = False
    default_site = "santuni.accounts.admin_site.SantuniAdminSite"
