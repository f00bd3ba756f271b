from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "santuni.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # The dashboards' tables and the deploy check register themselves when their modules load.
        from . import checks  # noqa: F401
        from .aid_statistics import tables  # noqa: F401
        from .dashboards import figures  # noqa: F401
