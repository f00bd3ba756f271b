from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "santuni.cases"
    label = "cases"
    verbose_name = _("Cases and referrals")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
