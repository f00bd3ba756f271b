from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingsConfig(AppConfig):
    name = "santuni.listings"
    verbose_name = _("Listing changes and verification")
