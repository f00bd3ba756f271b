"""Only the service-level targets are in the admin: people's records are never shown there."""

from django.contrib import admin

from santuni.accounts.admin import Audited

from .models import ServiceLevel


@admin.register(ServiceLevel)
class ServiceLevelAdmin(Audited, admin.ModelAdmin):
    list_display = [
        "urgency",
        "acknowledge_within",
        "acknowledge_unit",
        "complete_within",
        "complete_unit",
    ]
