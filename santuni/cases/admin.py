"""Only target times and public holidays are in the admin: people's records never are."""

from django.contrib import admin

from .models import PublicHoliday, ServiceLevel


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = [
        "urgency",
        "acknowledge_within",
        "acknowledge_unit",
        "complete_within",
        "complete_unit",
    ]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "state"]
    list_filter = ["state"]
    date_hierarchy = "date"
