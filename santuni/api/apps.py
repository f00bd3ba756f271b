from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "santuni.api"
    verbose_name = "HSDS"
